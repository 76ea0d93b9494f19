import Foundation

/// The instants a scheduled report is due ("slots"): the fire times of its schedule. A cron schedule fires
/// on wall-clock times in the config timezone; `every N` fires on a grid of N from 1970-01-01T00:00Z, so
/// the slots stay the same across restarts (unlike a pull's `every`, which starts at start-up).
public struct ReportSlots: Sendable {
    public var schedule: Schedule
    public var timeZone: TimeZone

    public init(schedule: Schedule, timeZone: TimeZone) {
        self.schedule = schedule
        self.timeZone = timeZone
    }

    /// The first slot strictly after `date`.
    public func next(after date: Date) -> Date? {
        switch schedule {
        case .every(let seconds):
            let s = Double(seconds)
            return Date(timeIntervalSince1970: ((date.timeIntervalSince1970 / s).rounded(.down) + 1) * s)
        case .cron(let cron):
            return cron.next(after: date, in: timeZone)
        }
    }

    /// The latest slot at or before `date` (nil when the schedule never fired in the four years before).
    public func latest(atOrBefore date: Date) -> Date? {
        if case .every(let seconds) = schedule {
            let s = Double(seconds)
            return Date(timeIntervalSince1970: (date.timeIntervalSince1970 / s).rounded(.down) * s)
        }
        // Walk forward from ever further back; a window is only widened when the smaller one held no
        // slot, so each walk takes a bounded number of steps whatever the schedule.
        let windows: [Double] = [3600, 86400, 8 * 86400, 32 * 86400, 367 * 86400, 4 * 366 * 86400]
        for window in windows {
            var found: Date?
            var cursor = date.addingTimeInterval(-window - 1)
            while let n = next(after: cursor), n <= date {
                found = n
                cursor = n
            }
            if let found { return found }
        }
        return nil
    }
}
