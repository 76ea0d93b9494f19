import Foundation

/// Splits one CSV line (RFC 4180 quoting, `""` for a quote inside a quoted field) on bytes.
enum CSVRow {
    enum Problem: Error, CustomStringConvertible {
        case unterminatedQuote
        var description: String { "a quoted field is not closed on this line (fields cannot span lines)" }
    }

    static func split(_ b: UnsafeBufferPointer<UInt8>, delimiter: UInt8) throws -> [String] {
        var fields: [String] = []
        var i = 0
        let n = b.count
        var end = n
        if end > 0 && b[end - 1] == 0x0D { end -= 1 }
        while true {
            if i < end && b[i] == 0x22 {
                var bytes: [UInt8] = []
                i += 1
                var closed = false
                while i < end {
                    if b[i] == 0x22 {
                        if i + 1 < end && b[i + 1] == 0x22 {
                            bytes.append(0x22)
                            i += 2
                            continue
                        }
                        closed = true
                        i += 1
                        break
                    }
                    bytes.append(b[i])
                    i += 1
                }
                guard closed else { throw Problem.unterminatedQuote }
                while i < end && b[i] != delimiter { i += 1 }
                fields.append(String(decoding: bytes, as: UTF8.self))
            } else {
                let start = i
                while i < end && b[i] != delimiter { i += 1 }
                fields.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
                    .trimmingCharacters(in: .whitespaces))
            }
            if i >= end { break }
            i += 1
        }
        return fields
    }
}
