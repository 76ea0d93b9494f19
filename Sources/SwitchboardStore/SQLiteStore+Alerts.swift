import Foundation
import GRDB
import SwitchboardCore

/// The alerts' state and notice outbox (tables `alerts` and `alert_notices`, migration v9-alerts).
extension SQLiteStore: AlertLog {
    public func openAlerts() async throws -> [AlertRecord] {
        try await guarded("read the open alerts") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT alert, rule, subject, episode, state, opened_at, changed_at, resolved_at, facts FROM alerts
                    WHERE resolved_at IS NULL ORDER BY alert, opened_at, subject
                    """).map { row in
                    AlertRecord(alert: row[0], rule: row[1], subject: row[2], episode: AlertRows.date(row[3]),
                                state: AlertState(rawValue: row[4]) ?? .breached, openedAt: AlertRows.date(row[5]),
                                changedAt: AlertRows.date(row[6]), resolvedAt: (row[7] as Int64?).map(AlertRows.date),
                                facts: AlertFacts.decoded(row[8]))
                }
            }
        }
    }

    public func recordAlertChanges(_ changes: [AlertChange]) async throws -> Int {
        guard !changes.isEmpty else { return 0 }
        return try await guarded("record alert changes") {
            try await pool.write { db in
                var applied = 0
                for change in changes {
                    let r = change.record
                    let key: [any DatabaseValueConvertible] = [r.alert, r.subject, Timestamp.milliseconds(r.episode)]
                    switch change.kind {
                    case .open:
                        try db.execute(sql: """
                            INSERT INTO alerts (alert, subject, episode, rule, state, opened_at, changed_at, facts)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                            """, arguments: StatementArguments(key + [r.rule, r.state.rawValue, Timestamp.milliseconds(r.openedAt),
                                                                      Timestamp.milliseconds(r.changedAt), r.facts.encoded()]))
                    case .escalate:
                        try db.execute(sql: """
                            UPDATE alerts SET state = ?, changed_at = ?, facts = ?
                            WHERE alert = ? AND subject = ? AND episode = ? AND resolved_at IS NULL AND state <> ?
                            """, arguments: StatementArguments([r.state.rawValue, Timestamp.milliseconds(r.changedAt), r.facts.encoded()]
                                                                   + key + [r.state.rawValue]))
                    case .resolve:
                        try db.execute(sql: """
                            UPDATE alerts SET state = 'resolved', changed_at = ?, resolved_at = ?, facts = ?
                            WHERE alert = ? AND subject = ? AND episode = ? AND resolved_at IS NULL
                            """, arguments: StatementArguments([Timestamp.milliseconds(r.changedAt), Timestamp.milliseconds(r.changedAt),
                                                                r.facts.encoded()] + key))
                    }
                    guard db.changesCount > 0 else { continue }
                    applied += 1
                    for destination in change.notify {
                        try db.execute(sql: """
                            INSERT INTO alert_notices (alert, rule, subject, episode, state, destination, created_at, facts, next_attempt_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                            """, arguments: [r.alert, r.rule, r.subject, Timestamp.milliseconds(r.episode), r.state.rawValue, destination,
                                             Timestamp.milliseconds(r.changedAt), r.facts.encoded(), Timestamp.milliseconds(r.changedAt)])
                    }
                }
                return applied
            }
        }
    }

    public func pendingAlertNotices(dueBy: Date?, limit: Int) async throws -> [AlertNotice] {
        try await guarded("read the pending alert notices") {
            try await pool.read { db in
                // At most `limit` per destination: a dead destination's backlog never hides the others' notices.
                try Row.fetchAll(db, sql: """
                    SELECT id, alert, rule, subject, episode, state, destination, created_at, facts, sent_at, attempts,
                           next_attempt_at, last_error FROM (
                        SELECT *, ROW_NUMBER() OVER (PARTITION BY destination ORDER BY id) AS n FROM alert_notices
                        WHERE sent_at IS NULL AND next_attempt_at <= ?
                    ) WHERE n <= ? ORDER BY id
                    """, arguments: [dueBy.map(Timestamp.milliseconds) ?? Int64.max, limit]).map { row in
                    AlertNotice(id: row[0], alert: row[1], rule: row[2], subject: row[3], episode: AlertRows.date(row[4]),
                                state: AlertState(rawValue: row[5]) ?? .breached, destination: row[6], createdAt: AlertRows.date(row[7]),
                                facts: AlertFacts.decoded(row[8]), sentAt: (row[9] as Int64?).map(AlertRows.date), attempts: row[10],
                                nextAttemptAt: AlertRows.date(row[11]), lastError: row[12])
                }
            }
        }
    }

    public func markAlertNoticeSent(id: Int64, at: Date) async throws {
        try await guarded("record a delivered alert notice") {
            try await pool.write { db in
                try db.execute(sql: "UPDATE alert_notices SET sent_at = ?, attempts = attempts + 1 WHERE id = ?",
                               arguments: [Timestamp.milliseconds(at), id])
            }
        }
    }

    public func markAlertNoticeFailed(id: Int64, attempts: Int, nextAttemptAt: Date, error: String) async throws {
        try await guarded("record a failed alert notice") {
            try await pool.write { db in
                try db.execute(sql: "UPDATE alert_notices SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ? AND sent_at IS NULL",
                               arguments: [attempts, Timestamp.milliseconds(nextAttemptAt), error, id])
            }
        }
    }
}

/// Shared by both stores' alert code.
enum AlertRows {
    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
}
