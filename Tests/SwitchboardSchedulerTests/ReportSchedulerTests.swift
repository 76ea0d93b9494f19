import Foundation
import Logging
import SwitchboardCore
import SwitchboardScheduler
import Testing

/// The report scheduler on a manual clock: which slot it sends, to which destinations, and what it records.
/// The sender here is a recorder (the real one, mail over SMTP, is tested end to end in ReportMailCLITests).
@Suite struct ReportSchedulerTests {
    static func t(_ text: String) -> Date { Timestamp.parseISO8601(text)! }

    /// Records each send and refuses the destinations in `refusing`.
    actor Recorder: ReportSending {
        var calls: [(slot: Date, destinations: [String])] = []
        var refusing: Set<String> = []
        func refuse(_ names: Set<String>) { refusing = names }
        func send(_ report: ScheduledReport, slot: Date, to destinations: [String]) async -> ReportDelivery {
            calls.append((slot, destinations))
            var d = ReportDelivery(periodFrom: slot.addingTimeInterval(-7 * 86400), periodTo: slot)
            for name in destinations {
                if refusing.contains(name) { d.failures.append((name, "550 refused for \(name)")) } else { d.delivered.append(name) }
            }
            return d
        }
    }

    /// A sent log in memory.
    actor MemoryLog: ReportSendLog {
        var sends: [ReportSend] = []
        func recordReportSend(_ send: ReportSend) async throws -> Bool {
            guard !sends.contains(where: { $0.report == send.report && $0.slot == send.slot && $0.destination == send.destination }) else { return false }
            sends.append(send)
            return true
        }
        func reportSends(report: String, limit: Int) async throws -> [ReportSend] {
            Array(sends.filter { $0.report == report }.sorted { $0.slot > $1.slot }.prefix(limit))
        }
    }

    @Test func sendsTheLatestSlotOnceRetriesOnlyRefusedDestinationsAndGivesUpASupersededSlot() async throws {
        let clock = ManualClock(Self.t("2026-03-08T12:00:00Z"))
        let recorder = Recorder(), log = MemoryLog()
        let report = ScheduledReport(name: "weekly", schedule: try Schedule("0 8 * * mon"), period: .previousWeek, notify: ["a", "b"])
        let scheduler = ReportScheduler(reports: [report], sender: recorder, log: log, locks: ProcessSourceLocks(),
                                        timeZone: TimeZone(identifier: "UTC")!, clock: clock, random: { 0 },
                                        logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await scheduler.run() }
        defer { running.cancel() }
        await clock.waitForSleepers(1)
        // At start the latest slot (Monday 2 March) was never sent: it is, to both.
        #expect(await recorder.calls.map(\.slot) == [Self.t("2026-03-02T08:00:00Z")])
        #expect(clock.nextDeadline == Self.t("2026-03-09T08:00:00Z"))

        await recorder.refuse(["b"])
        clock.advance(to: Self.t("2026-03-09T08:00:00Z"))
        await clock.waitForSleepers(1)
        var status = try #require(await scheduler.status().first)
        #expect(status.consecutiveFailures == 1 && status.lastError == "b: 550 refused for b")
        #expect(clock.nextDeadline == Self.t("2026-03-09T08:00:30Z"), "back-off: 30 s for cron")
        #expect(try await log.destinationsSent(report: "weekly", slot: Self.t("2026-03-09T08:00:00Z")) == ["a"])

        await recorder.refuse([])
        clock.advance(by: 30)
        await clock.waitForSleepers(1)
        #expect(await recorder.calls.last?.destinations == ["b"], "a is not sent the slot again")
        status = try #require(await scheduler.status().first)
        #expect(status.consecutiveFailures == 0 && status.lastSlot == Self.t("2026-03-09T08:00:00Z"))
        #expect(clock.nextDeadline == Self.t("2026-03-16T08:00:00Z"))

        // b refuses the 16 March slot until the next one comes: then the next one is sent, the old one given up.
        await recorder.refuse(["b"])
        clock.advance(to: Self.t("2026-03-16T08:00:00Z"))
        await clock.waitForSleepers(1)
        await recorder.refuse([])
        clock.advance(to: Self.t("2026-03-23T08:00:00Z"))
        await clock.waitForSleepers(1)
        let calls = await recorder.calls
        #expect(calls.suffix(2).map(\.slot) == [Self.t("2026-03-16T08:00:00Z"), Self.t("2026-03-23T08:00:00Z")])
        #expect(calls.last?.destinations == ["a", "b"])
        #expect(try await log.destinationsSent(report: "weekly", slot: Self.t("2026-03-16T08:00:00Z")) == ["a"])
        #expect(calls.count == 5)
    }
}
