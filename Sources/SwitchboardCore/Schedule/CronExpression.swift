import Foundation

/// A 5-field cron expression (`minute hour day-of-month month day-of-week`) with
/// lists (`1,15`), ranges (`8-20`), steps (`*/10`, `8-20/2`, `5/15`), `*`, and names for
/// months (`jan`…`dec`) and weekdays (`sun`…`sat`; 0 and 7 are both Sunday).
///
/// Day rule as in cron: when both day-of-month and day-of-week are restricted (neither
/// starts with `*`), a day matches when **either** matches; otherwise both must.
///
/// ```swift
/// let cron = try CronExpression("*/10 8-20 * * mon-fri")
/// let next = cron.next(after: Date(), in: TimeZone(identifier: "Europe/Berlin")!)
/// ```
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written (trimmed).
    public let text: String
    let minutes: [Int]          // sorted
    let hours: [Int]            // sorted
    let days: Set<Int>          // 1…31
    let months: Set<Int>        // 1…12
    let weekdays: Set<Int>      // 0…6, 0 = Sunday
    let dayRestricted: Bool
    let weekdayRestricted: Bool
    /// The hour field is `*`: such a job runs in both passes of a repeated (fall-back) hour.
    let everyHour: Bool

    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
    static let fieldNames = ["minute", "hour", "day-of-month", "month", "day-of-week"]

    /// Parses an expression.
    /// - Throws: ``ScheduleError`` naming the field and what was expected.
    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ScheduleError("expected 5 cron fields (minute hour day-of-month month day-of-week), e.g. \"*/10 8-20 * * mon-fri\", or \"every 5m\"; got \(fields.count) field\(fields.count == 1 ? "" : "s") in '\(trimmed)'")
        }
        self.text = fields.joined(separator: " ")
        minutes = try Self.field(fields[0], index: 0, range: 0...59, names: []).sorted()
        hours = try Self.field(fields[1], index: 1, range: 0...23, names: []).sorted()
        days = try Self.field(fields[2], index: 2, range: 1...31, names: [])
        months = try Self.field(fields[3], index: 3, range: 1...12, names: Self.monthNames, nameBase: 1)
        weekdays = Set(try Self.field(fields[4], index: 4, range: 0...7, names: Self.dayNames).map { $0 % 7 })
        dayRestricted = !fields[2].hasPrefix("*")
        weekdayRestricted = !fields[4].hasPrefix("*")
        everyHour = fields[1] == "*"
        if dayRestricted && !weekdayRestricted {
            let longest = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            guard months.contains(where: { m in days.contains(where: { $0 <= longest[m] }) }) else {
                throw ScheduleError("day-of-month \(fields[2]) never occurs in month \(fields[3]): the schedule would never fire")
            }
        }
    }

    public var description: String { text }

    /// Values of one field; names (`mon`, `jan`) are accepted where the field has them.
    static func field(_ text: String, index: Int, range: ClosedRange<Int>, names: [String], nameBase: Int = 0) throws -> Set<Int> {
        let name = fieldNames[index]
        let expected = "\(range.lowerBound)-\(range.upperBound)" + (names.isEmpty ? "" : " or \(names.first!)…\(names.last!)")
        func value(_ token: Substring) throws -> Int {
            if let v = Int(token) {
                guard range.contains(v) else {
                    throw ScheduleError("\(name): \(v) is out of range (expected \(expected))")
                }
                return v
            }
            if let i = names.firstIndex(of: token.lowercased()) { return i + nameBase }
            throw ScheduleError("\(name): '\(token)' is not a number\(names.isEmpty ? "" : " or a name") (expected \(expected))")
        }
        var out = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw ScheduleError("\(name): empty list item in '\(text)'") }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw ScheduleError("\(name): '\(item)' has more than one '/'") }
            var step = 1
            if parts.count == 2 {
                guard let s = Int(parts[1]), s >= 1 else {
                    throw ScheduleError("\(name): step '\(parts[1])' must be a whole number of 1 or more")
                }
                step = s
            }
            let base = parts[0]
            let lo: Int, hi: Int
            if base == "*" {
                (lo, hi) = (range.lowerBound, range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                lo = try value(base[..<dash])
                hi = try value(base[base.index(after: dash)...])
                guard lo <= hi else {
                    throw ScheduleError("\(name): range '\(base)' runs backwards (write the smaller value first, or a list)")
                }
            } else {
                lo = try value(base)
                // `5/15` means from 5 to the end of the range by 15.
                hi = parts.count == 2 ? range.upperBound : lo
            }
            out.formUnion(stride(from: lo, through: hi, by: step))
        }
        return out
    }

    // MARK: next fire time

    /// Whether the civil day (days since 1970-01-01) matches the day, month and weekday fields.
    func dayMatches(_ day: Int) -> Bool {
        let civil = Timestamp.civilFromDays(day)
        guard months.contains(civil.month) else { return false }
        let weekday = ((day + 4) % 7 + 7) % 7   // 1970-01-01 was a Thursday
        let byDay = days.contains(civil.day), byWeekday = weekdays.contains(weekday)
        if dayRestricted && weekdayRestricted { return byDay || byWeekday }
        return byDay && byWeekday
    }

    /// The first matching wall-clock minute (minutes since 1970-01-01 00:00 local) at or after `start`.
    func nextWallMinute(from start: Int) -> Int? {
        var day = Int((Double(start) / 1440).rounded(.down))
        var minuteOfDay = start - day * 1440
        for _ in 0..<(366 * 9) {
            if dayMatches(day) {
                for h in hours where h >= minuteOfDay / 60 {
                    let from = h == minuteOfDay / 60 ? minuteOfDay % 60 : 0
                    if let m = minutes.first(where: { $0 >= from }) { return day * 1440 + h * 60 + m }
                }
            }
            day += 1
            minuteOfDay = 0
        }
        return nil
    }

    /// The next fire time strictly after `date`, evaluated on wall-clock fields in `timeZone`.
    ///
    /// DST rule: a wall time skipped by a spring-forward change fires once, at the instant of
    /// the change (all skipped times of that gap fire together, once). A wall time repeated by a
    /// fall-back change fires at its first occurrence only, unless the hour field is `*` (then
    /// the repeated hour runs again, like any other hour).
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        let t = Int((date.timeIntervalSince1970).rounded(.down))
        let wall = t + timeZone.secondsFromGMT(for: date)
        // Start three hours of wall time back: the second pass of a repeated hour maps earlier wall times after `t`.
        var cursor = Int((Double(wall - 3 * 3600) / 60).rounded(.down))
        var best: (instant: Int, wall: Int)?
        for _ in 0..<10_000 {
            guard let m = nextWallMinute(from: cursor) else { break }
            if let b = best, m * 60 > b.wall + 3 * 3600 { break }
            for instant in LocalWallTime.instants(wall: m * 60, in: timeZone, repeated: everyHour) where instant > t {
                if best == nil || instant < best!.instant { best = (instant, m * 60) }
            }
            cursor = m + 1
        }
        return best.map { Date(timeIntervalSince1970: Double($0.instant)) }
    }
}

/// Wall-clock seconds (local time read as if UTC) → the instants they denote in a zone.
enum LocalWallTime {
    /// Instants of a wall time: one normally; in a fall-back overlap the earlier one (both when
    /// `repeated`); in a spring-forward gap the instant the clocks jump.
    static func instants(wall: Int, in zone: TimeZone, repeated: Bool) -> [Int] {
        func offset(_ instant: Int) -> Int { zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))) }
        let candidates = Set([offset(wall - 86400), offset(wall), offset(wall + 86400)])
        let valid = candidates.map { wall - $0 }.filter { offset($0) == wall - $0 }.sorted()
        if valid.isEmpty {
            // Gap: find the change between the two candidate instants (offset differs at the ends).
            var lo = wall - candidates.max()!, hi = wall - candidates.min()!
            let before = offset(lo)
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2
                if offset(mid) == before { lo = mid } else { hi = mid }
            }
            return [hi]
        }
        return repeated ? Array(Set(valid)).sorted() : [valid[0]]
    }
}
