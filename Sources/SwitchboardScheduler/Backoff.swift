import Foundation
import SwitchboardCore

/// Exponential back-off of a failing source: the first retry waits the schedule's interval
/// (`every …`) or `base` (cron), each further failure doubles it up to `cap`; jitter takes a
/// random share of up to `jitter` off, so sources failing together spread out (never above the cap).
public struct Backoff: Sendable, Hashable {
    /// The first delay for cron schedules, which have no interval (default 30 s).
    public var base: Double
    /// The longest delay (default 1 h).
    public var cap: Double
    /// The largest share taken off at random, 0…1 (default 0.2).
    public var jitter: Double

    public init(base: Double = 30, cap: Double = 3600, jitter: Double = 0.2) {
        self.base = base
        self.cap = cap
        self.jitter = min(1, max(0, jitter))
    }

    /// Seconds to wait after `failures` (≥ 1) consecutive failures.
    /// - Parameter random: a value in 0..<1 (the jitter draw).
    public func delay(failures: Int, schedule: Schedule, random: Double) -> Double {
        let first = min(cap, schedule.interval ?? base)
        let doubled = first * pow(2, Double(min(max(failures, 1) - 1, 60)))
        return min(cap, doubled) * (1 - jitter * min(1, max(0, random)))
    }
}
