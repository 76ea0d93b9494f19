import CCurl
import Foundation
import SwitchboardCore

/// One HTTP POST through libcurl, for the destinations that post JSON (Slack, Telegram, webhook). Blocking:
/// ``deliver(_:)`` runs it on a thread of its own.
///
/// Any answer outside 2xx is `.refused` with the status and a short reason from the answer's body; a
/// connection that fails or times out is `.network`. Messages name the receiver by ``shownAs`` (a host, never
/// the URL, whose path may hold a token) and have every value of ``secrets`` masked.
struct HTTPPost: Sendable {
    var url: String
    var headers: [(String, String)] = []
    /// How the receiver is named in errors: `the Slack webhook at hooks.slack.com`.
    var shownAs: String
    /// Values hidden from every error (a bot token).
    var secrets: [String] = []
    var connectTimeout: TimeInterval = 10
    var timeout: TimeInterval = 30
    /// Reads the reason out of a refusal's body (Telegram's `description`); default: the body's first line.
    var reason: @Sendable (_ body: String) -> String? = { _ in nil }

    /// The receiver's answer.
    struct Answer: Sendable {
        var status: Int
        var body: String
    }

    /// The most of an answer's body that is kept.
    static let bodyLimit = 65_536

    /// POSTs `body` on a thread of its own; returns the 2xx answer.
    /// - Throws: ``NotificationError`` `.refused` (non-2xx) or `.network`, secret-free.
    func deliver(_ body: [UInt8]) async throws -> Answer {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Answer, any Error>) in
            // libcurl blocks: a thread of its own, so the tasks every async part shares keep running.
            Thread.detachNewThread { c.resume(with: Result { try self.send(body) }) }
        }
    }

    func send(_ body: [UInt8]) throws -> Answer {
        let upload = try CurlUpload(body: body)
        let h = upload.handle
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers { list = curl_slist_append(list, "\(name): \(value)") }
        // No `Expect: 100-continue` round trip before the body.
        list = curl_slist_append(list, "Expect:")
        defer { curl_slist_free_all(list) }
        upload.keepBody(limit: Self.bodyLimit)

        sb_curl_setopt_string(h, CURLOPT_URL, url)
        sb_curl_setopt_long(h, CURLOPT_POST, 1)
        sb_curl_setopt_long(h, CURLOPT_POSTFIELDSIZE_LARGE, body.count)
        sb_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https")
        sb_curl_setopt_pointer(h, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list))
        sb_curl_setopt_string(h, CURLOPT_USERAGENT, "Switchboard")
        sb_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)
        sb_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        sb_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout * 1000))
        sb_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        if let failure = upload.perform() {
            throw NotificationError(.network, clean("cannot deliver to \(shownAs): \(failure.text)"))
        }
        var status = 0
        sb_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        let answer = Answer(status: status, body: String(decoding: upload.received, as: UTF8.self))
        guard (200..<300).contains(status) else {
            let why = reason(answer.body) ?? Self.firstLine(answer.body)
            throw NotificationError(.refused, clean("\(shownAs) refused the message: HTTP \(status)\(why.isEmpty ? "" : " \(why)")"))
        }
        return answer
    }

    /// `text` with the secrets masked and any URL's password hidden.
    func clean(_ text: String) -> String { Redaction.text(text, secrets: secrets) }

    /// The first non-empty line of an answer, at most 200 characters.
    static func firstLine(_ body: String) -> String {
        let line = body.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return line.count > 200 ? String(line.prefix(197)) + "..." : line
    }
}
