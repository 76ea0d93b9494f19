import Foundation
import SwitchboardCore

/// Civil time of instants in one timezone (the business timezone), with the
/// UTC offset cached per quarter hour so millions of look-ups stay cheap.
/// Not thread-safe: one per report computation.
public final class LocalClock {
    /// The zone local days, hours and weekdays are read in.
    public let timeZone: TimeZone
    /// Used by one computation at a time (see above): no run-time exclusivity checks per access.
    @exclusivity(unchecked) private var cache: [Int: Int] = [:]
    private let converter: LocalTimeConverter

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        converter = LocalTimeConverter(timeZone: timeZone)
    }

    /// Seconds since 1970-01-01T00:00 local time.
    public func localSeconds(_ t: Date) -> Int {
        let s = Int(t.timeIntervalSince1970.rounded(.down))
        let key = s >= 0 ? s / 900 : (s - 899) / 900
        let offset: Int
        if let o = cache[key] {
            offset = o
        } else {
            offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(key * 900)))
            if cache.count > 200_000 { cache.removeAll(keepingCapacity: true) }
            cache[key] = offset
        }
        return s + offset
    }

    /// Local day number (days since 1970-01-01).
    public func day(_ t: Date) -> Int { Self.floorDiv(localSeconds(t), 86400) }

    /// Local hour of day 0…23.
    public func hour(_ t: Date) -> Int { (localSeconds(t) - day(t) * 86400) / 3600 }

    /// 1 = Monday … 7 = Sunday.
    public func weekday(_ t: Date) -> Int { BusinessCalendar.weekday(day(t)) }

    /// The instant of local midnight starting the given day.
    public func midnight(day: Int) -> Date {
        let c = Timestamp.civilFromDays(day)
        return converter.date(year: c.year, month: c.month, day: c.day, hour: 0, minute: 0, second: 0)
            ?? Date(timeIntervalSince1970: Double(day * 86400))
    }

    /// `2026-01-31` for a day number.
    public static func dayLabel(_ day: Int) -> String {
        let c = Timestamp.civilFromDays(day)
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }

    /// `2026-01` for a day number.
    public static func monthLabel(_ day: Int) -> String {
        let c = Timestamp.civilFromDays(day)
        return "\(pad(c.year, 4))-\(pad(c.month, 2))"
    }

    /// ISO 8601 week `2026-W05` of a day number (weeks start on Monday; week 1 holds the year's first Thursday).
    public static func weekLabel(_ day: Int) -> String {
        let thursday = day - (BusinessCalendar.weekday(day) - 1) + 3
        let year = Timestamp.civilFromDays(thursday).year
        let week = (thursday - Timestamp.daysFromCivil(year: year, month: 1, day: 1)) / 7 + 1
        return "\(pad(year, 4))-W\(pad(week, 2))"
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }

    static func pad(_ v: Int, _ n: Int) -> String {
        let s = String(v)
        return s.count >= n ? s : String(repeating: "0", count: n - s.count) + s
    }
}
