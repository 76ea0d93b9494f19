import Foundation
import SwitchboardCore

/// A ``NotificationMessage`` as an Internet message (RFC 5322 + MIME): the plain text and the HTML as
/// `multipart/alternative` (a mail reader shows the HTML, a text-only one the text), inside
/// `multipart/mixed` with the attachments. Every part is UTF-8 in base64, so long HTML lines and any
/// script travel unchanged; lines end in CRLF.
struct MIMEMessage {
    var from: String
    var to: [String]
    var message: NotificationMessage
    var date: Date = Date()
    /// Unique per message; also seeds the boundaries.
    var id: String = UUID().uuidString.lowercased()

    /// The whole message, ready for SMTP DATA.
    var bytes: [UInt8] { Array(text.utf8) }

    var text: String {
        var out = [
            "From: \(Self.address(from))",
            "To: \(to.map(Self.address).joined(separator: ", "))",
            "Subject: \(Self.header(message.subject))",
            "Date: \(Self.date(date))",
            "Message-ID: <\(id)@switchboard>",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
        ].joined(separator: "\r\n") + "\r\n"
        out += body
        return out
    }

    private var body: String {
        let textPart = Self.part("text/plain; charset=utf-8", Data(message.text.utf8))
        let content: String
        if let html = message.html {
            content = Self.multipart("alternative", boundary: "sb-alt-\(id)",
                                     [textPart, Self.part("text/html; charset=utf-8", Data(html.utf8))])
        } else {
            content = textPart
        }
        guard !message.attachments.isEmpty else { return content }
        let attachments = message.attachments.map { a in
            Self.part("\(a.contentType); \(Self.parameter("name", a.filename))", a.data,
                      disposition: "attachment; \(Self.parameter("filename", a.filename))")
        }
        return Self.multipart("mixed", boundary: "sb-mixed-\(id)", [content] + attachments)
    }

    /// Headers of a part, a blank line, then its content.
    static func part(_ contentType: String, _ data: Data, disposition: String? = nil) -> String {
        var head = "Content-Type: \(contentType)\r\nContent-Transfer-Encoding: base64\r\n"
        if let disposition { head += "Content-Disposition: \(disposition)\r\n" }
        return head + "\r\n" + base64Lines(data)
    }

    static func multipart(_ subtype: String, boundary: String, _ parts: [String]) -> String {
        var out = "Content-Type: multipart/\(subtype); boundary=\"\(boundary)\"\r\n\r\n"
        for p in parts { out += "--\(boundary)\r\n\(p)" }
        return out + "--\(boundary)--\r\n"
    }

    /// Base64 in lines of 76 characters, each ending in CRLF.
    static func base64Lines(_ data: Data) -> String {
        let encoded = Array(data.base64EncodedString().utf8)
        var out = ""
        out.reserveCapacity(encoded.count + encoded.count / 38 + 2)
        var i = 0
        while i < encoded.count {
            let end = min(i + 76, encoded.count)
            out += String(decoding: encoded[i..<end], as: UTF8.self) + "\r\n"
            i = end
        }
        return out
    }

    /// A header value: ASCII as is (control characters removed), otherwise RFC 2047 encoded words of
    /// whole characters, at most 45 bytes of UTF-8 each.
    static func header(_ value: String) -> String {
        let clean = String(value.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        guard clean.unicodeScalars.contains(where: { !$0.isASCII }) else { return clean }
        var words: [String] = []
        var chunk = Data()
        for c in clean {
            let bytes = Data(String(c).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?utf-8?b?\(chunk.base64EncodedString())?=")
                chunk = Data()
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?utf-8?b?\(chunk.base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// An address header's value from `Name <address>` or a bare address: only the display name may be encoded
    /// (RFC 2047 words when it is not ASCII, quoted when it holds specials such as a comma), the `<address>` stays
    /// as is — an encoded address would be unreadable to mail servers and readers.
    static func address(_ value: String) -> String {
        let t = value.trimmingCharacters(in: .whitespaces)
        guard let open = t.lastIndex(of: "<"), t.hasSuffix(">") else { return header(t) }
        let spec = header(String(t[open...]))
        var name = t[..<open].trimmingCharacters(in: .whitespaces)
        if name.count >= 2 && name.hasPrefix("\"") && name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
        guard !name.isEmpty else { return spec }
        if name.unicodeScalars.contains(where: { !$0.isASCII }) { return header(name) + " " + spec }
        guard name.contains(where: { "()<>[]:;@\\,.\"".contains($0) }) else { return header(name) + " " + spec }
        return header("\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"") + " " + spec
    }

    /// A MIME parameter: `key="value"` for ASCII, RFC 2231 `key*=utf-8''…` for other text.
    static func parameter(_ key: String, _ value: String) -> String {
        if value.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" }) { return "\(key)=\"\(value)\"" }
        let allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
            .union(CharacterSet(charactersIn: "-._"))
        return "\(key)*=utf-8''" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "report")
    }

    /// RFC 5322 date in UTC: `Mon, 07 Dec 2026 09:00:00 +0000`.
    static func date(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return f.string(from: date)
    }
}
