import Foundation
import SwitchboardCore

/// An RFC 5322 / MIME parser working on the message bytes: header unfolding,
/// RFC 2047 and RFC 2231, nested multiparts, quoted-printable and base64.
/// It never throws and never traps on malformed input.
public enum MessageParser {
    /// Deepest multipart nesting followed; deeper parts count as attachments.
    static let maxDepth = 24

    /// Parses one whole message.
    public static func parse(_ bytes: [UInt8]) -> EmailMessage {
        bytes.withUnsafeBufferPointer { parse($0) }
    }

    /// Parses one whole message held in `buf`.
    public static func parse(_ buf: UnsafeBufferPointer<UInt8>) -> EmailMessage {
        var m = EmailMessage()
        let start = headerStart(buf, envelopeDate: &m.envelopeDate)
        let (headers, bodyStart, malformed) = Headers.parse(buf, from: start, to: buf.count)
        if headers.fields.isEmpty {
            m.hasNoHeaders = true
            m.problems.append("no header fields")
        }
        if malformed > 0 { m.problems.append("\(malformed) malformed header line(s) skipped") }
        let contentType = HeaderParameters(headers.raw("content-type") ?? Array("text/plain".utf8))
        let fallback = contentType["charset"]
        m.messageId = headers.raw("message-id").flatMap { MessageIDs.parse($0).first }
        m.inReplyTo = headers.raw("in-reply-to").map(MessageIDs.parse) ?? []
        m.references = headers.all("references").flatMap(MessageIDs.parse)
        m.from = headers.raw("from").flatMap { MailAddress.list($0, fallbackCharset: fallback).first }
        m.replyTo = headers.raw("reply-to").flatMap { MailAddress.list($0, fallbackCharset: fallback).first }
        m.to = headers.all("to").flatMap { MailAddress.list($0, fallbackCharset: fallback) }
        m.cc = headers.all("cc").flatMap { MailAddress.list($0, fallbackCharset: fallback) }
        m.subject = headers.text("subject", fallbackCharset: fallback)
        if let raw = headers.raw("date") {
            m.date = MailDate.parse(raw)
            if m.date == nil { m.problems.append("unreadable Date header") }
        }
        m.isAutoReply = isAutoReply(headers)
        for f in headers.fields where f.name.utf8.count == 14 {   // both names have 14 characters
            if f.name == "x-mozilla-keys" {
                if m.mozillaKeys == nil { m.mozillaKeys = String(decoding: f.value, as: UTF8.self) }
            } else if f.name == "x-gmail-labels" {
                if m.gmailLabels == nil { m.gmailLabels = EncodedWords.decode(f.value, fallbackCharset: fallback) }
            }
        }

        var walk = BodyWalk()
        walk.entity(buf, headers: headers, body: bodyStart..<buf.count, depth: 0)
        m.attachments = walk.attachments
        m.problems += walk.problems
        if let plain = walk.plain {
            m.text = plain
        } else if let html = walk.html {
            m.text = HTMLText.text(html)
        }
        m.contentHash = contentHash(buf, headers: headers, bodyStart: bodyStart)
        return m
    }

    /// Where the header block starts: after a UTF-8 byte-order mark and after an mbox `From sender date`
    /// separator line (files cut out of an mbox, bounces, Maildirs converted from mbox), whose date is
    /// read into `envelopeDate`. `From:` and the obsolete `From :` are header fields, not separators.
    static func headerStart(_ buf: UnsafeBufferPointer<UInt8>, envelopeDate: inout Date?) -> Int {
        var i = 0
        if buf.count >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF { i = 3 }
        guard buf.count - i > 5, buf[i] == 0x46, buf[i + 1] == 0x72, buf[i + 2] == 0x6F, buf[i + 3] == 0x6D,
              buf[i + 4] == 0x20 else { return i }   // "From "
        var k = i + 5
        while k < buf.count && (buf[k] == 0x20 || buf[k] == 0x09) { k += 1 }
        guard k < buf.count, buf[k] != 0x3A else { return i }
        var end = k
        while end < buf.count && buf[end] != 0x0A { end += 1 }
        envelopeDate = MboxEnvelope.date(Array(UnsafeBufferPointer(rebasing: buf[(i + 5)..<end])))
        return min(end + 1, buf.count)
    }

    /// Whether the message was written by a program answering or notifying on its own (RFC 3834):
    /// `Auto-Submitted` with any value but `no`; `X-Autoreply` or `X-Autorespond` present;
    /// `Precedence: auto_reply` or `junk`; `Precedence: bulk` only on mail no list relayed (a list
    /// sets `bulk` or `list` on every post it relays, and has `List-Id`). `Precedence: list` alone says
    /// nothing about the author: a person's post to a mailing list carries it.
    static func isAutoReply(_ h: Headers) -> Bool {
        if let v = h.raw("auto-submitted") {
            let token = firstToken(v)
            if !token.isEmpty && token != "no" { return true }
        }
        if h.raw("x-autoreply") != nil || h.raw("x-autorespond") != nil { return true }
        if let v = h.raw("precedence") {
            switch firstToken(v) {
            case "auto_reply", "junk": return true
            case "bulk": return h.raw("list-id") == nil
            default: return false
            }
        }
        return false
    }

    /// The lower-cased first word of a header value: `auto-replied` of `Auto-Replied; owner-email=…`.
    private static func firstToken(_ v: [UInt8]) -> String {
        let word = v.drop { $0 == 0x20 || $0 == 0x09 }.prefix { $0 != 0x20 && $0 != 0x09 && $0 != 0x3B && $0 != 0x28 }
        return String(decoding: word, as: UTF8.self).lowercased()
    }

