import Foundation

/// One entry of `reports:` — a report that `switchboard serve` sends on a schedule to `notifications:`
/// destinations (and `switchboard reports send NAME` sends at once):
///
/// ```yaml
/// reports:
///   - {name: weekly, schedule: "0 8 * * mon", period: previous-week, by: [channel, agent], notify: [lead]}
/// ```
public struct ScheduledReport: Sendable, Hashable {
    /// Unique among the reports; letters, digits, `-`, `_` and `.`.
    public var name: String
    /// When it is sent: `every …` (slots on a grid from 1970-01-01T00:00Z) or cron in the config timezone.
    public var schedule: Schedule
    /// The period of each mail, relative to the slot it is sent for.
    public var period: ReportPeriod
    /// Breakdowns, as `switchboard report --by` takes them.
    public var by: [String]
    /// Filters by name (`channel`, `source`, `agent`, `topic`, `queue`), as the report's flags take them.
    public var filters: [String: [String]]
    /// Names of `notifications:` destinations.
    public var notify: [String]
    /// Where the entry is in the config file, for problems found later (`switchboard check`).
    public var index: Int
    public var line: Int?
    /// Line of each key of the entry.
    public var keyLines: [String: Int]

    public init(name: String, schedule: Schedule, period: ReportPeriod, by: [String] = [], filters: [String: [String]] = [:],
                notify: [String], index: Int = 0, line: Int? = nil, keyLines: [String: Int] = [:]) {
        self.name = name
        self.schedule = schedule
        self.period = period
        self.by = by
        self.filters = filters
        self.notify = notify
        self.index = index
        self.line = line
        self.keyLines = keyLines
    }

    /// The filter keys an entry may give.
    public static let filterKeys = ["channel", "source", "agent", "topic", "queue"]

    /// `reports[i].key`.
    public func keyPath(_ key: String) -> String { "reports[\(index)].\(key)" }
}
