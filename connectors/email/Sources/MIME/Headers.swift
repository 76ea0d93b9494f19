/// The header block of a message or body part: unfolded fields in order.
///
/// Names are lower-cased; values keep their raw bytes (8-bit bytes included)
/// with folding whitespace joined into one line (RFC 5322 §2.2.3).
struct Headers: Sendable {
    var fields: [(name: String, value: [UInt8])] = []

    /// The first field called `name` (lower-case).
    func raw(_ name: String) -> [UInt8]? {
        for f in fields where f.name == name { return f.value }
        return nil
    }

    /// The first field's value as text, RFC 2047 words decoded.
    func text(_ name: String, fallbackCharset: String? = nil) -> String? {
        raw(name).map { EncodedWords.decode($0, fallbackCharset: fallbackCharset) }
    }

    /// Every field called `name`.
    func all(_ name: String) -> [[UInt8]] { fields.filter { $0.name == name }.map(\.value) }

    /// Parses the header block at the start of `buf[start..<end]`.
    /// - Returns: the headers, the offset where the body starts, and the number
    ///   of lines that were neither a field nor a continuation (skipped).
    static func parse(_ buf: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int)
        -> (headers: Headers, bodyStart: Int, malformedLines: Int)
    {
        var headers = Headers()
        var malformed = 0
        var i = start
        var current: (name: String, value: [UInt8])? = nil
        while i < end {
            var lineEnd = i
            while lineEnd < end && buf[lineEnd] != 0x0A { lineEnd += 1 }
            let next = lineEnd < end ? lineEnd + 1 : end
            var contentEnd = lineEnd
            if contentEnd > i && buf[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            if contentEnd == i {          // empty line: end of headers
                if let c = current { headers.fields.append(c) }
                return (headers, next, malformed)
            }
            let first = buf[i]
            if first == 0x20 || first == 0x09 {
                if current != nil {
                    // Unfold: CRLF + WSP → WSP; runs of WSP collapse to one space.
                    var j = i
                    while j < contentEnd && (buf[j] == 0x20 || buf[j] == 0x09) { j += 1 }
                    if j < contentEnd {
                        current!.value.append(0x20)
                        current!.value.append(contentsOf: UnsafeBufferPointer(rebasing: buf[j..<contentEnd]))
                    }
                } else {
                    malformed += 1
                }
            } else if let colon = fieldColon(buf, i, contentEnd) {
                if let c = current { headers.fields.append(c) }
                var nameEnd = colon
                while nameEnd > i && (buf[nameEnd - 1] == 0x20 || buf[nameEnd - 1] == 0x09) { nameEnd -= 1 }
                let name = String(decoding: UnsafeBufferPointer(rebasing: buf[i..<nameEnd]), as: UTF8.self).lowercased()
                var v = colon + 1
                while v < contentEnd && (buf[v] == 0x20 || buf[v] == 0x09) { v += 1 }
                var vEnd = contentEnd
                while vEnd > v && (buf[vEnd - 1] == 0x20 || buf[vEnd - 1] == 0x09) { vEnd -= 1 }
                current = (name, Array(UnsafeBufferPointer(rebasing: buf[v..<vEnd])))
            } else {
                if headers.fields.isEmpty && current == nil && i == start {
                    // No header block at all: the whole thing is body.
                    return (headers, start, 1)
                }
                malformed += 1
            }
            i = next
        }
        if let c = current { headers.fields.append(c) }
        return (headers, end, malformed)
    }

    /// The colon ending a field name made of printable ASCII without spaces, or nil.
    private static func fieldColon(_ buf: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int? {
        var j = from
        while j < to {
            let c = buf[j]
            if c == 0x3A { return j > from ? j : nil }
            if c <= 0x20 || c >= 0x7F {
                // Allow `Name :` (obsolete syntax: WSP before the colon).
                if c == 0x20 || c == 0x09 {
                    var k = j
                    while k < to && (buf[k] == 0x20 || buf[k] == 0x09) { k += 1 }
                    return k < to && buf[k] == 0x3A && k > from ? k : nil
                }
                return nil
            }
            j += 1
        }
        return nil
    }
}
