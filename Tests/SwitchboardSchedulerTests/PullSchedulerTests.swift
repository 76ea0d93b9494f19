import Foundation
import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardScheduler
import SwitchboardTesting
import Testing

/// The scheduler against a manual clock and a real in-memory store: no test sleeps.
@Suite(.timeLimit(.minutes(2))) struct PullSchedulerTests {
    /// Monday 2026-03-02 09:00:00Z.
    static let t0 = Date(timeIntervalSince1970: Double(Timestamp.daysFromCivil(year: 2026, month: 3, day: 2) * 86400 + 9 * 3600))
    let utc = TimeZone(identifier: "UTC")!

    struct Rig {
        let clock = ManualClock(PullSchedulerTests.t0)
        let events = EventLog()
        let store = InMemoryStore()
        let scheduler: PullScheduler

        init(_ jobs: [(ScriptedSource, String)], locks: (any SourceLocking)? = nil, random: Double = 0,
             redactor: SecretRedactor = SecretRedactor()) throws {
            let events = self.events
            scheduler = PullScheduler(
                jobs: try jobs.map { PullScheduler.Job(name: $0.0.name, kind: ScriptedSource.kind, schedule: try Schedule($0.1), source: $0.0) },
                store: store, locks: locks, timeZone: TimeZone(identifier: "UTC")!, clock: clock,
                backoff: Backoff(base: 30, cap: 3600, jitter: 0.2), random: { random }, redactor: redactor,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                onEvent: { events.append($0) })
        }

        func status(_ name: String) async -> SourceStatus? {
            await scheduler.status().sources.first { $0.source == name }
        }
    }

    @Test func everyRunsAtStartThenKeepsItsCadence() async throws {
        let pbx = ScriptedSource(name: "pbx", [.succeed(records: 2)])
        let rig = try Rig([(pbx, "every 5m")])
        async let running: Void = rig.scheduler.runUntilStopped()

        #expect(await rig.events.scheduled("pbx", count: 1) == Self.t0)
        let first = await rig.events.finished("pbx", count: 1)
        #expect(first.result == .ok && first.read == 2 && first.stored == 2 && first.duplicates == 0)
        #expect(await rig.events.scheduled("pbx", count: 2) == Self.t0.addingTimeInterval(300))
        #expect(try await rig.store.count(source: "pbx") == 2)

        rig.clock.advance(to: Self.t0.addingTimeInterval(300))
        #expect(await rig.events.finished("pbx", count: 2).stored == 2)
        #expect(await rig.events.scheduled("pbx", count: 3) == Self.t0.addingTimeInterval(600))
        let status = try #require(await rig.status("pbx"))
        #expect(status.schedule == "every 5m" && status.kind == "scripted" && !status.running)
        #expect(status.nextRunAt == Self.t0.addingTimeInterval(600))
        #expect(status.lastRun?.startedAt == Self.t0.addingTimeInterval(300))
        #expect(status.lastSuccessAt == Self.t0.addingTimeInterval(300))
        // The pass resumed from its checkpoint: four distinct records, no duplicates.
        #expect(try await rig.store.count(source: "pbx") == 4)
        let runs = try await rig.store.runs(source: "pbx", limit: 10)
        #expect(runs.count == 2 && runs.allSatisfy { $0.mode == "scheduled" && $0.status == "ok" && $0.stored == 2 })

        rig.scheduler.requestStop()
        await running
        #expect(await rig.status("pbx")?.nextRunAt == nil)
    }

    @Test func aSlowPullIsNeverOverlappedByTheTicksItCovers() async throws {
        let gate = Gate()
        let pbx = ScriptedSource(name: "pbx", [.hold(gate, before: 1, after: 2), .succeed(records: 1)])
        let rig = try Rig([(pbx, "every 1m")])
        async let running: Void = rig.scheduler.runUntilStopped()

        await gate.reached.wait()
        // Five and a half intervals pass while the first pull is still running.
        rig.clock.advance(by: 330)
        let during = try #require(await rig.status("pbx"))
        #expect(during.running && during.nextRunAt == nil)
        #expect(rig.clock.sleeping == 0, "no timer may be armed while the source runs")
        gate.open()
        #expect(await rig.events.finished("pbx", count: 1).stored == 3)
        // The next run is the first tick of the cadence after the end, not one per missed tick.
        #expect(await rig.events.scheduled("pbx", count: 2) == Self.t0.addingTimeInterval(360))
        rig.clock.advance(to: Self.t0.addingTimeInterval(360))
        #expect(await rig.events.finished("pbx", count: 2).stored == 1)
        #expect(pbx.script.calls == 2 && pbx.script.maxConcurrent == 1)
        #expect(rig.events.all.starts("pbx") == 2)

        rig.scheduler.requestStop()
        await running
    }

    @Test func failuresBackOffExponentiallyUpToTheCapAndResetAfterSuccess() async throws {
        let steps: [Step] = Array(repeating: .fail("connection refused"), count: 7) + [.succeed(records: 1), .succeed(records: 1)]
        let pbx = ScriptedSource(name: "pbx", steps)
        let rig = try Rig([(pbx, "every 5m")], random: 0.5)
        async let running: Void = rig.scheduler.runUntilStopped()

        // Base 5m (the interval), doubling, capped at 1h; jitter 0.2 × draw 0.5 takes 10 % off.
        let expected: [Double] = [300, 600, 1200, 2400, 3600, 3600, 3600].map { $0 * 0.9 }
        var now = Self.t0
        for (n, delay) in expected.enumerated() {
            let run = await rig.events.finished("pbx", count: n + 1)
            #expect(run.result == .failed && run.message == "pbx: connection refused")
            let due = await rig.events.scheduled("pbx", count: n + 2)
            #expect(abs(due.timeIntervalSince(now) - delay) < 0.001, "retry \(n + 1): \(due.timeIntervalSince(now)) s")
            #expect(await rig.status("pbx")?.consecutiveFailures == n + 1)
            now = due
            rig.clock.advance(to: due)
        }
        #expect(await rig.events.finished("pbx", count: 8).result == .ok)
        // Back on the cadence of the start: the first 5-minute tick after now (t0 + 13,770 s).
        #expect(await rig.events.scheduled("pbx", count: 9) == Self.t0.addingTimeInterval(13_800))
        let status = try #require(await rig.status("pbx"))
        #expect(status.consecutiveFailures == 0)
        #expect(status.lastError == "pbx: connection refused", "the last error stays visible after recovery")
        #expect(status.lastRun?.result == .ok)
        let failedRuns = try await rig.store.runs(source: "pbx", limit: 20).filter { $0.status == "failed" }
        #expect(failedRuns.count == 7 && failedRuns.allSatisfy { $0.error == "pbx: connection refused" })

        rig.scheduler.requestStop()
        await running
    }

    @Test func aFailingOrHangingSourceDoesNotDelayAnother() async throws {
        let gate = Gate()
        let broken = ScriptedSource(name: "broken", [.fail("timeout"), .fail("timeout"), .hold(gate, before: 0, after: 0)])
        let healthy = ScriptedSource(name: "healthy", [.succeed(records: 1)])
        let rig = try Rig([(broken, "every 1m"), (healthy, "every 1m")])
        async let running: Void = rig.scheduler.runUntilStopped()

        for k in 0..<6 {
            let due = await rig.events.scheduled("healthy", count: k + 1)
            #expect(due == Self.t0.addingTimeInterval(Double(k) * 60), "healthy run \(k) is on time")
            rig.clock.advance(to: due)
            #expect(await rig.events.finished("healthy", count: k + 1).result == .ok)
            // Let broken finish its run of this minute before time moves on, so its back-off is exact.
            if k < 2 { _ = await rig.events.scheduled("broken", count: k + 2) }
        }
        // broken: failed at t0 and t0+60 (backing off 60 s, then 120 s), and hangs since t0+180.
        await gate.reached.wait()
        #expect(rig.events.all.finishedRuns("broken").map(\.result) == [.failed, .failed])
        #expect(rig.events.all.scheduledTimes("broken") == [Self.t0, Self.t0.addingTimeInterval(60), Self.t0.addingTimeInterval(180)])
        #expect(await rig.status("broken")?.running == true)
        #expect(await rig.status("healthy")?.consecutiveFailures == 0)
        #expect(try await rig.store.count(source: "healthy") == 6)

        rig.scheduler.requestStop()
        gate.open()
        await running
    }

    @Test func gracefulShutdownLetsTheRunningPullCommitItsCheckpointThenStops() async throws {
        let gate = Gate()
        let pbx = ScriptedSource(name: "pbx", [.hold(gate, before: 4, after: 9)])
        let idle = ScriptedSource(name: "nightly", [.succeed(records: 1)])
        let rig = try Rig([(pbx, "every 1m"), (idle, "0 3 * * *")])
        let group = ServiceGroup(configuration: .init(services: [rig.scheduler], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await gate.reached.wait()
            await rig.clock.waitForSleepers(1)   // the nightly source waits for 03:00
            await group.triggerGracefulShutdown()
            await rig.scheduler.stopRequested()
            // The pull goes on after the shutdown request: it delivers three more records and a checkpoint,
            // which is committed with them, and ends there.
            gate.open()
            try await tasks.waitForAll()
        }
        let run = try #require(rig.events.all.finishedRuns("pbx").first)
        #expect(run.result == .stopped && run.read == 7 && run.stored == 7, "\(run)")
        #expect(try await rig.store.count(source: "pbx") == 7)
        #expect(try await rig.store.checkpoint(source: "pbx")?.decode(Int.self) == 7)
        #expect(rig.events.all.finishedRuns("nightly").isEmpty, "the sleeping source must not run on shutdown")
        #expect(rig.clock.sleeping == 0)
        let status = await rig.scheduler.status()
        #expect(status.sources.allSatisfy { $0.nextRunAt == nil && !$0.running })
        #expect(try await rig.store.runs(source: "pbx", limit: 5).first?.status == "ok")
    }

    @Test func aSourceLockedElsewhereIsSkippedUntilItsNextTime() async throws {
        let locks = ProcessSourceLocks()
        let elsewhere = try #require(try await locks.tryLock(source: "pbx"))
        let pbx = ScriptedSource(name: "pbx", [.succeed(records: 2)])
        let rig = try Rig([(pbx, "every 1m")], locks: locks)
        async let running: Void = rig.scheduler.runUntilStopped()

        let skipped = await rig.events.finished("pbx", count: 1)
        #expect(skipped.result == .skipped && skipped.message?.contains("another instance holds") == true)
        #expect(pbx.script.calls == 0)
        #expect(await rig.status("pbx")?.consecutiveFailures == 0)
        #expect(await rig.events.scheduled("pbx", count: 2) == Self.t0.addingTimeInterval(60))
        await elsewhere.release()
        rig.clock.advance(by: 60)
        #expect(await rig.events.finished("pbx", count: 2).result == .ok)
        // The scheduler released the lock after its pull.
        #expect(try await locks.tryLock(source: "pbx") != nil)

        rig.scheduler.requestStop()
        await running
    }

    @Test func aRunLeftRunningByADeadInstanceIsClosedByTheNextLockHolderOnly() async throws {
        let pbx = ScriptedSource(name: "pbx", [.succeed(records: 2)])
        let locks = ProcessSourceLocks()
        let elsewhere = try #require(try await locks.tryLock(source: "pbx"))
        let rig = try Rig([(pbx, "every 1m")], locks: locks)
        // An instance died mid-pull: its scheduled run stays `running`; a one-shot `pull` is running now.
        let dead = try await rig.store.startRun(source: "pbx", mode: "scheduled", at: Self.t0.addingTimeInterval(-90))
        let oneShot = try await rig.store.startRun(source: "pbx", mode: "pull", at: Self.t0.addingTimeInterval(-10))
        async let running: Void = rig.scheduler.runUntilStopped()

        // Skipped while another holder has the lock: that holder may be the one running, so nothing is closed.
        #expect(await rig.events.finished("pbx", count: 1).result == .skipped)
        #expect(try await rig.store.runs(source: "pbx", limit: 10).filter { $0.status == "running" }.count == 2)
        await elsewhere.release()
        rig.clock.advance(by: 60)
        #expect(await rig.events.finished("pbx", count: 2).result == .ok)

        let runs = try await rig.store.runs(source: "pbx", limit: 10)
        let closed = try #require(runs.first { $0.id == dead.id })
        #expect(closed.status == "failed" && closed.error?.hasPrefix("interrupted:") == true, "\(closed)")
        #expect(closed.finishedAt == Self.t0.addingTimeInterval(60))
        #expect(runs.first { $0.id == oneShot.id }?.status == "running", "runs of other modes are not the scheduler's")
        let new = try #require(runs.first)
        #expect(new.mode == "scheduled" && new.status == "ok" && new.stored == 2 && new.startedAt >= closed.finishedAt!)

        rig.scheduler.requestStop()
        await running
    }

    @Test func cronSourcesRunAtMatchingTimesAndBackOffFromThirtySeconds() async throws {
        let pbx = ScriptedSource(name: "pbx", [.succeed(records: 1), .fail("refused"), .fail("refused"), .succeed(records: 1)])
        let rig = try Rig([(pbx, "*/15 * * * *")])
        rig.clock.advance(by: 7 * 60)   // 09:07
        async let running: Void = rig.scheduler.runUntilStopped()

        let first = await rig.events.scheduled("pbx", count: 1)
        #expect(first == Self.t0.addingTimeInterval(15 * 60))
        await rig.clock.waitForSleepers(1)
        #expect(rig.events.all.starts("pbx") == 0, "a cron source waits for its first matching time")
        rig.clock.advance(to: first)
        #expect(await rig.events.scheduled("pbx", count: 2) == Self.t0.addingTimeInterval(30 * 60))
        rig.clock.advance(to: Self.t0.addingTimeInterval(30 * 60))
        #expect(await rig.events.scheduled("pbx", count: 3) == Self.t0.addingTimeInterval(30 * 60 + 30))
        rig.clock.advance(by: 30)
        #expect(await rig.events.scheduled("pbx", count: 4) == Self.t0.addingTimeInterval(30 * 60 + 90))
        rig.clock.advance(by: 60)
        #expect(await rig.events.finished("pbx", count: 4).result == .ok)
        #expect(await rig.events.scheduled("pbx", count: 5) == Self.t0.addingTimeInterval(45 * 60))

        rig.scheduler.requestStop()
        await running
    }

    @Test func statusIsSnakeCaseJSONWithoutSecrets() async throws {
        let pbx = ScriptedSource(name: "pbx", [.fail("cannot reach postgres://switch:hunter2@db.internal/sb with token s3cr3t-token")])
        let rig = try Rig([(pbx, "every 5m")], redactor: SecretRedactor(secrets: ["s3cr3t-token"]))
        async let running: Void = rig.scheduler.runUntilStopped()
        _ = await rig.events.scheduled("pbx", count: 2)

        let data = await rig.scheduler.statusJSON()
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("hunter2") && !text.contains("s3cr3t-token"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["timezone"] as? String == TimeZone(identifier: "UTC")!.identifier)
        let source = try #require((object["sources"] as? [[String: Any]])?.first)
        #expect(source["source"] as? String == "pbx")
        #expect(source["consecutive_failures"] as? Int == 1)
        #expect(source["next_run_at"] as? String == "2026-03-02T09:05:00.000Z")
        #expect(source["last_error"] as? String == "pbx: cannot reach postgres://switch:***@db.internal/sb with token ***")
        let last = try #require(source["last_run"] as? [String: Any])
        #expect(last["result"] as? String == "failed" && last["started_at"] as? String == "2026-03-02T09:00:00.000Z")
        #expect(Set(last.keys).isSuperset(of: ["read", "stored", "duplicates", "rejected", "finished_at"]))
        #expect(try SchedulerStatus.decode(data) == (await rig.scheduler.status()))

        rig.scheduler.requestStop()
        await running
    }
}

@Suite struct BackoffTests {
    @Test func doublesFromTheIntervalAndCaps() throws {
        let b = Backoff(base: 30, cap: 3600, jitter: 0.2)
        let every = try Schedule("every 10m"), cron = try Schedule("*/5 * * * *")
        #expect((1...5).map { b.delay(failures: $0, schedule: every, random: 0) } == [600, 1200, 2400, 3600, 3600])
        #expect((1...9).map { b.delay(failures: $0, schedule: cron, random: 0) } == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
        #expect(b.delay(failures: 1000, schedule: cron, random: 0) == 3600)
        // An interval longer than the cap starts at the cap.
        #expect(b.delay(failures: 1, schedule: try Schedule("every 2h"), random: 0) == 3600)
    }

    @Test func jitterOnlyShortensWithinItsShare() throws {
        let b = Backoff(base: 30, cap: 3600, jitter: 0.2)
        let cron = try Schedule("@hourly")
        for r in stride(from: 0.0, to: 1.0, by: 0.05) {
            let d = b.delay(failures: 3, schedule: cron, random: r)
            #expect(d <= 120 && d > 120 * 0.8)
        }
        #expect(b.delay(failures: 20, schedule: cron, random: 0.999) >= 3600 * 0.8)
    }
}
