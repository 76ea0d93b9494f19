import Foundation
import GRDB
import PostgresNIO
import SwitchboardCore

/// What ``StoreCopy/copy(from:to:batchSize:progress:)`` moved.
public struct StoreCopyResult: Sendable, Hashable {
    public var interactions = 0
    public var alreadyThere = 0
    public var checkpoints = 0
    public var deadLetters = 0
    public var runs = 0
    /// Scheduled report deliveries, alerts, alert notices and connector credentials (``StoreCopy/copyState(from:to:)``).
    public var reportSends = 0
    public var alerts = 0
    public var alertNotices = 0
    public var credentials = 0
}

/// Copies a SQLite store into PostgreSQL (`switchboard migrate --to postgres://…`).
///
/// Idempotent: interactions are inserted in storage order with the id conflict
/// skipping those already there; dead letters only when no letter of the same (source,
/// provenance, digest) is there yet, and runs only when an identical one is not there yet;
/// a checkpoint replaces the target's only when newer. Then what `serve` keeps between runs (``copyState(from:to:)``).
public enum StoreCopy {
    public static func copy(from source: SQLiteStore, to target: PostgresStore, batchSize: Int = 5_000,
                            progress: @Sendable (Int) -> Void = { _ in }) async throws -> StoreCopyResult {
        var result = StoreCopyResult()
        var lastSeq: Int64 = 0
        while true {
            let after = lastSeq
            let (rows, seq): ([Interaction], Int64) = try await source.pool.read { db in
                var out: [Interaction] = []
                var last = after
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT \(SQLiteSchema.selectColumns), seq FROM interactions WHERE seq > ? ORDER BY seq LIMIT ?
                    """, arguments: [after, batchSize])
                while let row = try cursor.next() {
                    last = row[SQLiteSchema.columns.count]
                    out.append(try SQLiteStore.interaction(row))
                }
                return (out, last)
            }
            if rows.isEmpty { break }
            lastSeq = seq
            let written = try await target.write(IngestBatch(source: "migrate", interactions: rows))
            result.interactions += written.stored
            result.alreadyThere += written.duplicates
            progress(result.interactions + result.alreadyThere)
        }
        // Agent events (queue_log activity) with their ids: those already there are skipped.
        let events = try await source.agentEvents(sources: nil, before: nil)
        for start in stride(from: 0, to: events.count, by: batchSize) {
            var batch = IngestBatch(source: "migrate")
            batch.agentEvents = Array(events[start..<min(start + batchSize, events.count)])
            _ = try await target.write(batch)
        }
        let (checkpoints, letters, runs) = try await source.pool.read { db in
            (try Row.fetchAll(db, sql: "SELECT source, state, updated_at FROM checkpoints ORDER BY source").map {
                CheckpointRow(source: $0["source"], state: $0["state"], updated: $0["updated_at"])
             },
             try Row.fetchAll(db, sql: """
                SELECT source, at, reason, provenance, raw, digest, kind, context, replayed_at, replay_outcome
                FROM dead_letters ORDER BY id
                """).map {
                DeadLetterRow(source: $0["source"], at: $0["at"], reason: $0["reason"], provenance: $0["provenance"], raw: $0["raw"],
                              digest: $0["digest"], kind: $0["kind"], context: $0["context"], replayedAt: $0["replayed_at"],
                              replayOutcome: $0["replay_outcome"])
             },
             try Row.fetchAll(db, sql: """
                SELECT source, mode, started_at, finished_at, read, stored, duplicates, rejected, status, error
                FROM ingest_runs ORDER BY id
                """).map {
                RunRow(source: $0["source"], mode: $0["mode"], started: $0["started_at"], finished: $0["finished_at"],
                       read: $0["read"], stored: $0["stored"], duplicates: $0["duplicates"], rejected: $0["rejected"],
                       status: $0["status"], error: $0["error"])
             })
        }
        let logger = target.logger
        let copied = try await target.withTransaction("copy checkpoints, dead letters and runs") { conn in
            var counts = (0, 0, 0)
            let reader = PostgresReader(conn, logger: logger)
            for r in checkpoints {
                let (source, state, updated) = (r.source, r.state, r.updated)
                let rows = try await reader.rows("""
                    INSERT INTO checkpoints (source, state, updated_at) VALUES (\(source), \(state), \(updated))
                    ON CONFLICT (source) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                    WHERE checkpoints.updated_at < excluded.updated_at
                    RETURNING 1
                    """)
                counts.0 += rows.count
            }
            for r in letters {
                let (source, at, reason, provenance, raw, digest) = (r.source, r.at, r.reason, r.provenance, r.raw, r.digest)
                let (kind, context, replayedAt, replayOutcome) = (r.kind, r.context, r.replayedAt, r.replayOutcome)
                let rows = try await reader.rows("""
                    INSERT INTO dead_letters (source, at, reason, provenance, raw, digest, kind, context, replayed_at, replay_outcome)
                    VALUES (\(source), \(at), \(reason), \(provenance), \(raw), \(digest), \(kind), \(context), \(replayedAt),
                            \(replayOutcome))
                    ON CONFLICT (source, md5(provenance), digest) DO NOTHING
                    RETURNING 1
                    """)
                counts.1 += rows.count
            }
            for r in runs {
                let (source, mode, started, finished, status, error) = (r.source, r.mode, r.started, r.finished, r.status, r.error)
                let (read, stored, duplicates, rejected) = (r.read, r.stored, r.duplicates, r.rejected)
                let rows = try await reader.rows("""
                    INSERT INTO ingest_runs (source, mode, started_at, finished_at, "read", stored, duplicates, rejected, status, error)
                    SELECT \(source), \(mode), \(started), \(finished), \(read), \(stored), \(duplicates), \(rejected), \(status), \(error)
                    WHERE NOT EXISTS (SELECT 1 FROM ingest_runs WHERE source = \(source) AND mode = \(mode) AND started_at = \(started))
                    RETURNING 1
                    """)
                counts.2 += rows.count
            }
            return counts
        }
        result.checkpoints = copied.0
        result.deadLetters = copied.1
        result.runs = copied.2
        (result.reportSends, result.alerts, result.alertNotices, result.credentials) = try await copyState(from: source, to: target)
        return result
    }
}

private struct CheckpointRow: Sendable { var source: String; var state: Data; var updated: Int64 }
private struct DeadLetterRow: Sendable {
    var source: String, at: Int64, reason: String, provenance: String, raw: Data, digest: String
    var kind: String?, context: String?, replayedAt: Int64?, replayOutcome: String?
}
private struct RunRow: Sendable {
    var source: String, mode: String, started: Int64, finished: Int64?
    var read: Int, stored: Int, duplicates: Int, rejected: Int
    var status: String, error: String?
}
