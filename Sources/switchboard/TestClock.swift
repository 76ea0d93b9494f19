import Foundation
import SwitchboardCore
import SwitchboardScheduler

/// Test hook, set in the environment and never in normal use: `SWITCHBOARD_TEST_CLOCK=PATH` makes the report
/// scheduler, the alert monitor and the KPI gauges of `serve` read "now" from the file PATH (one ISO 8601 time, which the test rewrites to move
/// time) instead of the system clock; a wait ends once the file's time reaches its deadline (checked every
/// 20 ms). Scheduled reports can so be tested at any date, a week passing in an instant.
struct FileClock: SchedulerClock {
    static let variable = "SWITCHBOARD_TEST_CLOCK"

    let path: String

    /// The clock named by the variable, nil when it is unset.
    static var fromEnvironment: FileClock? {
        guard let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty else { return nil }
        return FileClock(path: path)
    }

    func now() -> Date {
        let text = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.flatMap(Timestamp.parseISO8601) ?? Date(timeIntervalSince1970: 0)
    }

    func sleep(until deadline: Date) async throws {
        while now() < deadline { try await Task.sleep(for: .milliseconds(20)) }
    }
}
