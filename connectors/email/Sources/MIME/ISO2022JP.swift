/// ISO-2022-JP as Japanese mail is written in practice (Windows code pages 50220/50221, what the WHATWG
/// decoder reads): JIS X 0208 including the NEC special row (①, ㈱, ㍻) and the NEC-selected IBM rows,
/// half-width katakana after `ESC ( I`. The text is rewritten as Shift_JIS (code page 932 holds every
/// one of those characters) and decoded by iconv; a byte or pair that is invalid where it stands
/// becomes a byte code page 932 rejects, so it ends up as one U+FFFD.
enum ISO2022JP {
    private enum Mode { case ascii, katakana, jis0208, unsupported }

    /// Code page 932 rejects 0x80: the stand-in for an invalid sequence.
    private static let invalid: UInt8 = 0x80

    static func shiftJIS(_ buf: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(buf.count)
        var mode = Mode.ascii
        var beforeShiftOut = Mode.ascii
        var i = 0
        let n = buf.count
        while i < n {
            let b = buf[i]
            if b == 0x1B {
                // ESC ( B | ( J → ASCII (JIS-Roman read as ASCII); ESC ( I → katakana; ESC $ @ | $ B → JIS X 0208.
                let (next, length) = escape(buf, i)
                if let next { mode = next } else { out.append(invalid) }
                i += length
                continue
            }
            if b == 0x0A || b == 0x0D { out.append(b); i += 1; continue }   // line ends pass in every mode
            if b == 0x0E { beforeShiftOut = mode; mode = .katakana; i += 1; continue }   // SO (code page 50222)
            if b == 0x0F { mode = beforeShiftOut; i += 1; continue }                     // SI
            switch mode {
            case .ascii:
                out.append(b < 0x80 ? b : invalid)
                i += 1
            case .katakana:
                out.append(b >= 0x21 && b <= 0x5F ? b + 0x80 : invalid)
                i += 1
            case .jis0208, .unsupported:
                guard i + 1 < n, isJIS(b), isJIS(buf[i + 1]), mode == .jis0208 else {
                    out.append(invalid)
                    i += isJIS(b) && i + 1 < n && isJIS(buf[i + 1]) ? 2 : 1
                    continue
                }
                let (s1, s2) = toShiftJIS(b, buf[i + 1])
                out.append(s1)
                out.append(s2)
                i += 2
            }
        }
        return out
    }

    /// The mode an escape sequence at `i` selects (nil: not one of ISO-2022-JP's) and its length.
    private static func escape(_ buf: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Mode?, Int) {
        guard i + 2 < buf.count else { return (nil, buf.count - i) }
        switch (buf[i + 1], buf[i + 2]) {
        case (0x28, 0x42), (0x28, 0x4A): return (.ascii, 3)
        case (0x28, 0x49): return (.katakana, 3)
        case (0x24, 0x40), (0x24, 0x42): return (.jis0208, 3)
        case (0x24, 0x28) where i + 3 < buf.count: return (.unsupported, 4)   // ESC $ ( D: JIS X 0212
        default: return (nil, 1)
        }
    }

    @inline(__always) private static func isJIS(_ b: UInt8) -> Bool { b >= 0x21 && b <= 0x7E }

    /// A JIS X 0208 row/cell pair as Shift_JIS bytes.
    @inline(__always) private static func toShiftJIS(_ j1: UInt8, _ j2: UInt8) -> (UInt8, UInt8) {
        let s1 = (j1 + 1) / 2 + (j1 < 0x5F ? 0x70 : 0xB0)
        var s2: UInt8
        if j1 & 1 == 1 {
            s2 = j2 + 0x1F
            if s2 >= 0x7F { s2 += 1 }
        } else {
            s2 = j2 + 0x7E
        }
        return (s1, s2)
    }
}
