import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTesting
import Testing

/// The sent log of scheduled reports (`report_sends`, migration v7) on both stores.
@Suite struct ReportSendLogTests {
    static func date(_ text: String) -> Date { Timestamp.parseISO8601(text)! }

    @Test(arguments: Backend.allCases)
    func aSendIsRecordedOncePerSlotAndDestinationAndSurvivesReopening(_ backend: Backend) async throws {
        let scratch = try await ScratchStore(backend)
        let store = try #require(try await scratch.open() as? any ReportSendLog)
        let monday = Self.date("2026-03-09T05:00:00Z"), next = Self.date("2026-03-16T05:00:00Z")
        func send(_ slot: Date, _ destination: String, report: String = "weekly") -> ReportSend {
            ReportSend(report: report, slot: slot, destination: destination, periodFrom: slot.addingTimeInterval(-7 * 86400 - 5 * 3600),
                       periodTo: slot.addingTimeInterval(-5 * 3600), sentAt: slot.addingTimeInterval(1.5))
        }
        #expect(try await store.reportSends(report: "weekly", limit: 10).isEmpty)
        #expect(try await store.recordReportSend(send(monday, "lead")))
        #expect(try await store.recordReportSend(send(monday, "lead")) == false, "the same slot and destination twice")
        #expect(try await store.recordReportSend(send(monday, "team")))
        #expect(try await store.recordReportSend(send(next, "lead")))
        #expect(try await store.recordReportSend(send(next, "lead", report: "daily")))
        #expect(try await store.destinationsSent(report: "weekly", slot: monday) == ["lead", "team"])
        #expect(try await store.destinationsSent(report: "weekly", slot: next) == ["lead"])
        #expect(try await store.destinationsSent(report: "weekly", slot: next.addingTimeInterval(60)).isEmpty)

        let reopened = try #require(try await scratch.open() as? any ReportSendLog)
        let sends = try await reopened.reportSends(report: "weekly", limit: 10)
        #expect(sends == [send(next, "lead"), send(monday, "lead"), send(monday, "team")], "latest slot first, every field kept")
        #expect(try await reopened.reportSends(report: "weekly", limit: 1) == [send(next, "lead")])
    }
}
