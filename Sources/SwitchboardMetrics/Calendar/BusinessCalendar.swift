import Foundation
import SwitchboardCore

/// Measures business time: the overlap of an interval with the open hours of
/// `business_hours` (weekly intervals in the business timezone, holidays as
/// whole local days closed). Without business hours every second is open.
///
/// Open intervals are laid out as instants once per range of days (DST handled
/// by converting each local open/close time on its own day) with prefix sums,
/// so ``seconds(from:to:)`` is two binary searches whatever the span.
/// Not thread-safe: one calendar per report computation.
public final class BusinessCalendar {
    /// The calendar's settings; nil means open around the clock.
    public let hours: BusinessHoursSettings?
    private let converter: LocalTimeConverter
    private let holidayDays: Set<Int>
    // Used by one computation at a time (one per part of the walk): no run-time exclusivity checks per access.
    @exclusivity(unchecked) private var firstDay = 0
    @exclusivity(unchecked) private var lastDay = -1
    @exclusivity(unchecked) private var starts: [Double] = []
    @exclusivity(unchecked) private var ends: [Double] = []
    @exclusivity(unchecked) private var prefix: [Double] = [0]

    /// - Parameter hours: the config's `business_hours`, or nil for 24/7.
    public init(hours: BusinessHoursSettings?) {
        self.hours = hours
        converter = LocalTimeConverter(timeZone: hours?.timeZone ?? TimeZone(identifier: "UTC")!)
        var days = Set<Int>()
        for h in hours?.holidays ?? [] {
            if let d = ConfigValues.date(h) { days.insert(Timestamp.daysFromCivil(year: d.year, month: d.month, day: d.day)) }
        }
        holidayDays = days
    }

    /// Business seconds in [a, b); 0 when b ≤ a.
    public func seconds(from a: Date, to b: Date) -> Double {
        let x = a.timeIntervalSince1970, y = b.timeIntervalSince1970
        guard y > x else { return 0 }
        guard hours != nil else { return y - x }
        cover(x)
        cover(y)
        return cumulative(y) - cumulative(x)
    }

    /// Whether the instant falls inside open hours.
    public func isOpen(_ t: Date) -> Bool {
        guard hours != nil else { return true }
        let x = t.timeIntervalSince1970
        cover(x)
        let i = firstEnding(after: x)
        return i < starts.count && starts[i] <= x
    }

    /// Open seconds from the start of the covered range up to t.
    private func cumulative(_ t: Double) -> Double {
        let i = firstEnding(after: t)
        var total = prefix[i]
        if i < starts.count && starts[i] < t { total += t - starts[i] }
        return total
    }

    /// Index of the first interval whose end is after t.
    private func firstEnding(after t: Double) -> Int {
        var lo = 0, hi = ends.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ends[mid] <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Makes sure the laid-out days cover t with two days of margin (overnight intervals, offsets).
    private func cover(_ t: Double) {
        let day = Int((t / 86400).rounded(.down))
        guard day - 2 < firstDay || day + 2 > lastDay else { return }
        let lo = lastDay < firstDay ? day - 400 : min(firstDay, day - 400)
        let hi = lastDay < firstDay ? day + 400 : max(lastDay, day + 400)
        layOut(days: lo...hi)
    }

    private func layOut(days: ClosedRange<Int>) {
        firstDay = days.lowerBound
        lastDay = days.upperBound
        var pairs: [(Double, Double)] = []
        let weekly = hours?.weekly ?? [:]
        for day in days where !holidayDays.contains(day) {
            guard let intervals = weekly[Self.weekday(day)], !intervals.isEmpty else { continue }
            for iv in intervals where iv.end > iv.start {
                guard let s = instant(day: day, minute: iv.start), let e = instant(day: day, minute: iv.end), e > s else { continue }
                pairs.append((s, e))
            }
        }
        pairs.sort { $0.0 < $1.0 }
        starts = []
        ends = []
        prefix = [0]
        for (s, e) in pairs {
            if let last = ends.last, s <= last {
                if e > last {
                    prefix[prefix.count - 1] += e - last
                    ends[ends.count - 1] = e
                }
                continue
            }
            starts.append(s)
            ends.append(e)
            prefix.append(prefix.last! + (e - s))
        }
    }

    /// The instant of a local day plus minutes (minutes may pass 1440: the next day).
    private func instant(day: Int, minute: Int) -> Double? {
        let d = Timestamp.civilFromDays(day + minute / 1440)
        let m = minute % 1440
        return converter.date(year: d.year, month: d.month, day: d.day, hour: m / 60, minute: m % 60, second: 0)?
            .timeIntervalSince1970
    }

    /// 1 = Monday … 7 = Sunday for days since 1970-01-01 (a Thursday).
    public static func weekday(_ day: Int) -> Int {
        ((day % 7 + 7 + 3) % 7) + 1
    }
}
