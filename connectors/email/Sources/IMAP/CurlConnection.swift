import CCurl
import Foundation
import SwitchboardCore

/// An IMAP connection whose connect, TLS (or STARTTLS) and login are done by
/// libcurl (`CURLOPT_CONNECT_ONLY`); Switchboard then speaks IMAP itself over
/// `curl_easy_send` / `curl_easy_recv`. One connection serves one pull.
final class CurlConnection {
    struct Options {
        var url: String
        var username: String
        var password: String?
        var oauth2Token: String?
        var startTLS: Bool
        var verifyTLS: Bool
        var caFile: String?
        var timeout: TimeInterval
    }

    private let handle: UnsafeMutableRawPointer
    private var socket: curl_socket_t = -1
    private let timeoutMs: Int32
    private var closed = false

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Connects and logs in.
    /// - Throws: ``ConnectorError`` `.authentication` for a rejected login, `.verification`
    ///   for an untrusted certificate, `.network` for everything else, each naming `source`.
    init(_ o: Options, source: String) throws {
        _ = Self.globalInit
        guard let h = curl_easy_init() else { throw ConnectorError(.network, "\(source): cannot initialise libcurl") }
        handle = h
        timeoutMs = Int32(max(1, min(o.timeout, 3600)) * 1000)
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        sb_curl_setopt_string(h, CURLOPT_URL, o.url)
        // Without a password or token libcurl stops after the greeting (and STARTTLS): the
        // session logs in itself (SASL XOAUTH2 of `auth.oauth2`).
        if o.password != nil || o.oauth2Token != nil { sb_curl_setopt_string(h, CURLOPT_USERNAME, o.username) }
        if let p = o.password { sb_curl_setopt_string(h, CURLOPT_PASSWORD, p) }
        if let t = o.oauth2Token { sb_curl_setopt_string(h, CURLOPT_XOAUTH2_BEARER, t) }
        sb_curl_setopt_long(h, CURLOPT_CONNECT_ONLY, 1)
        sb_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(timeoutMs))
        sb_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        sb_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, o.verifyTLS ? 1 : 0)
        sb_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, o.verifyTLS ? 2 : 0)
        if let ca = o.caFile { sb_curl_setopt_string(h, CURLOPT_CAINFO, ca) }
        if o.startTLS { sb_curl_setopt_long(h, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)) }
        sb_curl_setopt_pointer(h, CURLOPT_ERRORBUFFER, errorBuffer)
        let said = ServerLines()   // the greeting and login answers, for errors that say what the server said
        sb_curl_setopt_debug(h, ServerLines.callback, Unmanaged.passUnretained(said).toOpaque())
        let rc = withExtendedLifetime(said) { curl_easy_perform(h) }
        sb_curl_setopt_debug(h, nil, nil)
        sb_curl_setopt_pointer(h, CURLOPT_ERRORBUFFER, nil)
        if rc != CURLE_OK {
            let detail = String(cString: errorBuffer)
            let text = String(cString: curl_easy_strerror(rc)) + (detail.isEmpty ? "" : " (\(detail))")
            close()   // deinit runs for a class whose init throws: close() makes cleanup happen once
            if let signal = IMAPThrottle.classify(lines: said.lines) {
                let server = o.url.hasSuffix("/") ? String(o.url.dropLast()) : o.url
                throw IMAPThrottle.error(signal, source: source, server: Redaction.url(server), during: "login")
            }
            var error = Self.error(rc, text, source: source, url: o.url)
            if let refusal = ServerLines.refusal(in: said.lines) {
                error.message += "; the server said: \(Redaction.text(refusal))"
                if let hint = ServerLines.hint(for: refusal) { error.message += " — \(hint)" }
            }
            throw error
        }
        var s: curl_socket_t = -1
        sb_curl_getinfo_socket(h, &s)
        socket = s
    }

    deinit {
        if !closed { curl_easy_cleanup(handle) }
    }

    static func error(_ rc: CURLcode, _ text: String, source: String, url written: String) -> ConnectorError {
        let url = Redaction.url(written)
        switch rc {
        case CURLE_LOGIN_DENIED:
            return ConnectorError(.authentication, "\(source): the IMAP server at \(url) rejected the login: check username and password (or oauth2_token)")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_ISSUER_ERROR:
            return ConnectorError(.verification, "\(source): TLS with \(url) failed: \(text); set ca_file to the server's CA certificate, or tls_verify: false for a test server")
        case CURLE_USE_SSL_FAILED:
            return ConnectorError(.network, "\(source): \(url) does not offer STARTTLS (\(text))")
        default:
            return ConnectorError(.network, "\(source): cannot connect to \(url): \(text)")
        }
    }

    /// Sends all bytes, waiting for the socket when it is full.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            var sent = 0
            let rc = bytes.withUnsafeBytes { raw in
                curl_easy_send(handle, raw.baseAddress! + offset, bytes.count - offset, &sent)
            }
            if rc == CURLE_AGAIN {
                try wait(events: Int16(POLLOUT))
                continue
            }
            guard rc == CURLE_OK else { throw IMAPError.connectionLost(String(cString: curl_easy_strerror(rc))) }
            offset += sent
        }
    }

    /// Reads what is available (at least one byte) into `buffer`; throws when the server closed the connection.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            var got = 0
            let rc = curl_easy_recv(handle, buffer.baseAddress, buffer.count, &got)
            if rc == CURLE_AGAIN {
                try wait(events: Int16(POLLIN))
                continue
            }
            guard rc == CURLE_OK else { throw IMAPError.connectionLost(String(cString: curl_easy_strerror(rc))) }
            if got == 0 { throw IMAPError.connectionLost("the server closed the connection") }
            return got
        }
    }

    private func wait(events: Int16) throws {
        var fd = pollfd(fd: socket, events: events, revents: 0)
        let n = poll(&fd, 1, timeoutMs)
        if n == 0 { throw IMAPError.connectionLost("no answer within \(timeoutMs / 1000) s") }
        if n < 0 && errno != EINTR { throw IMAPError.connectionLost(String(cString: strerror(errno))) }
    }

    func close() {
        guard !closed else { return }
        closed = true
        curl_easy_cleanup(handle)
    }
}

/// Transport and protocol failures of an IMAP session, turned into ``ConnectorError`` by the source.
enum IMAPError: Error {
    case connectionLost(String)
    case commandFailed(command: String, response: String)
    case protocolError(String)
}
