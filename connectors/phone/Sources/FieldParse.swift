import Foundation
import SwitchboardCore

/// Small parsers of field bytes shared by the phone connectors.
enum FieldParse {
    /// A non-negative or negative decimal integer, nil when the bytes are not one.
    static func int(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        var negative = false
        while i < b.count, b[i] == 0x20 { i += 1 }
        if i < b.count, b[i] == 0x2D || b[i] == 0x2B { negative = b[i] == 0x2D; i += 1 }
        guard i < b.count else { return nil }
        var v = 0
        var digits = 0
        while i < b.count, b[i] >= 48, b[i] <= 57 {
            v = v &* 10 &+ Int(b[i] - 48)
            digits += 1
            i += 1
            if digits > 18 { return nil }
        }
        // Accept a decimal fraction (`12.0`) by dropping it.
        if i < b.count, b[i] == 0x2E {
            i += 1
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
        }
        while i < b.count, b[i] == 0x20 { i += 1 }
        guard digits > 0, i == b.count else { return nil }
        return negative ? -v : v
    }

    /// A decimal number (`12`, `3.5`), nil when the bytes are not one.
    static func double(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        let s = String(decoding: b, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty, let v = Double(s), v.isFinite else { return nil }
        return v
    }

    /// `YYYY-MM-DD HH:MM:SS` (optionally `.ffffff`, or `T` for the space) as seconds
    /// since the epoch in the converter's zone; nil when malformed.
    static func localDateTime(_ b: UnsafeBufferPointer<UInt8>, _ converter: LocalTimeConverter) -> Double? {
        guard b.count >= 19 else { return nil }
        @inline(__always) func num(_ at: Int, _ len: Int) -> Int? {
            var v = 0
            for k in at..<(at + len) {
                let c = b[k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x20 || b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A,
              let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
              let s = num(17, 2) else { return nil }
        var millis = 0
        if b.count > 19 {
            guard b[19] == 0x2E, b.count > 20 else { return nil }
            var digits = 0
            for k in 20..<b.count {
                guard b[k] >= 48, b[k] <= 57 else { return nil }
                if digits < 3 { millis = millis * 10 + Int(b[k] - 48) }
                digits += 1
            }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        return converter.date(year: y, month: mo, day: d, hour: h, minute: mi, second: s, millisecond: millis)?
            .timeIntervalSince1970
    }
}
