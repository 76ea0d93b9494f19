/// RFC 2047 encoded words (`=?charset?B|Q?text?=`) in header values.
///
/// Whitespace between adjacent encoded words is dropped; adjacent words in the
/// same charset are joined as bytes before decoding (a multi-byte character
/// may be split across words). A malformed word is kept as written.
enum EncodedWords {
    static func decode(_ value: [UInt8], fallbackCharset: String? = nil) -> String {
        var out = ""
        var plain: [UInt8] = []          // undecoded text waiting to be flushed
        var pendingSpace: [UInt8] = []   // whitespace after an encoded word
        var word: (charset: String, bytes: [UInt8])? = nil
        func flushWord() {
            if let w = word { out += Charset.decode(w.bytes, charset: w.charset) }
            word = nil
        }
        func flushPlain() {
            if !plain.isEmpty { out += rawText(plain, fallbackCharset: fallbackCharset) }
            plain.removeAll(keepingCapacity: true)
        }
        var i = 0
        let n = value.count
        while i < n {
            if value[i] == 0x3D, i + 1 < n, value[i + 1] == 0x3F, let parsed = parseWord(value, at: i) {
                flushPlain()
                // Whitespace between two encoded words disappears.
                if word == nil || Charset.normalise(word!.charset) != Charset.normalise(parsed.charset) {
                    flushWord()
                    word = (parsed.charset, parsed.bytes)
                } else {
                    word!.bytes += parsed.bytes
                }
                pendingSpace.removeAll()
                i = parsed.end
                continue
            }
            let c = value[i]
            if word != nil && (c == 0x20 || c == 0x09) {
                pendingSpace.append(c)
            } else {
                if word != nil {
                    flushWord()
                    plain += pendingSpace
                    pendingSpace.removeAll()
                }
                plain.append(c)
            }
            i += 1
        }
        flushWord()
        plain += pendingSpace
        flushPlain()
        return out
    }

    /// Header text that was not encoded: UTF-8 when valid (RFC 6532), else the fallback charset (the
    /// body's), else as undeclared bytes (mostly-UTF-8 with U+FFFD for the bad sequences, or windows-1252).
    static func rawText(_ bytes: [UInt8], fallbackCharset: String?) -> String {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        return Charset.decode(bytes, charset: fallbackCharset)
    }

    /// One `=?charset?X?text?=` at `start`, or nil when it is not a well-formed word.
    static func parseWord(_ v: [UInt8], at start: Int) -> (charset: String, bytes: [UInt8], end: Int)? {
        var i = start + 2
        let n = v.count
        let csStart = i
        while i < n && v[i] != 0x3F && v[i] > 0x20 { i += 1 }
        guard i < n, v[i] == 0x3F, i > csStart else { return nil }
        let charset = String(decoding: v[csStart..<i], as: UTF8.self)
        i += 1
        guard i + 1 < n, v[i + 1] == 0x3F else { return nil }
        let encoding = v[i] | 0x20
        guard encoding == 0x62 || encoding == 0x71 else { return nil }   // b, q
        i += 2
        let textStart = i
        while i + 1 < n && !(v[i] == 0x3F && v[i + 1] == 0x3D) {
            if v[i] == 0x20 || v[i] == 0x09 { return nil }   // encoded words contain no spaces
            i += 1
        }
        guard i + 1 < n else { return nil }
        let text = v[textStart..<i]
        let bytes: [UInt8]
        if encoding == 0x62 {
            guard let decoded = TransferEncoding.base64(text, strict: false) else { return nil }
            bytes = decoded
        } else {
            bytes = TransferEncoding.quotedPrintable(text, header: true)
        }
        return (charset, bytes, i + 2)
    }
}
