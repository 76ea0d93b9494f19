import Foundation
import Logging
import SwitchboardCore
import SwitchboardScheduler
import SwitchboardTesting
import Testing

/// A source the origin throttles backs off without failing (issue #17): against a manual clock.
@Suite(.timeLimit(.minutes(2))) struct ThrottledPullTests {
    typealias Rig = PullSchedulerTests.Rig
    static let t0 = PullSchedulerTests.t0

    @Test func aThrottledRunBacksOffKeepsItsRecordsAndIsNoFailure() async throws {
        // Throttled twice (the second time asking for 20 minutes), then fine again.
        let steps: [Step] = [.throttle(records: 3, retryAfter: nil), .throttle(records: 0, retryAfter: 1200),
                             .succeed(records: 1), .succeed(records: 0)]
        let mailbox = ScriptedSource(name: "mailbox", steps)
        let rig = try Rig([(mailbox, "every 5m")], random: 0.5)
        async let running: Void = rig.scheduler.runUntilStopped()

        let first = await rig.events.finished("mailbox", count: 1)
        #expect(first.result == .throttled && first.stored == 3)
        #expect(first.message == "mailbox: too many simultaneous connections")
        // The back-off of a first failure (the 5m interval, jitter 0.2 × 0.5 off), not the next tick.
        let retry = await rig.events.scheduled("mailbox", count: 2)
        #expect(abs(retry.timeIntervalSince(Self.t0) - 270) < 0.001, "\(retry.timeIntervalSince(Self.t0))")
        let status = try #require(await rig.status("mailbox"))
        #expect(status.consecutiveFailures == 0 && status.lastError == nil, "throttling is no failure")
        #expect(try await rig.store.count(source: "mailbox") == 3, "what was committed stays")
        #expect(try await rig.store.deadLetters(source: "mailbox", limit: 10).isEmpty)

        rig.clock.advance(to: retry)
        #expect(await rig.events.finished("mailbox", count: 2).result == .throttled)
        // Second in a row: the doubled back-off is 540 s, but the server asked for 1200 s.
        let later = await rig.events.scheduled("mailbox", count: 3)
        #expect(abs(later.timeIntervalSince(retry) - 1200) < 0.001, "\(later.timeIntervalSince(retry))")

        rig.clock.advance(to: later)
        #expect(await rig.events.finished("mailbox", count: 3).result == .ok)
        #expect(try await rig.store.count(source: "mailbox") == 4)
        let runs = try await rig.store.runs(source: "mailbox", limit: 10).sorted { $0.startedAt < $1.startedAt }
        #expect(runs.map(\.status) == ["throttled", "throttled", "ok"])
        #expect(runs[0].error == "mailbox: too many simultaneous connections" && runs[0].stored == 3)

        rig.scheduler.requestStop()
        await running
    }
}
