import Foundation
import SwitchboardCore

/// How a mapped CSV writes its times (`date_format`): `auto`, `iso8601`,
/// `rfc2822`, `epoch`, `epoch_ms`, or a pattern of `yyyy yy M MM d dd H HH h hh
/// m mm s ss SSS a` with any literal separators (`yyyy/M/d H:mm`).
struct DateFormat: Sendable {
    enum Token: Sendable, Equatable {
        case year4, year2, month, day, hour24, hour12, minute, second, millis, ampm
        case literal(UInt8)
    }
    enum Kind: Sendable { case auto, iso8601, rfc2822, epoch, epochMillis, pattern([Token]) }
    let kind: Kind

    init(_ text: String?) throws {
        switch text?.lowercased() {
        case nil, "auto": kind = .auto
        case "iso8601", "iso": kind = .iso8601
        case "rfc2822", "rfc822": kind = .rfc2822
        case "epoch", "unix": kind = .epoch
        case "epoch_ms", "unix_ms": kind = .epochMillis
        default: kind = .pattern(try Self.tokens(text!))
        }
    }

    static func tokens(_ pattern: String) throws -> [Token] {
        var out: [Token] = []
        let chars = Array(pattern.utf8)
        var i = 0
        while i < chars.count {
            var j = i
            while j < chars.count, chars[j] == chars[i] { j += 1 }
            let run = j - i
            switch (chars[i], run) {
            case (UInt8(ascii: "y"), 4): out.append(.year4)
            case (UInt8(ascii: "y"), 2): out.append(.year2)
            case (UInt8(ascii: "M"), 1...2): out.append(.month)
            case (UInt8(ascii: "d"), 1...2): out.append(.day)
            case (UInt8(ascii: "H"), 1...2): out.append(.hour24)
            case (UInt8(ascii: "h"), 1...2): out.append(.hour12)
            case (UInt8(ascii: "m"), 1...2): out.append(.minute)
            case (UInt8(ascii: "s"), 1...2): out.append(.second)
            case (UInt8(ascii: "S"), 1...3): out.append(.millis)
            case (UInt8(ascii: "a"), 1), (UInt8(ascii: "t"), 2): out.append(.ampm)
            case (let c, _) where !(c >= 65 && c <= 90) && !(c >= 97 && c <= 122):
                for _ in 0..<run { out.append(.literal(c)) }
            default:
                throw ConnectorError(.settings, "date_format '\(pattern)': unknown letters '\(String(decoding: chars[i..<j], as: UTF8.self))'; use yyyy, yy, M, d, H, h, m, s, SSS, a, or auto, iso8601, rfc2822, epoch, epoch_ms")
            }
            i = j
        }
        return out
    }

    /// Seconds since the epoch; times without an offset are read in the converter's zone.
    func parse(_ b: UnsafeBufferPointer<UInt8>, _ converter: LocalTimeConverter) -> Double? {
        let s = Self.trimmed(b)
        guard !s.isEmpty else { return nil }
        switch kind {
        case .epoch: return FieldParse.double(s)
        case .epochMillis: return FieldParse.double(s).map { $0 / 1000 }
        case .iso8601: return Timestamp.parseISO8601(bytes: s)?.timeIntervalSince1970 ?? FieldParse.localDateTime(s, converter)
        case .rfc2822: return Self.rfc2822(s)
        case .auto:
            return Timestamp.parseISO8601(bytes: s)?.timeIntervalSince1970 ?? FieldParse.localDateTime(s, converter)
                ?? Self.rfc2822(s)
        case .pattern(let tokens): return Self.pattern(tokens, s, converter)
        }
    }

    static func trimmed(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lo = 0, hi = b.count
        while lo < hi, b[lo] == 0x20 { lo += 1 }
        while hi > lo, b[hi - 1] == 0x20 { hi -= 1 }
        return UnsafeBufferPointer(rebasing: b[lo..<hi])
    }

    static func pattern(_ tokens: [Token], _ b: UnsafeBufferPointer<UInt8>, _ converter: LocalTimeConverter) -> Double? {
        var i = 0
        var y = 1970, mo = 1, d = 1, h = 0, mi = 0, s = 0, ms = 0
        var pm: Bool?
        func digits(max: Int) -> Int? {
            var v = 0, n = 0
            while i < b.count, n < max, b[i] >= 48, b[i] <= 57 { v = v * 10 + Int(b[i] - 48); i += 1; n += 1 }
            return n > 0 ? v : nil
        }
        for t in tokens {
            switch t {
            case .year4: guard let v = digits(max: 4) else { return nil }; y = v
            case .year2: guard let v = digits(max: 2) else { return nil }; y = 2000 + v
            case .month: guard let v = digits(max: 2) else { return nil }; mo = v
            case .day: guard let v = digits(max: 2) else { return nil }; d = v
            case .hour24, .hour12: guard let v = digits(max: 2) else { return nil }; h = v
            case .minute: guard let v = digits(max: 2) else { return nil }; mi = v
            case .second: guard let v = digits(max: 2) else { return nil }; s = v
            case .millis: guard let v = digits(max: 3) else { return nil }; ms = v
            case .ampm:
                guard i < b.count else { return nil }
                let c = b[i] | 0x20
                guard c == UInt8(ascii: "a") || c == UInt8(ascii: "p") else { return nil }
                pm = c == UInt8(ascii: "p")
                i += 1
                if i < b.count, b[i] | 0x20 == UInt8(ascii: "m") { i += 1 }
            case .literal(let c):
                guard i < b.count, b[i] == c else { return nil }
                i += 1
            }
        }
        guard i == b.count else { return nil }
        if let pm {
            guard (1...12).contains(h) else { return nil }
            h = h % 12 + (pm ? 12 : 0)
        }
        return converter.date(year: y, month: mo, day: d, hour: h, minute: mi, second: s, millisecond: ms)?.timeIntervalSince1970
    }

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// `Tue, 10 Aug 2010 08:02:17 +0000` (day name optional, `GMT`/`UT`/`Z` zones).
    static func rfc2822(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        var parts = String(decoding: b, as: UTF8.self).split(separator: " ").map(String.init)
        if let first = parts.first, first.hasSuffix(",") { parts.removeFirst() }
        guard parts.count >= 4, let day = Int(parts[0]),
              let month = months.firstIndex(of: String(parts[1].prefix(3)).lowercased()), let year = Int(parts[2])
        else { return nil }
        let hms = parts[3].split(separator: ":").compactMap { Int($0) }
        guard hms.count >= 2, hms.count <= 3,
              Timestamp.isValid(year: year, month: month + 1, day: day, hour: hms[0], minute: hms[1], second: hms.count == 3 ? hms[2] : 0)
        else { return nil }
        var offset = 0
        if parts.count >= 5 {
            let z = parts[4]
            if z.count == 5, let sign = z.first, sign == "+" || sign == "-", let v = Int(z.dropFirst()) {
                offset = (sign == "-" ? -1 : 1) * ((v / 100) * 3600 + (v % 100) * 60)
            } else if !["GMT", "UT", "UTC", "Z"].contains(z.uppercased()) {
                return nil
            }
        }
        let days = Timestamp.daysFromCivil(year: year, month: month + 1, day: day)
        return Double(days * 86400 + hms[0] * 3600 + hms[1] * 60 + (hms.count == 3 ? hms[2] : 0) - offset)
    }
}
