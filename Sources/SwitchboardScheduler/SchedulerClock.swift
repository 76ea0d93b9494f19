import Foundation

/// Where the scheduler reads the time and waits. Injected so tests drive time by hand
/// instead of sleeping.
///
/// ```swift
/// struct Fixed: SchedulerClock {
///     func now() -> Date { Date(timeIntervalSince1970: 0) }
///     func sleep(until deadline: Date) async throws { try Task.checkCancellation() }
/// }
/// ```
public protocol SchedulerClock: Sendable {
    /// The current instant.
    func now() -> Date
    /// Suspends until `deadline` (at once when it has passed).
    /// - Throws: `CancellationError` when the waiting task is cancelled.
    func sleep(until deadline: Date) async throws
}

extension SchedulerClock {
    /// Sleeps until `deadline` or until `stop` is triggered, whichever comes first; false when stopped.
    func sleep(until deadline: Date, unless stop: StopSignal) async -> Bool {
        if stop.isTriggered { return false }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await self.sleep(until: deadline)) != nil }
            group.addTask {
                await stop.wait()
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first && !stop.isTriggered
        }
    }
}

/// The real clock: wall time, waiting in slices of at most a minute so a stepped system
/// clock (NTP, suspend and resume) is noticed within a minute.
public struct SystemSchedulerClock: SchedulerClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until deadline: Date) async throws {
        while true {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return }
            try await Task.sleep(for: .milliseconds(Int64((min(left, 60) * 1000).rounded(.up))))
        }
    }
}
