import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTesting
import Testing

/// The alerts' state and notice outbox (`alerts`, `alert_notices`, migration v9-alerts) on both stores.
@Suite struct AlertLogTests {
    static func date(_ text: String) -> Date { Timestamp.parseISO8601(text)! }

    static func record(_ state: AlertState, at: String, subject: String = "chats/c-1", episode: String = "2026-03-09T10:00:00Z") -> AlertRecord {
        AlertRecord(alert: "chat-frt", rule: "frt_at_risk", subject: subject, episode: date(episode), state: state, openedAt: date(at),
                    changedAt: date(at), facts: AlertFacts(source: "chats", conversationKey: "c-1", customer: "olga@example.org",
                                                           channel: "chat", waitingSince: date(episode), targetSeconds: 300))
    }

    @Test(arguments: Backend.allCases)
    func changesAreRecordedOnceWithTheirNoticesAndSurviveReopening(_ backend: Backend) async throws {
        let scratch = try await ScratchStore(backend)
        let log = try #require(try await scratch.open() as? any AlertLog)
        #expect(try await log.openAlerts().isEmpty)
        let warning = Self.record(.warning, at: "2026-03-09T10:04:00Z")
        #expect(try await log.recordAlertChanges([AlertChange(kind: .open, record: warning, notify: ["ops", "lead"])]) == 1)
        // The same alert again (another instance, a restart): nothing changes, no second notice.
        #expect(try await log.recordAlertChanges([AlertChange(kind: .open, record: warning, notify: ["ops", "lead"])]) == 0)
        var open = try await log.openAlerts()
        #expect(open == [warning])
        let breached = Self.record(.breached, at: "2026-03-09T10:05:01Z")
        var escalated = warning
        escalated.state = .breached
        escalated.changedAt = breached.changedAt
        #expect(try await log.recordAlertChanges([AlertChange(kind: .escalate, record: escalated, notify: ["ops", "lead"])]) == 1)
        #expect(try await log.recordAlertChanges([AlertChange(kind: .escalate, record: escalated, notify: ["ops", "lead"])]) == 0)
        open = try await log.openAlerts()
        #expect(open.map(\.state) == [.breached] && open[0].openedAt == warning.openedAt)

        var pending = try await log.pendingAlertNotices(dueBy: nil, limit: 10)
        #expect(pending.map { "\($0.state.rawValue)/\($0.destination)" } == ["warning/ops", "warning/lead", "breached/ops", "breached/lead"])
        #expect(pending[0].facts == warning.facts && pending[0].episode == warning.episode && pending[0].attempts == 0)
        try await log.markAlertNoticeSent(id: pending[0].id, at: Self.date("2026-03-09T10:04:01Z"))
        try await log.markAlertNoticeFailed(id: pending[1].id, attempts: 1, nextAttemptAt: Self.date("2026-03-09T10:04:10Z"), error: "HTTP 500")
        pending = try await log.pendingAlertNotices(dueBy: Self.date("2026-03-09T10:05:05Z"), limit: 10)
        #expect(pending.map { "\($0.state.rawValue)/\($0.destination)" } == ["warning/lead", "breached/ops", "breached/lead"])
        #expect(pending[0].attempts == 1 && pending[0].lastError == "HTTP 500")
        #expect(try await log.pendingAlertNotices(dueBy: Self.date("2026-03-09T10:04:05Z"), limit: 10).isEmpty, "not due yet")

        // Resolved: leaves the open list; opening the same conversation's alert again is refused (once per conversation).
        var resolved = escalated
        resolved.state = .resolved
        resolved.changedAt = Self.date("2026-03-09T10:06:00Z")
        resolved.resolvedAt = resolved.changedAt
        #expect(try await log.recordAlertChanges([AlertChange(kind: .resolve, record: resolved, notify: ["ops"])]) == 1)
        #expect(try await log.recordAlertChanges([AlertChange(kind: .open, record: warning, notify: ["ops"])]) == 0)
        let reopened = try #require(try await scratch.open() as? any AlertLog)
        #expect(try await reopened.openAlerts().isEmpty)
        let all = try await reopened.pendingAlertNotices(dueBy: nil, limit: 10)
        #expect(all.map { "\($0.state.rawValue)/\($0.destination)" } == ["warning/lead", "breached/ops", "breached/lead", "resolved/ops"])
        // The limit is per destination: a destination's backlog never hides another's notices.
        let first = try await reopened.pendingAlertNotices(dueBy: nil, limit: 1)
        #expect(first.map { "\($0.state.rawValue)/\($0.destination)" } == ["warning/lead", "breached/ops"])
        // A condition alert opens again in a new episode once resolved.
        let condition = AlertRecord(alert: "backlog", rule: "backlog_above", subject: "all", episode: Self.date("2026-03-09T11:00:00Z"),
                                    state: .breached, openedAt: Self.date("2026-03-09T11:00:00Z"), changedAt: Self.date("2026-03-09T11:00:00Z"),
                                    facts: AlertFacts(value: 51, threshold: 50, detail: "open conversations (every channel)"))
        var next = condition
        next.episode = Self.date("2026-03-09T12:00:00Z")
        #expect(try await reopened.recordAlertChanges([AlertChange(kind: .open, record: condition, notify: [])]) == 1)
        var closed = condition
        closed.state = .resolved
        closed.resolvedAt = Self.date("2026-03-09T11:30:00Z")
        closed.changedAt = closed.resolvedAt!
        #expect(try await reopened.recordAlertChanges([AlertChange(kind: .resolve, record: closed, notify: []),
                                                       AlertChange(kind: .open, record: next, notify: [])]) == 2)
        #expect(try await reopened.openAlerts().map(\.episode) == [next.episode])
    }
}
