import Foundation
import Logging
import PostgresNIO
import SwitchboardCore

/// The store for several processes or machines: one PostgreSQL database (postgres-nio).
///
/// Same tables, migration names and semantics as ``SQLiteStore``: every ``write(_:)``
/// is one transaction holding the batch's interactions (one UNNEST insert with
/// `ON CONFLICT (id) DO NOTHING`), its dead letters and its checkpoint. Connections
/// come from a pool that replaces broken ones; a call that fails because the
/// connection broke is tried again on a fresh one.
public final class PostgresStore: InteractionStore {
    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>

    /// Connects to and migrates the database at `url`.
    /// - Throws: ``StoreError`` naming the server (password hidden) when it cannot be reached or migrated.
    public static func open(url: String, logger: Logger = Logger(label: "switchboard.store.postgres")) async throws -> PostgresStore {
        let location = try PostgresLocation(url: url)
        let store = PostgresStore(location: location, logger: logger)
        let started = ContinuousClock.now
        do {
            // The pool keeps trying to connect while the server is down: give up after
            // connect_timeout by shutting the pool down, which fails the waiting lease.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await PostgresSchema.migrate(store.client, logger: logger) }
                group.addTask {
                    try await Task.sleep(for: .seconds(location.connectTimeout))
                    store.close()
                    throw CancellationError()
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            store.close()
            if ContinuousClock.now - started >= .seconds(location.connectTimeout) {
                throw StoreError(.unavailable, "PostgreSQL store \(location.redacted): cannot open the store: no answer within "
                                 + "\(location.connectTimeout) s; is the server running and the URL right?")
            }
            throw store.storeError(error, action: "open the store")
        }
        return store
    }

    private init(location: PostgresLocation, logger: Logger) {
        self.location = location
        self.logger = logger
        let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    /// Closes every pooled connection. The store is unusable afterwards.
    public func close() { runner.cancel() }

    deinit { runner.cancel() }

    public func write(_ batch: IngestBatch) async throws -> IngestBatchResult {
        try await guarded("write") {
            try await client.withTransaction(logger: logger) { conn in
                var result = IngestBatchResult(stored: 0, duplicates: 0)
                if !batch.interactions.isEmpty {
                    let stored = try await Self.insert(batch.interactions, on: conn, logger: logger)
                    result = IngestBatchResult(stored: stored, duplicates: batch.interactions.count - stored)
                }
                for d in batch.deadLetters {
                    try await conn.query("""
                        INSERT INTO dead_letters (source, at, reason, provenance, raw)
                        VALUES (\(d.source), \(Timestamp.milliseconds(d.at)), \(d.reason), \(d.provenance), \(d.raw))
                        """, logger: logger)
                }
                if let cp = batch.checkpoint {
                    try await conn.query("""
                        INSERT INTO checkpoints (source, state, updated_at) VALUES (\(cp.source), \(cp.state), \(Timestamp.milliseconds(cp.updatedAt)))
                        ON CONFLICT (source) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                        """, logger: logger)
                }
                return result
            }
        }
    }

    public func checkpoint(source: String) async throws -> Checkpoint? {
        try await guarded("read a checkpoint") {
            let rows = try await client.query("SELECT state, updated_at FROM checkpoints WHERE source = \(source)", logger: logger)
            for try await (state, updated) in rows.decode((Data, Int64).self) {
                return Checkpoint(source: source, state: state, updatedAt: Self.date(updated))
            }
            return nil
        }
    }

    public func startRun(source: String, mode: String, at: Date) async throws -> IngestRun {
        try await guarded("record a run") {
            let rows = try await client.query("""
                INSERT INTO ingest_runs (source, mode, started_at, status) VALUES (\(source), \(mode), \(Timestamp.milliseconds(at)), 'running')
                RETURNING id
                """, logger: logger)
            for try await id in rows.decode(Int64.self) {
                return IngestRun(id: id, source: source, mode: mode, startedAt: at)
            }
            throw StoreError(.query, "PostgreSQL store \(location.redacted): the new run got no id")
        }
    }

    public func finishRun(_ run: IngestRun) async throws {
        _ = try await guarded("record a run") {
            try await client.query("""
                UPDATE ingest_runs SET finished_at = \(run.finishedAt.map(Timestamp.milliseconds)), "read" = \(run.read),
                    stored = \(run.stored), duplicates = \(run.duplicates), rejected = \(run.rejected),
                    status = \(run.status), error = \(run.error)
                WHERE id = \(run.id)
                """, logger: logger)
        }
    }

    public func runs(source: String?, limit: Int) async throws -> [IngestRun] {
        try await guarded("read runs") {
            let rows = try await client.query("""
                SELECT id, source, mode, started_at, finished_at, "read", stored, duplicates, rejected, status, error
                FROM ingest_runs WHERE (\(source)::text IS NULL OR source = \(source)) ORDER BY id DESC LIMIT \(limit)
                """, logger: logger)
            var out: [IngestRun] = []
            for try await row in rows {
                let r = row.makeRandomAccess()
                out.append(IngestRun(
                    id: try r[0].decode(Int64.self), source: try r[1].decode(String.self), mode: try r[2].decode(String.self),
                    startedAt: Self.date(try r[3].decode(Int64.self)), finishedAt: try r[4].decode(Int64?.self).map(Self.date),
                    read: try r[5].decode(Int.self), stored: try r[6].decode(Int.self), duplicates: try r[7].decode(Int.self),
                    rejected: try r[8].decode(Int.self), status: try r[9].decode(String.self), error: try r[10].decode(String?.self)))
            }
            return out
        }
    }

    public func deadLetters(source: String?, limit: Int) async throws -> [DeadLetter] {
        try await guarded("read dead letters") {
            let rows = try await client.query("""
                SELECT source, at, reason, provenance, raw FROM dead_letters
                WHERE (\(source)::text IS NULL OR source = \(source)) ORDER BY id DESC LIMIT \(limit)
                """, logger: logger)
            var out: [DeadLetter] = []
            for try await (s, at, reason, provenance, raw) in rows.decode((String, Int64, String, String, Data).self) {
                out.append(DeadLetter(source: s, at: Self.date(at), reason: reason, provenance: provenance, raw: raw))
            }
            return out
        }
    }

    public func scan(_ query: InteractionQuery, _ body: @Sendable (Interaction) throws -> Void) async throws {
        var conditions: [String] = []
        var binds = PostgresBindings()
        if let sources = query.sources {
            binds.append(sources)
            conditions.append("source = ANY($\(binds.count)::text[])")
        }
        if let from = query.from {
            binds.append(Timestamp.milliseconds(from))
            conditions.append("occurred_at >= $\(binds.count)")
        }
        if let to = query.to {
            binds.append(Timestamp.milliseconds(to))
            conditions.append("occurred_at < $\(binds.count)")
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let order = query.order == .conversation ? "source, conversation_key, occurred_at, seq" : "occurred_at, seq"
        let columns = query.content ? PostgresSchema.selectColumns : PostgresSchema.selectColumnsWithoutContent
        let sql = PostgresQuery(unsafeSQL: "SELECT \(columns) FROM interactions\(whereClause) ORDER BY \(order)", binds: binds)
        // Not retried: rows may already have reached `body`.
        try await guarded("read interactions", retry: false) {
            try await client.withConnection { conn in
                for try await row in try await conn.query(sql, logger: logger) {
                    try body(try Self.interaction(row))
                }
            }
        }
    }

    public func sourceStats() async throws -> [String: SourceStats] {
        try await guarded("read source totals") {
            var stats: [String: SourceStats] = [:]
            for try await (source, n) in try await client.query(
                "SELECT source, COUNT(*) FROM interactions GROUP BY source", logger: logger).decode((String, Int).self) {
                stats[source, default: SourceStats()].stored = n
            }
            for try await (source, n) in try await client.query(
                "SELECT source, COALESCE(SUM(duplicates), 0)::bigint FROM ingest_runs GROUP BY source", logger: logger)
                .decode((String, Int).self) {
                stats[source, default: SourceStats()].duplicates = n
            }
            for try await (source, n) in try await client.query(
                "SELECT source, COUNT(*) FROM dead_letters GROUP BY source", logger: logger).decode((String, Int).self) {
                stats[source, default: SourceStats()].deadLetters = n
            }
            return stats
        }
    }

    public func count(source: String?) async throws -> Int {
        try await guarded("count interactions") {
            for try await n in try await client.query(
                "SELECT COUNT(*) FROM interactions WHERE (\(source)::text IS NULL OR source = \(source))", logger: logger)
                .decode(Int.self) {
                return n
            }
            return 0
        }
    }

    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
}
