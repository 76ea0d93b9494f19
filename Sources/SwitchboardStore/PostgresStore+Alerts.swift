import Foundation
import PostgresNIO
import SwitchboardCore

/// The alerts' state and notice outbox (tables `alerts` and `alert_notices`, migration v9-alerts), shared by every
/// instance; `serve` writes them under the lock `alerts:monitor`, so each state change is recorded (and sent) once.
extension PostgresStore: AlertLog {
    public func openAlerts() async throws -> [AlertRecord] {
        try await read("read the open alerts") { reader in
            var out: [AlertRecord] = []
            for row in try await reader.rows("""
                SELECT alert, rule, subject, episode, state, opened_at, changed_at, resolved_at, facts FROM alerts
                WHERE resolved_at IS NULL ORDER BY alert, opened_at, subject
                """) {
                let (alert, rule, subject, episode, state, opened, changed, resolved, facts) =
                    try row.decode((String, String, String, Int64, String, Int64, Int64, Int64?, String).self)
                out.append(AlertRecord(alert: alert, rule: rule, subject: subject, episode: AlertRows.date(episode),
                                       state: AlertState(rawValue: state) ?? .breached, openedAt: AlertRows.date(opened),
                                       changedAt: AlertRows.date(changed), resolvedAt: resolved.map(AlertRows.date),
                                       facts: AlertFacts.decoded(facts)))
            }
            return out
        }
    }

    public func recordAlertChanges(_ changes: [AlertChange]) async throws -> Int {
        guard !changes.isEmpty else { return 0 }
        let logger = logger
        return try await withTransaction("record alert changes") { conn in
            let reader = PostgresReader(conn, logger: logger)
            var applied = 0
            for change in changes {
                let r = change.record
                let episode = Timestamp.milliseconds(r.episode), changed = Timestamp.milliseconds(r.changedAt)
                let facts = r.facts.encoded(), state = r.state.rawValue
                let rows: [PostgresRow]
                switch change.kind {
                case .open:
                    rows = try await reader.rows("""
                        INSERT INTO alerts (alert, subject, episode, rule, state, opened_at, changed_at, facts)
                        VALUES (\(r.alert), \(r.subject), \(episode), \(r.rule), \(state), \(Timestamp.milliseconds(r.openedAt)), \(changed), \(facts))
                        ON CONFLICT DO NOTHING RETURNING 1
                        """)
                case .escalate:
                    rows = try await reader.rows("""
                        UPDATE alerts SET state = \(state), changed_at = \(changed), facts = \(facts)
                        WHERE alert = \(r.alert) AND subject = \(r.subject) AND episode = \(episode) AND resolved_at IS NULL
                          AND state <> \(state) RETURNING 1
                        """)
                case .resolve:
                    rows = try await reader.rows("""
                        UPDATE alerts SET state = 'resolved', changed_at = \(changed), resolved_at = \(changed), facts = \(facts)
                        WHERE alert = \(r.alert) AND subject = \(r.subject) AND episode = \(episode) AND resolved_at IS NULL RETURNING 1
                        """)
                }
                guard !rows.isEmpty else { continue }
                applied += 1
                for destination in change.notify {
                    _ = try await reader.rows("""
                        INSERT INTO alert_notices (alert, rule, subject, episode, state, destination, created_at, facts, next_attempt_at)
                        VALUES (\(r.alert), \(r.rule), \(r.subject), \(episode), \(state), \(destination), \(changed), \(facts), \(changed))
                        ON CONFLICT DO NOTHING
                        """)
                }
            }
            return applied
        }
    }

    public func pendingAlertNotices(dueBy: Date?, limit: Int) async throws -> [AlertNotice] {
        let due = dueBy.map(Timestamp.milliseconds) ?? Int64.max
        return try await read("read the pending alert notices") { reader in
            var out: [AlertNotice] = []
            // At most `limit` per destination: a dead destination's backlog never hides the others' notices.
            for row in try await reader.rows("""
                SELECT id, alert, rule, subject, episode, state, destination, created_at, facts, sent_at, attempts,
                       next_attempt_at, last_error FROM (
                    SELECT *, ROW_NUMBER() OVER (PARTITION BY destination ORDER BY id) AS n FROM alert_notices
                    WHERE sent_at IS NULL AND next_attempt_at <= \(due)
                ) AS p WHERE n <= \(limit) ORDER BY id
                """) {
                let (id, alert, rule, subject, episode, state, destination, created, facts, sent, attempts, next, error) =
                    try row.decode((Int64, String, String, String, Int64, String, String, Int64, String, Int64?, Int32, Int64, String?).self)
                out.append(AlertNotice(id: id, alert: alert, rule: rule, subject: subject, episode: AlertRows.date(episode),
                                       state: AlertState(rawValue: state) ?? .breached, destination: destination,
                                       createdAt: AlertRows.date(created), facts: AlertFacts.decoded(facts),
                                       sentAt: sent.map(AlertRows.date), attempts: Int(attempts), nextAttemptAt: AlertRows.date(next),
                                       lastError: error))
            }
            return out
        }
    }

    public func markAlertNoticeSent(id: Int64, at: Date) async throws {
        let logger = logger
        _ = try await withConnection("record a delivered alert notice") { conn in
            try await PostgresReader(conn, logger: logger).rows(
                "UPDATE alert_notices SET sent_at = \(Timestamp.milliseconds(at)), attempts = attempts + 1 WHERE id = \(id)")
        }
    }

    public func markAlertNoticeFailed(id: Int64, attempts: Int, nextAttemptAt: Date, error: String) async throws {
        let logger = logger
        let count = Int32(clamping: attempts)
        _ = try await withConnection("record a failed alert notice") { conn in
            try await PostgresReader(conn, logger: logger).rows("""
                UPDATE alert_notices SET attempts = \(count), next_attempt_at = \(Timestamp.milliseconds(nextAttemptAt)),
                       last_error = \(error) WHERE id = \(id) AND sent_at IS NULL
                """)
        }
    }
}
