import Foundation
import SwitchboardCore

/// Reads `--from`, `--to` and `--now` (DESIGN §9): a date `2026-03-01` is local
/// midnight in the business timezone; otherwise an ISO 8601 timestamp with offset.
public enum ReportTime {
    public static func parse(_ text: String, timeZone: TimeZone) -> Date? {
        if let d = ConfigValues.date(text), text.count == 10 {
            return LocalTimeConverter(timeZone: timeZone).date(year: d.year, month: d.month, day: d.day, hour: 0, minute: 0, second: 0)
        }
        return Timestamp.parseISO8601(text)
    }

    /// `--by channel,agent --by day` → breakdowns in the order given, without repeats.
    /// - Throws: ``MetricsError`` naming `--by` and the unknown breakdown.
    public static func breakdowns(_ values: [String]) throws -> [Breakdown] {
        do {
            return try ReportOptions(by: values).breakdowns()
        } catch let problem as ReportOptions.Problem {
            throw MetricsError(problem.flagMessage)
        }
    }
}
