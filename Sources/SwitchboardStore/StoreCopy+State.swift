import Foundation
import GRDB
import PostgresNIO
import SwitchboardCore

/// What `serve` keeps between runs, copied by ``StoreCopy``: the sent log of scheduled reports, the alerts and their
/// notices, and the credentials connectors obtained (sealed OAuth2 refresh tokens). Without them, a store moved to
/// PostgreSQL would send the last report slot and every open alert's notices again, and an `imap` source with OAuth2
/// would have to be authorised again.
///
/// Idempotent like the rest of the copy: a report send, an alert or a notice already there is kept, but an alert
/// or a notice the SQLite store has seen further (changed later, sent, tried more often) updates it; a credential
/// replaces the target's only when newer.
extension StoreCopy {
    static func copyState(from source: SQLiteStore, to target: PostgresStore) async throws -> (sends: Int, alerts: Int, notices: Int, credentials: Int) {
        let (sends, alerts, notices, credentials) = try await source.pool.read { db in
            (try Row.fetchAll(db, sql: "SELECT report, slot, destination, period_from, period_to, sent_at FROM report_sends ORDER BY rowid")
                .map { SendRow(report: $0["report"], slot: $0["slot"], destination: $0["destination"], from: $0["period_from"],
                               to: $0["period_to"], sentAt: $0["sent_at"]) },
             try Row.fetchAll(db, sql: """
                SELECT alert, subject, episode, rule, state, opened_at, changed_at, resolved_at, facts FROM alerts ORDER BY rowid
                """).map { AlertRow(alert: $0["alert"], subject: $0["subject"], episode: $0["episode"], rule: $0["rule"], state: $0["state"],
                                    openedAt: $0["opened_at"], changedAt: $0["changed_at"], resolvedAt: $0["resolved_at"], facts: $0["facts"]) },
             try Row.fetchAll(db, sql: """
                SELECT alert, rule, subject, episode, state, destination, created_at, facts, sent_at, attempts, next_attempt_at, last_error
                FROM alert_notices ORDER BY id
                """).map { NoticeRow(alert: $0["alert"], rule: $0["rule"], subject: $0["subject"], episode: $0["episode"], state: $0["state"],
                                     destination: $0["destination"], createdAt: $0["created_at"], facts: $0["facts"], sentAt: $0["sent_at"],
                                     attempts: $0["attempts"], nextAttemptAt: $0["next_attempt_at"], lastError: $0["last_error"]) },
             try Row.fetchAll(db, sql: "SELECT source, sealed, updated_at FROM oauth_tokens ORDER BY source")
                .map { CredentialRow(source: $0["source"], sealed: $0["sealed"], updated: $0["updated_at"]) })
        }
        let logger = target.logger
        return try await target.withTransaction("copy report sends, alerts and credentials") { conn in
            let reader = PostgresReader(conn, logger: logger)
            var counts = (sends: 0, alerts: 0, notices: 0, credentials: 0)
            for s in sends {
                let (report, slot, destination, from, to, sentAt) = (s.report, s.slot, s.destination, s.from, s.to, s.sentAt)
                counts.sends += try await reader.rows("""
                    INSERT INTO report_sends (report, slot, destination, period_from, period_to, sent_at)
                    VALUES (\(report), \(slot), \(destination), \(from), \(to), \(sentAt))
                    ON CONFLICT (report, slot, destination) DO NOTHING RETURNING 1
                    """).count
            }
            for a in alerts {
                let (alert, subject, episode, rule, state) = (a.alert, a.subject, a.episode, a.rule, a.state)
                let (openedAt, changedAt, resolvedAt, facts) = (a.openedAt, a.changedAt, a.resolvedAt, a.facts)
                counts.alerts += try await reader.rows("""
                    INSERT INTO alerts (alert, subject, episode, rule, state, opened_at, changed_at, resolved_at, facts)
                    VALUES (\(alert), \(subject), \(episode), \(rule), \(state), \(openedAt), \(changedAt), \(resolvedAt), \(facts))
                    ON CONFLICT (alert, subject, episode) DO UPDATE SET rule = excluded.rule, state = excluded.state,
                        changed_at = excluded.changed_at, resolved_at = excluded.resolved_at, facts = excluded.facts
                    WHERE alerts.changed_at < excluded.changed_at
                    RETURNING 1
                    """).count
            }
            for n in notices {
                let (alert, rule, subject, episode, state, destination) = (n.alert, n.rule, n.subject, n.episode, n.state, n.destination)
                let (createdAt, facts, sentAt, attempts, next, lastError) = (n.createdAt, n.facts, n.sentAt, n.attempts, n.nextAttemptAt, n.lastError)
                counts.notices += try await reader.rows("""
                    INSERT INTO alert_notices (alert, rule, subject, episode, state, destination, created_at, facts, sent_at, attempts,
                                               next_attempt_at, last_error)
                    VALUES (\(alert), \(rule), \(subject), \(episode), \(state), \(destination), \(createdAt), \(facts), \(sentAt),
                            \(attempts), \(next), \(lastError))
                    ON CONFLICT (alert, subject, episode, state, destination) DO UPDATE SET
                        sent_at = coalesce(alert_notices.sent_at, excluded.sent_at), attempts = excluded.attempts,
                        next_attempt_at = excluded.next_attempt_at, last_error = excluded.last_error
                    WHERE (alert_notices.sent_at IS NULL AND excluded.sent_at IS NOT NULL) OR alert_notices.attempts < excluded.attempts
                    RETURNING 1
                    """).count
            }
            for c in credentials {
                let (source, sealed, updated) = (c.source, c.sealed, c.updated)
                counts.credentials += try await reader.rows("""
                    INSERT INTO oauth_tokens (source, sealed, updated_at) VALUES (\(source), \(sealed), \(updated))
                    ON CONFLICT (source) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
                    WHERE oauth_tokens.updated_at < excluded.updated_at
                    RETURNING 1
                    """).count
            }
            return counts
        }
    }
}

private struct SendRow: Sendable { var report: String, slot: Int64, destination: String, from: Int64, to: Int64, sentAt: Int64 }
private struct AlertRow: Sendable {
    var alert: String, subject: String, episode: Int64, rule: String, state: String
    var openedAt: Int64, changedAt: Int64, resolvedAt: Int64?, facts: String
}
private struct NoticeRow: Sendable {
    var alert: String, rule: String, subject: String, episode: Int64, state: String, destination: String
    var createdAt: Int64, facts: String, sentAt: Int64?, attempts: Int, nextAttemptAt: Int64, lastError: String?
}
private struct CredentialRow: Sendable { var source: String, sealed: Data, updated: Int64 }
