/// IMAP mailbox-name encoding (RFC 3501 §5.1.3, "modified UTF-7"): printable ASCII stands for
/// itself except `&`, written `&-`; anything else is UTF-16BE in base64 (with `,` for `/`, no
/// padding) between `&` and `-`. Gmail sends non-ASCII labels this way; Dovecot names Maildir++
/// folders this way (`.&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-` is `Отправленные`).
enum ModifiedUTF7 {
    /// The name `text` stands for; nil when a shift sequence is malformed (no closing `-`, a
    /// character outside the alphabet, a length that is no whole UTF-16 unit, a broken surrogate pair).
    /// Bytes outside ASCII pass through as UTF-8 (servers with `UTF8=ACCEPT` send names that way).
    static func decode(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.contains(0x26) else { return text }   // no `&`: nothing to decode
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            guard c == 0x26 else { out.append(c); i += 1; continue }
            i += 1
            if i < bytes.count && bytes[i] == 0x2D { out.append(0x26); i += 1; continue }   // `&-`
            var bits: UInt32 = 0, nbits = 0
            var units: [UInt16] = []
            var pending: UInt8? = nil   // high byte of a unit
            var closed = false
            while i < bytes.count {
                let d = bytes[i]
                i += 1
                if d == 0x2D { closed = true; break }
                guard let v = sextet(d) else { return nil }
                bits = (bits << 6) | UInt32(v)
                nbits += 6
                if nbits >= 8 {
                    nbits -= 8
                    let byte = UInt8((bits >> UInt32(nbits)) & 0xFF)
                    if let hi = pending { units.append(UInt16(hi) << 8 | UInt16(byte)); pending = nil }
                    else { pending = byte }
                }
            }
            // Closed, at least one unit, no half unit, and only zero padding bits left over.
            guard closed, !units.isEmpty, pending == nil, nbits < 6, bits & ((1 << UInt32(nbits)) - 1) == 0 else { return nil }
            var iterator = units.makeIterator()
            var utf16 = UTF16()
            loop: while true {
                switch utf16.decode(&iterator) {
                case .scalarValue(let s): out.append(contentsOf: Array(String(Character(s)).utf8))
                case .emptyInput: break loop
                case .error: return nil
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `name` as an IMAP mailbox name on the wire.
    static func encode(_ name: String) -> String {
        var out = ""
        var run: [UInt16] = []
        func flush() {
            guard !run.isEmpty else { return }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(run.count * 2)
            for u in run { bytes.append(UInt8(u >> 8)); bytes.append(UInt8(u & 0xFF)) }
            out.append("&")
            var k = 0
            while k < bytes.count {
                let b0 = UInt32(bytes[k]), b1 = k + 1 < bytes.count ? UInt32(bytes[k + 1]) : 0
                let b2 = k + 2 < bytes.count ? UInt32(bytes[k + 2]) : 0
                let n = b0 << 16 | b1 << 8 | b2
                let chars = min(4, (bytes.count - k) * 8 / 6 + ((bytes.count - k) * 8 % 6 == 0 ? 0 : 1))
                for j in 0..<chars { out.unicodeScalars.append(alphabet[Int((n >> UInt32(18 - 6 * j)) & 0x3F)]) }
                k += 3
            }
            out.append("-")
            run.removeAll()
        }
        for s in name.unicodeScalars {
            if s.value >= 0x20 && s.value <= 0x7E {
                flush()
                out.append(s.value == 0x26 ? "&-" : String(s))
            } else {
                run.append(contentsOf: String(s).utf16)
            }
        }
        flush()
        return out
    }

    private static let alphabet: [Unicode.Scalar] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".unicodeScalars)

    @inline(__always) private static func sextet(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x41...0x5A: return c - 0x41
        case 0x61...0x7A: return c - 0x61 + 26
        case 0x30...0x39: return c - 0x30 + 52
        case 0x2B: return 62
        case 0x2C: return 63
        default: return nil
        }
    }
}
