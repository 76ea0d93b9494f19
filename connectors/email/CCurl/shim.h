#ifndef SWITCHBOARD_CCURL_SHIM_H
#define SWITCHBOARD_CCURL_SHIM_H

// Typed wrappers around libcurl's variadic calls, which Swift cannot call directly.
#include <curl/curl.h>
#include <poll.h>

static inline CURLcode sb_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode sb_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode sb_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode sb_curl_getinfo_socket(CURL *handle, curl_socket_t *socket) {
    return curl_easy_getinfo(handle, CURLINFO_ACTIVESOCKET, socket);
}

static inline CURLcode sb_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

typedef size_t (*sb_curl_write_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode sb_curl_setopt_write(CURL *handle, sb_curl_write_callback callback, void *context) {
    CURLcode rc = curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
    return rc != CURLE_OK ? rc : curl_easy_setopt(handle, CURLOPT_WRITEDATA, context);
}

typedef int (*sb_curl_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size, void *context);

/// Hands what the server sends while libcurl connects and logs in (CURLINFO_HEADER_IN lines) to
/// `callback`; NULL turns it off again.
static inline CURLcode sb_curl_setopt_debug(CURL *handle, sb_curl_debug_callback callback, void *context) {
    CURLcode rc = curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, callback);
    if (rc == CURLE_OK) rc = curl_easy_setopt(handle, CURLOPT_DEBUGDATA, context);
    if (rc == CURLE_OK) rc = curl_easy_setopt(handle, CURLOPT_VERBOSE, callback != NULL ? 1L : 0L);
    return rc;
}

#endif
