import Foundation

/// One IMAP response: its text with `{n}` markers where literals were, the
/// literals' bytes, and the tag (`*` for untagged, `+` for continuation).
struct IMAPResponse {
    var text: [UInt8]
    var literals: [[UInt8]]

    var tag: Substring { textString.prefix { $0 != " " } }
    var textString: String { String(decoding: text, as: UTF8.self) }
}

/// The byte stream an ``IMAPSession`` talks over: a ``CurlConnection``, or in tests a recorded server.
protocol IMAPTransport: AnyObject {
    /// Sends all bytes.
    func send(_ bytes: [UInt8]) throws
    /// Reads what is available (at least one byte); throws when the connection is gone.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    func close()
}

extension CurlConnection: IMAPTransport {}

/// The IMAP conversation over an ``IMAPTransport``: tagged commands, and a
/// literal-aware response reader. A literal's bytes are taken by count, never
/// scanned for line structure, so message bodies that contain lines looking
/// like IMAP responses (`B2 OK done`, `* 5 FETCH`) are read intact.
final class IMAPSession {
    let connection: any IMAPTransport
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var nextTag = 1

    init(_ connection: any IMAPTransport) {
        self.connection = connection
        buffer = .allocate(byteCount: 1 << 20, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Sends `command` with a fresh tag; returns the tag.
    @discardableResult
    func send(_ command: String) throws -> String {
        let tag = "B\(nextTag)"
        nextTag += 1
        try connection.send(Array("\(tag) \(command)\r\n".utf8))
        return tag
    }

    /// Reads responses until `tag` completes; untagged ones go to `untagged`.
    /// - Throws: ``IMAPError/commandFailed`` on `NO` / `BAD`.
    func complete(_ tag: String, command: String, untagged: (IMAPResponse) throws -> Void) throws {
        while true {
            let r = try readResponse()
            let t = r.tag
            if t == "*" || t == "+" {
                // `* BYE`: the server is closing the connection; its reason (a shutdown, a connection
                // limit) is what the error should say, not the closed socket that follows.
                if t == "*", let bye = Self.byeText(r) { throw IMAPError.connectionLost("the server said BYE: \(bye)") }
                try untagged(r)
                continue
            }
            guard t == tag else { continue }   // a stray tagged line of an earlier command
            let status = r.textString.dropFirst(tag.count + 1).prefix(3).uppercased()
            if status.hasPrefix("OK") { return }
            throw IMAPError.commandFailed(command: command, response: r.textString)
        }
    }

    /// Sends a command and waits for it.
    func run(_ command: String, untagged: (IMAPResponse) throws -> Void = { _ in }) throws {
        try complete(try send(command), command: command, untagged: untagged)
    }

    /// Reads one response, literals included.
    func readResponse() throws -> IMAPResponse {
        var text: [UInt8] = []
        var literals: [[UInt8]] = []
        while true {
            let (line, next) = try readLine()
            text.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[line]))
            start = next
            guard let n = Self.literalLength(text) else { return IMAPResponse(text: text, literals: literals) }
            try need(n)
            literals.append(Array(UnsafeRawBufferPointer(rebasing: buffer[start..<(start + n)])))
            start += n
        }
    }

    /// `{123}` or `{123+}` at the end of the text so far.
    static func literalLength(_ text: [UInt8]) -> Int? {
        guard text.last == 0x7D else { return nil }
        var i = text.count - 2
        if i >= 0 && text[i] == 0x2B { i -= 1 }
        var n = 0, mul = 1, digits = 0
        while i >= 0, text[i] >= 0x30, text[i] <= 0x39 {
            n += Int(text[i] - 0x30) * mul
            mul *= 10
            digits += 1
            i -= 1
            if digits > 12 { return nil }
        }
        guard digits > 0, i >= 0, text[i] == 0x7B else { return nil }
        return n
    }

    /// The next line (without CRLF) in the buffer and where the line after it starts, reading more as needed.
    private func readLine() throws -> (Range<Int>, next: Int) {
        var scanned = 0   // bytes after `start` known to hold no LF (survives buffer compaction)
        while true {
            let scanFrom = start + scanned
            if end > scanFrom, let base = buffer.baseAddress,
               let p = memchr(base + scanFrom, 0x0A, end - scanFrom) {
                let nl = base.distance(to: p)
                let lineEnd = nl > start && buffer[nl - 1] == 0x0D ? nl - 1 : nl
                return (start..<lineEnd, nl + 1)
            }
            scanned = end - start
            try fill()
        }
    }

    /// Ensures `count` unread bytes are buffered.
    private func need(_ count: Int) throws {
        while end - start < count { try fill(minimum: count) }
    }

    private func fill(minimum: Int = 0) throws {
        if start > 0 && (start == end || buffer.count - end < 64 * 1024 || end - start + minimum > buffer.count - start) {
            let live = end - start
            if live > 0, let base = buffer.baseAddress { memmove(base, base + start, live) }
            start = 0
            end = live
        }
        let wanted = max(minimum, end - start + 64 * 1024)
        if wanted > buffer.count {
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(wanted, buffer.count * 2), alignment: 16)
            if end > start { bigger.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start) }
            end -= start
            start = 0
            buffer.deallocate()
            buffer = bigger
        }
        end += try connection.receive(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
    }

    /// `LOGOUT`, ignoring failures, then closes.
    func logout() {
        _ = try? send("LOGOUT")
        connection.close()
    }

    /// The text after `* BYE`; nil for any other response.
    static func byeText(_ r: IMAPResponse) -> String? {
        guard r.text.count >= 5, r.text[2] | 0x20 == 0x62, r.text[3] | 0x20 == 0x79, r.text[4] | 0x20 == 0x65,
              r.text.count == 5 || r.text[5] == 0x20 else { return nil }
        return String(r.textString.dropFirst(6))
    }

    /// An IMAP quoted string.
    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
