import CCurl
import Foundation
import SwitchboardCore

/// One SMTP submission through libcurl: connect (implicit TLS for `smtps://`, STARTTLS when required),
/// log in when a user name is given, `MAIL FROM`, `RCPT TO` for each recipient, `DATA` with the
/// message's bytes. Blocking: callers run it on a thread of its own.
struct SMTPTransport {
    var url: String
    var username: String?
    var password: String?
    /// `USE_SSL_ALL`: the connection must upgrade with STARTTLS or the send fails.
    var requireSTARTTLS: Bool
    var caFile: String?
    var timeout: TimeInterval = 120

    /// Sends `message` (CRLF line ends, headers included) from `sender` to `recipients` (bare addresses).
    /// - Throws: ``NotificationError``: `.refused` with the server's answer when it said no, `.authentication`,
    ///   `.tls` or `.network` otherwise. The password never appears in it.
    func send(_ message: [UInt8], from sender: String, to recipients: [String]) throws {
        let upload = try CurlUpload(body: message)
        let h = upload.handle
        var list: UnsafeMutablePointer<curl_slist>?
        for r in recipients { list = curl_slist_append(list, "<\(r)>") }
        defer { curl_slist_free_all(list) }
        upload.keepHeaderLines()

        sb_curl_setopt_string(h, CURLOPT_URL, url)
        if let username {
            sb_curl_setopt_string(h, CURLOPT_USERNAME, username)
            if let password { sb_curl_setopt_string(h, CURLOPT_PASSWORD, password) }
        }
        sb_curl_setopt_string(h, CURLOPT_MAIL_FROM, "<\(sender)>")
        sb_curl_setopt_pointer(h, CURLOPT_MAIL_RCPT, UnsafeMutableRawPointer(list))
        sb_curl_setopt_long(h, CURLOPT_UPLOAD, 1)
        sb_curl_setopt_long(h, CURLOPT_INFILESIZE_LARGE, message.count)
        sb_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        sb_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeout, 30) * 1000))
        sb_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        if requireSTARTTLS { sb_curl_setopt_long(h, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)) }
        if let caFile { sb_curl_setopt_string(h, CURLOPT_CAINFO, caFile) }
        guard let failure = upload.perform() else { return }
        throw error(failure.code, failure.text, replies: upload.headerLines)
    }

    private func error(_ rc: CURLcode, _ text: String, replies: [String]) -> NotificationError {
        let shown = Redaction.url(url)
        // The server's last negative answer (4xx/5xx), which says why in its own words.
        let refusal = replies.last { $0.hasPrefix("4") || $0.hasPrefix("5") }
        switch rc {
        case CURLE_LOGIN_DENIED:
            return NotificationError(.authentication, "the SMTP server at \(shown) rejected the login of \(username ?? "?")\(refusal.map { ": \($0)" } ?? ""); check username and password")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_ISSUER_ERROR:
            return NotificationError(.tls, "TLS with the SMTP server at \(shown) failed: \(text); set ca_file to the server's CA certificate")
        case CURLE_USE_SSL_FAILED:
            return NotificationError(.tls, "the SMTP server at \(shown) does not offer STARTTLS (\(text)); use smtps:// if it speaks TLS from the start")
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_OPERATION_TIMEDOUT, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
             CURLE_GOT_NOTHING:
            if let refusal { return NotificationError(.refused, "the SMTP server at \(shown) refused the message: \(refusal)") }
            return NotificationError(.network, "cannot deliver to the SMTP server at \(shown): \(text)")
        default:
            if let refusal { return NotificationError(.refused, "the SMTP server at \(shown) refused the message: \(refusal)") }
            return NotificationError(.network, "sending through the SMTP server at \(shown) failed: \(text)")
        }
    }
}
