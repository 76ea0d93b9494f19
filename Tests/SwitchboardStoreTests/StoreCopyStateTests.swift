import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTesting
import Testing

/// `switchboard migrate` carries what `serve` keeps between runs: a moved store sends no report slot and no alert
/// notice twice and keeps its OAuth2 credentials; copying again doubles nothing and brings later progress over.
@Suite struct StoreCopyStateTests {
    static func date(_ text: String) -> Date { Timestamp.parseISO8601(text)! }

    @Test("report sends, alerts with their notices and credentials reach PostgreSQL once, and later progress follows")
    func stateIsCopiedOnce() async throws {
        let sqlite = try await ScratchStore(.sqlite)
        let postgres = try await ScratchStore(.postgres)
        let from = try #require(try await sqlite.open() as? SQLiteStore)
        let send = ReportSend(report: "weekly", slot: Self.date("2026-03-09T09:00:00Z"), destination: "ops",
                              periodFrom: Self.date("2026-03-02T00:00:00Z"), periodTo: Self.date("2026-03-09T00:00:00Z"),
                              sentAt: Self.date("2026-03-09T09:00:04Z"))
        #expect(try await from.recordReportSend(send))
        let warning = AlertLogTests.record(.warning, at: "2026-03-09T10:04:00Z")
        #expect(try await from.recordAlertChanges([AlertChange(kind: .open, record: warning, notify: ["ops", "lead"])]) == 1)
        let opened = try await from.pendingAlertNotices(dueBy: nil, limit: 10)
        let toOps = try #require(opened.first { $0.destination == "ops" })
        try await from.markAlertNoticeSent(id: toOps.id, at: Self.date("2026-03-09T10:04:01Z"))
        try await from.saveCredential(Data([1, 2, 3]), source: "mail")

        let to = try await postgres.openPostgres()
        let first = try await StoreCopy.copy(from: from, to: to)
        #expect(first.reportSends == 1 && first.alerts == 1 && first.alertNotices == 2 && first.credentials == 1)
        #expect(try await to.reportSends(report: "weekly", limit: 10) == [send])
        #expect(try await to.openAlerts() == [warning])
        // The notice to ops went out before the move and is not sent again; the one to lead still waits.
        #expect(try await to.pendingAlertNotices(dueBy: nil, limit: 10).map(\.destination) == ["lead"])
        #expect(try await to.credential(source: "mail") == Data([1, 2, 3]))

        // Copying again doubles nothing.
        let again = try await StoreCopy.copy(from: from, to: to)
        #expect(again.reportSends == 0 && again.alerts == 0 && again.alertNotices == 0 && again.credentials == 0)
        #expect(try await to.pendingAlertNotices(dueBy: nil, limit: 10).count == 1)

        // The SQLite store went on (escalated, delivered, token rotated): a third copy brings that over.
        var breached = warning
        breached.state = .breached
        breached.changedAt = Self.date("2026-03-09T10:05:00Z")
        #expect(try await from.recordAlertChanges([AlertChange(kind: .escalate, record: breached, notify: ["ops"])]) == 1)
        let toLead = try #require(try await from.pendingAlertNotices(dueBy: nil, limit: 10).first { $0.destination == "lead" })
        try await from.markAlertNoticeSent(id: toLead.id, at: Self.date("2026-03-09T10:05:02Z"))
        try await Task.sleep(for: .milliseconds(5))
        try await from.saveCredential(Data([4, 5]), source: "mail")
        let third = try await StoreCopy.copy(from: from, to: to)
        #expect(third.alerts == 1 && third.alertNotices == 2 && third.credentials == 1 && third.reportSends == 0)
        #expect(try await to.openAlerts() == [breached])
        #expect(try await to.pendingAlertNotices(dueBy: nil, limit: 10).map { "\($0.destination) \($0.state)" } == ["ops breached"])
        #expect(try await to.credential(source: "mail") == Data([4, 5]))
    }
}
