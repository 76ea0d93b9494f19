import Foundation
import GRDB
import SwitchboardCore

/// `dead-letters replay` on the SQLite store: the letters of a source not yet replayed with success,
/// and the marks a replay leaves (the letters stay).
extension SQLiteStore: DeadLetterReplayStore {
    public func deadLettersToReplay(_ selection: DeadLetterSelection, after id: Int64,
                                    limit: Int) async throws -> [StoredDeadLetter] {
        try await guarded("read dead letters to replay") {
            try await pool.read { db in
                let (condition, arguments) = Self.condition(selection)
                let records = try DeadLetterRecord.fetchAll(db, sql: """
                    SELECT * FROM dead_letters WHERE \(condition) AND id > ? ORDER BY id LIMIT ?
                    """, arguments: arguments + [id, limit])
                return records.compactMap { r in r.id.map { StoredDeadLetter(id: $0, letter: r.deadLetter) } }
            }
        }
    }

    public func deadLetterKinds(_ selection: DeadLetterSelection) async throws -> [String?] {
        try await guarded("read dead letters to replay") {
            try await pool.read { db in
                let (condition, arguments) = Self.condition(selection)
                return try String?.fetchAll(db, sql: "SELECT DISTINCT kind FROM dead_letters WHERE \(condition) ORDER BY kind",
                                            arguments: arguments)
            }
        }
    }

    public func markReplayed(_ marks: [DeadLetterReplayMark]) async throws {
        guard !marks.isEmpty else { return }
        try await guarded("mark replayed dead letters") {
            try await pool.write { db in
                let update = try db.cachedStatement(sql: """
                    UPDATE dead_letters SET replayed_at = ?, replay_outcome = ?, reason = COALESCE(?, reason) WHERE id = ?
                    """)
                for m in marks {
                    update.setUncheckedArguments([Timestamp.milliseconds(m.at), m.outcome.rawValue, m.reason, m.id])
                    try update.execute()
                }
            }
        }
    }

    /// The SQL form of a ``DeadLetterSelection``.
    static func condition(_ s: DeadLetterSelection) -> (String, StatementArguments) {
        var sql = "source = ? AND (replay_outcome IS NULL OR replay_outcome = 'failed')"
        var arguments: StatementArguments = [s.source]
        if let since = s.since {
            sql += " AND at >= ?"
            arguments += [Timestamp.milliseconds(since)]
        }
        if let reason = s.reason, !reason.isEmpty {
            sql += " AND instr(lower(reason), lower(?)) > 0"
            arguments += [reason]
        }
        return (sql, arguments)
    }
}