    /// Digest of From, Date, Subject (unfolded) and the body with CR removed and
    /// trailing blank lines dropped.
    static func contentHash(_ buf: UnsafeBufferPointer<UInt8>, headers: Headers, bodyStart: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(buf.count - bodyStart + 256)
        for name in ["from", "date", "subject"] {
            bytes += headers.raw(name) ?? []
            bytes.append(0)
        }
        var end = buf.count
        while end > bodyStart && (buf[end - 1] == 0x0A || buf[end - 1] == 0x0D || buf[end - 1] == 0x20) { end -= 1 }
        var i = bodyStart
        while i < end {
            let c = buf[i]
            if c != 0x0D { bytes.append(c) }
            i += 1
        }
        return InteractionID.digest(bytes)
    }
}


/// Walks a MIME tree collecting the first text/plain and text/html bodies and counting attachments.
struct BodyWalk {
    var plain: String?
    var html: String?
    var attachments = 0
    var problems: [String] = []

    mutating func entity(_ buf: UnsafeBufferPointer<UInt8>, headers: Headers, body: Range<Int>, depth: Int,
                         defaultType: String = "text/plain") {
        let ct = headers.raw("content-type").map(HeaderParameters.init) ?? HeaderParameters(value: defaultType)
        let type = ct.value.isEmpty ? defaultType : ct.value
        let disposition = headers.raw("content-disposition").map(HeaderParameters.init)
        let filename = disposition?["filename"] ?? ct["name"]

        if type.hasPrefix("multipart/") {
            guard depth < MessageParser.maxDepth else {
                attachments += 1
                problems.append("multipart nested deeper than \(MessageParser.maxDepth) levels")
                return
            }
            guard let boundary = ct["boundary"], !boundary.isEmpty else {
                problems.append("multipart without boundary parameter; body read as text")
                text(buf, headers: headers, body: body, type: "text/plain", charset: nil)
                return
            }
            let split = Multipart.split(buf, body, boundary: Array(boundary.utf8))
            if split.parts.isEmpty {
                problems.append("multipart boundary '\(boundary)' not found; body read as text")
                text(buf, headers: headers, body: body, type: "text/plain", charset: nil)
                return
            }
            if !split.closed { problems.append("multipart '\(boundary)' has no closing delimiter") }
            let childDefault = type == "multipart/digest" ? "message/rfc822" : "text/plain"
            for part in split.parts {
                let (h, start, _) = Headers.parse(buf, from: part.lowerBound, to: part.upperBound)
                entity(buf, headers: h, body: start..<part.upperBound, depth: depth + 1, defaultType: childDefault)
            }
            return
        }
        if type == "message/rfc822" || type == "message/global" {
            attachments += 1
            return
        }
        let isText = type == "text/plain" || type == "text/html"
        if disposition?.value == "attachment" || filename != nil || !isText {
            attachments += 1
            return
        }
        text(buf, headers: headers, body: body, type: type, charset: ct["charset"])
    }

    private mutating func text(_ buf: UnsafeBufferPointer<UInt8>, headers: Headers, body: Range<Int>,
                               type: String, charset: String?) {
        if type == "text/plain" && plain != nil { return }
        if type == "text/html" && html != nil { return }
        let raw = UnsafeBufferPointer(rebasing: buf[body])
        let cte = headers.raw("content-transfer-encoding")
            .map { String(decoding: $0, as: UTF8.self).lowercased().trimmed(.whitespaces) } ?? ""
        let decoded: [UInt8]
        switch cte {
        case "base64":
            let r = TransferEncoding.base64Lenient(raw)
            if r.invalid > 0 { problems.append("invalid base64: \(r.invalid) character(s) skipped") }
            decoded = r.bytes
        case "quoted-printable":
            decoded = TransferEncoding.quotedPrintable(raw)
        default:
            decoded = Array(raw)
        }
        let s = Charset.decode(decoded, charset: charset)
        if type == "text/html" { html = s } else { plain = s }
    }
}

/// Splits a multipart body at its `--boundary` delimiter lines.
enum Multipart {
    static func split(_ buf: UnsafeBufferPointer<UInt8>, _ body: Range<Int>, boundary b: [UInt8])
        -> (parts: [Range<Int>], closed: Bool)
    {
        var parts: [Range<Int>] = []
        var partStart: Int? = nil
        var lineStart = body.lowerBound
        let end = body.upperBound
        while lineStart < end {
            var lineEnd = lineStart
            while lineEnd < end && buf[lineEnd] != 0x0A { lineEnd += 1 }
            if lineEnd - lineStart >= 2 + b.count, buf[lineStart] == 0x2D, buf[lineStart + 1] == 0x2D,
               matches(buf, lineStart + 2, b) {
                let after = lineStart + 2 + b.count
                let isClose = after + 1 < lineEnd && buf[after] == 0x2D && buf[after + 1] == 0x2D
                var rest = isClose ? after + 2 : after
                while rest < lineEnd && (buf[rest] == 0x20 || buf[rest] == 0x09 || buf[rest] == 0x0D) { rest += 1 }
                if rest == lineEnd || isClose {
                    if let ps = partStart {
                        var pe = lineStart
                        if pe > ps && buf[pe - 1] == 0x0A { pe -= 1 }
                        if pe > ps && buf[pe - 1] == 0x0D { pe -= 1 }
                        parts.append(ps..<max(ps, pe))
                    }
                    if isClose { return (parts, true) }
                    partStart = min(lineEnd + 1, end)
                }
            }
            lineStart = lineEnd + 1
        }
        if let ps = partStart, ps < end { parts.append(ps..<end) }
        return (parts, false)
    }

    @inline(__always) private static func matches(_ buf: UnsafeBufferPointer<UInt8>, _ at: Int, _ b: [UInt8]) -> Bool {
        for k in 0..<b.count where buf[at + k] != b[k] { return false }
        return true
    }
}
