import Foundation

/// SASL XOAUTH2 (Google's and Microsoft's IMAP login with an OAuth2 access token), spoken by
/// Switchboard itself so that a rejection is seen with the server's own words.
extension IMAPSession {
    /// The server refused the token: its tagged answer, and the JSON error it sent in the
    /// continuation (`{"status":"401","schemes":"bearer",...}`) when it sent one.
    struct TokenRejected: Error {
        var response: String
        var detail: String?
    }

    /// `AUTHENTICATE XOAUTH2`, the initial response after the server's `+`.
    /// - Throws: ``TokenRejected`` on `NO`/`BAD`; ``IMAPError`` when the connection fails (`connectionLost`
    ///   with the server's words after an untagged `BYE`).
    func authenticateXOAUTH2(user: String, accessToken: String) throws {
        let tag = try send("AUTHENTICATE XOAUTH2")
        let initial = Data("user=\(user)\u{1}auth=Bearer \(accessToken)\u{1}\u{1}".utf8).base64EncodedString()
        var sentCredentials = false
        var detail: String?
        while true {
            let r = try readResponse()
            let text = r.textString
            // `* BYE` (a connection limit, a shutdown): its reason is the error, not the closed socket after it.
            if r.tag == "*", let bye = Self.byeText(r) { throw IMAPError.connectionLost("the server said BYE: \(bye)") }
            if r.tag == "+" {
                if !sentCredentials {
                    sentCredentials = true
                    try connection.send(Array((initial + "\r\n").utf8))
                } else {
                    // The error challenge: answer with an empty response, the server then says NO.
                    let payload = text.dropFirst(1).trimmingCharacters(in: .whitespaces)
                    detail = Data(base64Encoded: payload).map { String(decoding: $0, as: UTF8.self) }
                    try connection.send(Array("\r\n".utf8))
                }
                continue
            }
            guard r.tag == tag else { continue }
            let status = text.dropFirst(tag.count + 1).prefix(3).uppercased()
            if status.hasPrefix("OK") { return }
            throw TokenRejected(response: String(text.dropFirst(tag.count + 1)), detail: detail)
        }
    }
}
