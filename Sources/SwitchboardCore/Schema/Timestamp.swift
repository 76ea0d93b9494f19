import Foundation

/// Fast, allocation-free timestamp parsing and formatting on bytes.
public enum Timestamp {
    /// Days since 1970-01-01 of a proleptic Gregorian civil date.
    @inlinable
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// Whether the fields form a real calendar date and time of day.
    public static func isValid(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Bool {
        guard (1...12).contains(month), day >= 1, (0...23).contains(hour), (0...59).contains(minute),
              (0...60).contains(second) else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// Drops sub-millisecond precision (the schema stores milliseconds).
    public static func truncatedToMilliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    /// Milliseconds since the epoch.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// Parses ISO 8601 / RFC 3339 with a mandatory offset: `2026-01-02T03:04:05Z`,
    /// `…05.123+03:00`, `…05+0300`; a space may stand for `T`. Returns nil otherwise.
    public static func parseISO8601(_ string: String) -> Date? {
        var s = string
        return s.withUTF8 { parseISO8601(bytes: $0) }
    }

    /// Byte form of ``parseISO8601(_:)``.
    public static func parseISO8601(bytes b: UnsafeBufferPointer<UInt8>) -> Date? {
        var i = 0
        func num(_ count: Int) -> Int? {
            guard i + count <= b.count else { return nil }
            var v = 0
            for k in 0..<count {
                let c = b[i + k]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += count
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = num(4), expect(0x2D), let month = num(2), expect(0x2D), let day = num(2) else { return nil }
        guard i < b.count, b[i] == 0x54 || b[i] == 0x74 || b[i] == 0x20 else { return nil }
        i += 1
        guard let hour = num(2), expect(0x3A), let minute = num(2), expect(0x3A), let second = num(2) else { return nil }
        var millis = 0
        if i < b.count, b[i] == 0x2E || b[i] == 0x2C {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 3 { millis = millis * 10 + Int(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        guard i < b.count else { return nil }
        var offset = 0
        switch b[i] {
        case 0x5A, 0x7A: i += 1
        case 0x2B, 0x2D:
            let sign = b[i] == 0x2D ? -1 : 1
            i += 1
            guard let oh = num(2) else { return nil }
            _ = expect(0x3A)
            let om = num(2) ?? 0
            offset = sign * (oh * 3600 + om * 60)
        default: return nil
        }
        guard i == b.count, isValid(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let secs = days * 86400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(secs) + Double(millis) / 1000)
    }

    /// `2026-01-02T03:04:05.123Z`.
    public static func formatISO8601(_ date: Date) -> String {
        let ms = milliseconds(date)
        var secs = ms / 1000
        var frac = ms % 1000
        if frac < 0 { frac += 1000; secs -= 1 }
        var days = Int(secs / 86400)
        var rem = Int(secs % 86400)
        if rem < 0 { rem += 86400; days -= 1 }
        let (y, m, d) = civilFromDays(days)
        if (0...9999).contains(y) {
            // Every webhook delivery and imported record formats one or two of these: bytes, not interpolation.
            return String(unsafeUninitializedCapacity: 24) { out in
                var i = 0
                func put(_ v: Int, _ width: Int, then separator: UInt8) {
                    var v = v, k = width
                    while k > 0 { k -= 1; out[i + k] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10 }
                    i += width
                    out[i] = separator
                    i += 1
                }
                put(y, 4, then: UInt8(ascii: "-"))
                put(m, 2, then: UInt8(ascii: "-"))
                put(d, 2, then: UInt8(ascii: "T"))
                put(rem / 3600, 2, then: UInt8(ascii: ":"))
                put(rem / 60 % 60, 2, then: UInt8(ascii: ":"))
                put(rem % 60, 2, then: UInt8(ascii: "."))
                put(Int(frac), 3, then: UInt8(ascii: "Z"))
                return i
            }
        }
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rem / 3600, 2)):\(pad(rem / 60 % 60, 2)):\(pad(rem % 60, 2)).\(pad(Int(frac), 3))Z"
    }
}

/// Converts wall-clock times of one time zone to instants, fast: offsets are
/// cached per local hour, so a million CSV rows do not each ask the time-zone database.
/// Not thread-safe; make one per import.
public final class LocalTimeConverter {
    public let timeZone: TimeZone
    private var cache: [Int: Int] = [:]   // local epoch-hour → offset seconds

    public init(timeZone: TimeZone) { self.timeZone = timeZone }

    /// The instant of a local wall-clock time; nil when the fields are not a valid time.
    /// In a DST overlap the earlier instant is chosen; a time inside a DST gap is read with the offset before the change.
    public func date(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int = 0) -> Date? {
        guard Timestamp.isValid(year: year, month: month, day: day, hour: hour, minute: minute, second: second) else {
            return nil
        }
        let local = Timestamp.daysFromCivil(year: year, month: month, day: day) * 86400 + hour * 3600 + minute * 60 + second
        let key = local / 3600
        let offset: Int
        if let cached = cache[key] {
            offset = cached
        } else {
            // Candidate offsets: at the local time read as UTC, and at the instant that gives.
            // A candidate is consistent when the zone has that offset at local − offset.
            let a = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local)))
            let b = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local - a)))
            let consistent = Set([a, b]).filter {
                timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local - $0))) == $0
            }
            // Overlap (two consistent): the earlier instant. Gap (none): the offset before the change.
            offset = consistent.max() ?? min(a, b)
            if cache.count > 100_000 { cache.removeAll(keepingCapacity: true) }
            cache[key] = offset
        }
        return Date(timeIntervalSince1970: Double(local - offset) + Double(millisecond) / 1000)
    }
}
