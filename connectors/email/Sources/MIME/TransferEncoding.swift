/// Content-Transfer-Encoding decoders working on bytes.
enum TransferEncoding {
    private static let base64Table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
        }
        t[Int(UInt8(ascii: "-"))] = 62   // URL-safe alphabet, seen in the wild
        t[Int(UInt8(ascii: "_"))] = 63
        return t
    }()

    /// Decodes base64, skipping line breaks and whitespace.
    /// - Parameter strict: when true, any other character outside the alphabet makes it fail (nil).
    static func base64<Bytes: Collection>(_ input: Bytes, strict: Bool) -> [UInt8]? where Bytes.Element == UInt8 {
        let r = base64Lenient(input)
        if strict && r.invalid > 0 { return nil }
        return r.bytes
    }

    /// Decodes base64 leniently: characters outside the alphabet are skipped and counted.
    static func base64Lenient<Bytes: Collection>(_ input: Bytes) -> (bytes: [UInt8], invalid: Int)
        where Bytes.Element == UInt8
    {
        var out = [UInt8]()
        out.reserveCapacity(input.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        var invalid = 0
        var ended = false
        base64Table.withUnsafeBufferPointer { table in
            for c in input {
                if c == 0x3D { ended = true; continue }                 // '=' padding
                if c == 0x0A || c == 0x0D || c == 0x20 || c == 0x09 { continue }
                let v = table[Int(c)]
                if v == 0xFF { invalid += 1; continue }
                if ended { invalid += 1; ended = false }               // data after padding
                acc = (acc << 6) | UInt32(v)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
                }
            }
        }
        return (out, invalid)
    }

    /// Decodes quoted-printable; `header: true` is RFC 2047's Q (`_` is a space).
    /// Malformed `=` sequences are kept as written.
    static func quotedPrintable<Bytes: Collection>(_ input: Bytes, header: Bool = false) -> [UInt8]
        where Bytes.Element == UInt8, Bytes.Index == Int
    {
        var out = [UInt8]()
        out.reserveCapacity(input.count)
        var i = input.startIndex
        let end = input.endIndex
        while i < end {
            let c = input[i]
            if c == 0x3D {
                // Soft line break: `=` then optional whitespace then (CR)LF.
                var j = i + 1
                while j < end && (input[j] == 0x20 || input[j] == 0x09) { j += 1 }
                if j < end && input[j] == 0x0D { j += 1 }
                if j < end && input[j] == 0x0A { i = j + 1; continue }
                if j == end && !header { i = j; continue }
                if i + 2 < end, let h = hex(input[i + 1]), let l = hex(input[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
                out.append(c)
                i += 1
            } else if header && c == 0x5F {
                out.append(0x20)
                i += 1
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }

    @inline(__always) static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
