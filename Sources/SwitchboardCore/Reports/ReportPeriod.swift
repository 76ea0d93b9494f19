import Foundation

/// A period named relative to "now" (`period:` of a scheduled report, `switchboard report --period`,
/// `GET /report?period=`), in the business timezone. Weeks start on Monday.
///
/// - `yesterday`, `previous-week`, `previous-month`: the whole calendar day, week or month before the one
///   holding now.
/// - `today`, `this-week`, `this-month`: from the start of the day, week or month holding now, up to now.
///
/// ```swift
/// let (from, to) = ReportPeriod.previousWeek.range(at: now, timeZone: berlin)   // Monday 00:00 … Monday 00:00
/// ```
public enum ReportPeriod: String, Sendable, Hashable, CaseIterable {
    case today
    case yesterday
    case thisWeek = "this-week"
    case previousWeek = "previous-week"
    case thisMonth = "this-month"
    case previousMonth = "previous-month"

    /// The names, for messages (`today, yesterday, …`).
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// `[from, to)` of the period at `now`, read in `timeZone`; `to` is `now` for the current periods.
    public func range(at now: Date, timeZone: TimeZone) -> (from: Date, to: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        let day = calendar.startOfDay(for: now)
        let week = calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? day
        let month = calendar.dateInterval(of: .month, for: now)?.start ?? day
        func back(_ component: Calendar.Component, from start: Date) -> Date {
            calendar.date(byAdding: component, value: -1, to: start) ?? start
        }
        switch self {
        case .today: return (day, now)
        case .yesterday: return (back(.day, from: day), day)
        case .thisWeek: return (week, now)
        case .previousWeek: return (back(.weekOfYear, from: week), week)
        case .thisMonth: return (month, now)
        case .previousMonth: return (back(.month, from: month), month)
        }
    }

    /// Words for a subject line: `previous week`.
    public var words: String { rawValue.replacingOccurrences(of: "-", with: " ") }
}
