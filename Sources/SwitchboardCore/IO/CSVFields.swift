import Foundation


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
        if kinds[i] != 2 { return UTF8Text.string(b) }
        return Self.unescaped(b).withUnsafeBufferPointer { UTF8Text.string($0) }
    }

    /// Every field as text, unquoted fields trimmed of surrounding spaces.
    public func strings(in line: UnsafeBufferPointer<UInt8>) -> [String] {
        (0..<count).map { i in
            let s = string(i, in: line)
            return kinds[i] == 0 ? s.trimmingCharacters(in: .whitespaces) : s
        }
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
