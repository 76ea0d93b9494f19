import Foundation
import Logging
import PostgresNIO
import SwitchboardCore

/// `dead-letters replay` on the PostgreSQL store: the letters of a source not yet replayed with success,
/// and the marks a replay leaves (the letters stay).
extension PostgresStore: DeadLetterReplayStore {
    /// The columns ``deadLetter(_:)`` reads, in its order.
    static let deadLetterColumns = "id, source, at, reason, provenance, raw, kind, context, replayed_at, replay_outcome"

    /// A row of ``deadLetterColumns``.
    static func deadLetter(_ row: PostgresRow) throws -> StoredDeadLetter {
        let r = row.makeRandomAccess()
        let letter = DeadLetter(
            source: try r[1].decode(String.self), at: date(try r[2].decode(Int64.self)), reason: try r[3].decode(String.self),
            provenance: try r[4].decode(String.self), raw: try r[5].decode(Data.self),
            replay: ReplayContext.stored(kind: try r[6].decode(String?.self), values: try r[7].decode(String?.self)),
            replayedAt: try r[8].decode(Int64?.self).map(date),
            replayOutcome: try r[9].decode(String?.self).flatMap(ReplayOutcome.init(rawValue:)))
        return StoredDeadLetter(id: try r[0].decode(Int64.self), letter: letter)
    }

    public func deadLettersToReplay(_ selection: DeadLetterSelection, after id: Int64,
                                    limit: Int) async throws -> [StoredDeadLetter] {
        let query = Self.selected("SELECT \(Self.deadLetterColumns) FROM dead_letters", selection,
                                  then: " AND id > $4 ORDER BY id LIMIT $5", [id, Int64(limit)])
        return try await read("read dead letters to replay") { reader in
            try await reader.rows(query).map(Self.deadLetter)
        }
    }

    public func deadLetterKinds(_ selection: DeadLetterSelection) async throws -> [String?] {
        let query = Self.selected("SELECT DISTINCT kind FROM dead_letters", selection, then: " ORDER BY kind", [])
        return try await read("read dead letters to replay") { reader in
            try await reader.rows(query).map { try $0.decode(String?.self) }
        }
    }

    public func markReplayed(_ marks: [DeadLetterReplayMark]) async throws {
        guard !marks.isEmpty else { return }
        let logger = logger
        try await withTransaction("mark replayed dead letters") { conn in
            for m in marks {
                let (at, outcome, reason, id) = (Timestamp.milliseconds(m.at), m.outcome.rawValue, m.reason, m.id)
                try await conn.query("""
                    UPDATE dead_letters SET replayed_at = \(at), replay_outcome = \(outcome),
                        reason = COALESCE(\(reason)::text, reason) WHERE id = \(id)
                    """, logger: logger)
            }
        }
    }

    /// `head` with the condition of a ``DeadLetterSelection`` (parameters $1–$3), then `tail`
    /// with its parameters from $4.
    static func selected(_ head: String, _ s: DeadLetterSelection, then tail: String, _ more: [Int64]) -> PostgresQuery {
        var binds = PostgresBindings()
        binds.append(s.source)
        binds.append(s.since.map(Timestamp.milliseconds))
        binds.append(s.reason.flatMap { $0.isEmpty ? nil : $0 })
        for m in more { binds.append(m) }
        return PostgresQuery(unsafeSQL: head + """
             WHERE source = $1 AND (replay_outcome IS NULL OR replay_outcome = 'failed')
             AND ($2::bigint IS NULL OR at >= $2) AND ($3::text IS NULL OR strpos(lower(reason), lower($3)) > 0)
            """ + tail, binds: binds)
    }
}
