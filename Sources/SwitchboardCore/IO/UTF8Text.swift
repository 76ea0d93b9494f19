/// Fast UTF-8 checks and decoding for byte-level parsers.
public enum UTF8Text {
    /// Whether the bytes are well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
    public static func isValid(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            let need: Int
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return false
            }
            guard i + need < n else { return false }
            let first = b[i + 1]
            guard first >= lo && first <= hi else { return false }
            for k in 2...max(2, need) where k <= need {
                guard b[i + k] & 0xC0 == 0x80 else { return false }
            }
            i += need + 1
        }
        return true
    }

    /// The bytes as a String when they are valid UTF-8, else nil.
    @inline(__always)
    public static func string(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        isValid(b) ? String(decoding: b, as: UTF8.self) : nil
    }

    /// The bytes as a String, invalid sequences replaced by U+FFFD (never fails).
    @inline(__always)
    public static func lenient(_ b: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: b, as: UTF8.self)
    }
}
