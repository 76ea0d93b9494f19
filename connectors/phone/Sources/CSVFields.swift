import Foundation
import SwitchboardCore

/// Splits one CSV line into fields on its bytes, without building Strings.
///
/// Quoted fields use `""` for a quote inside; an unquoted field is taken as it
/// is. Reuse one value for every line of a file: its arrays keep their storage.
/// Lines come from ``LineReader``, so a field cannot hold a line break.
public struct CSVFields {
    /// Field ranges in the line: content start and end (inside the quotes).
    private var starts: [Int] = []
    private var ends: [Int] = []
    /// 0 unquoted, 1 quoted, 2 quoted with `""` escapes inside.
    private var kinds: [UInt8] = []
    public private(set) var count = 0
    public let delimiter: UInt8

    public init(delimiter: UInt8 = UInt8(ascii: ",")) {
        self.delimiter = delimiter
        starts.reserveCapacity(32)
        ends.reserveCapacity(32)
        kinds.reserveCapacity(32)
    }

    /// Why a line could not be split.
    public enum SplitError: Error, CustomStringConvertible {
        case unterminatedQuote(field: Int)
        case textAfterQuote(field: Int)
        public var description: String {
            switch self {
            case .unterminatedQuote(let f): "field \(f) opens a quote that is never closed (half-written line?)"
            case .textAfterQuote(let f): "field \(f) has text after its closing quote"
            }
        }
    }

    /// Splits `line`; the ranges stay valid for as long as the caller keeps the bytes.
    public mutating func split(_ line: UnsafeBufferPointer<UInt8>) throws(SplitError) {
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        kinds.removeAll(keepingCapacity: true)
        let n = line.count
        var i = 0
        let d = delimiter
        while true {
            if i < n, line[i] == 0x22 {
                var j = i + 1
                var escaped = false
                while true {
                    guard j < n else { throw .unterminatedQuote(field: starts.count + 1) }
                    if line[j] == 0x22 {
                        if j + 1 < n, line[j + 1] == 0x22 { escaped = true; j += 2; continue }
                        break
                    }
                    j += 1
                }
                starts.append(i + 1)
                ends.append(j)
                kinds.append(escaped ? 2 : 1)
                i = j + 1
                if i < n, line[i] != d { throw .textAfterQuote(field: starts.count) }
            } else {
                var j = i
                while j < n, line[j] != d { j += 1 }
                starts.append(i)
                ends.append(j)
                kinds.append(0)
                i = j
            }
            if i >= n { break }
            i += 1   // past the delimiter
            if i == n {   // a trailing delimiter: one more empty field
                starts.append(n)
                ends.append(n)
                kinds.append(0)
                break
            }
        }
        count = starts.count
    }

    /// Whether field `i` is empty (quoted or not).
    @inline(__always)
    public func isEmpty(_ i: Int) -> Bool { starts[i] == ends[i] }

    /// Whether field `i` was written in quotes.
    @inline(__always)
    public func isQuoted(_ i: Int) -> Bool { kinds[i] != 0 }

    /// The raw bytes of field `i` (escaped quotes still doubled).
    @inline(__always)
    public func bytes(_ i: Int, in line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: line[starts[i]..<ends[i]])
    }

    /// Field `i` as text; invalid UTF-8 becomes U+FFFD (lenient, never fails).
    public func string(_ i: Int, in line: UnsafeBufferPointer<UInt8>) -> String {
        let b = bytes(i, in: line)
        if kinds[i] != 2 { return String(decoding: b, as: UTF8.self) }
        return String(decoding: Self.unescaped(b), as: UTF8.self)
    }

    /// Field `i` as text, or nil when it is not valid UTF-8 (for identifying fields).
    public func strictString(_ i: Int, in line: UnsafeBufferPointer<UInt8>) -> String? {
        let b = bytes(i, in: line)
        if kinds[i] != 2 { return String(validating: b, as: UTF8.self) }
        return String(validating: Self.unescaped(b), as: UTF8.self)
    }

    static func unescaped(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(b.count)
        var k = 0
        while k < b.count {
            out.append(b[k])
            k += b[k] == 0x22 && k + 1 < b.count && b[k + 1] == 0x22 ? 2 : 1
        }
        return out
    }
}

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
