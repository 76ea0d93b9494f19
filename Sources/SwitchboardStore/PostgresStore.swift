import Foundation
import Logging
import PostgresNIO
import SwitchboardCore
import SwitchboardScan

/// The store for several processes or machines: one PostgreSQL database (postgres-nio).
///
/// Same tables, migration names and semantics as ``SQLiteStore``: every ``write(_:)``
/// is one transaction holding the batch's interactions (one UNNEST insert with
/// `ON CONFLICT (id) DO NOTHING`), its dead letters and its checkpoint. Connections
/// come from a pool that replaces broken ones; a call that fails because the
/// connection broke is tried again on a fresh one.
public final class PostgresStore: MetricsStore, RuleTopicsStore {
    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>
    /// Dedicated connections holding advisory locks of ``tryLock(source:)``.
    let lockConnections = LockConnections()

    /// Connects to and migrates the database at `url`.
    ///
    /// One direct connection first, so an unreachable server, a wrong password or a missing
    /// database is reported at once with the server's reason (within `connect_timeout`);
    /// then the migrations run on the pool.
    /// - Throws: ``StoreError`` naming the server (password hidden) and what went wrong.
    public static func open(url: String, logger: Logger = Logger(label: "switchboard.store.postgres")) async throws -> PostgresStore {
        let location = try PostgresLocation(url: url)
        let store = PostgresStore(location: location, logger: logger)
        do {
            let probe = try await PostgresConnection.connect(configuration: try location.connectionConfiguration(),
                                                             id: 0, logger: logger)
            try? await probe.close()
            try await store.withConnection("open the store") { conn in try await PostgresSchema.migrate(conn, logger: logger) }
        } catch {
            store.close()
            throw store.storeError(error, action: "open the store")
        }
        return store
    }

    private init(location: PostgresLocation, logger: Logger) {
        self.location = location
        self.logger = logger
        // The pool logs every failed connection attempt at info level; the store reports
        // what matters itself (see `withConnection`).
        var background = logger
        background.logLevel = max(logger.logLevel, .warning)
        let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: background)
        self.client = client
        runner = Task { await client.run() }
    }

    /// Closes every pooled connection and every connection holding a source lock (the
    /// server releases those locks). The store is unusable afterwards.
    public func close() {
        runner.cancel()
        lockConnections.closeAll()
    }

    deinit { close() }

    /// Group commits overlap: while one waits for the server's commit, the next is sent on another connection.
    /// Rows of overlapping transactions may commit out of seq order, which every seq reader allows for
    /// (``MetricsTailPosition``), as it must with several instances writing.
    public var concurrentWrites: Int { 2 }

    public func write(_ batch: IngestBatch) async throws -> IngestBatchResult {
        let logger = logger
        let action = "write a batch of \(batch.interactions.count) interactions of '\(batch.source)'"
        if batch.deadLetters.isEmpty, batch.agentEvents.isEmpty, batch.checkpoint == nil {
            // Interactions alone go in one statement, which is its own transaction: no BEGIN and COMMIT round
            // trips (a webhook group commit waits for each).
            guard !batch.interactions.isEmpty else { return IngestBatchResult(stored: 0, duplicates: 0) }
            return try await withConnection(action) { conn in
                let stored = try await Self.insert(batch.interactions, on: conn, logger: logger)
                return IngestBatchResult(stored: stored, duplicates: batch.interactions.count - stored)
            }
        }
        return try await withTransaction(action) { conn in
            var result = IngestBatchResult(stored: 0, duplicates: 0)
            if !batch.interactions.isEmpty {
                let stored = try await Self.insert(batch.interactions, on: conn, logger: logger)
                result = IngestBatchResult(stored: stored, duplicates: batch.interactions.count - stored)
            }
            for d in batch.deadLetters {
                // A letter already stored (the same file imported again) is skipped.
                try await conn.query("""
                    INSERT INTO dead_letters (source, at, reason, provenance, raw, digest, kind, context)
                    VALUES (\(d.source), \(Timestamp.milliseconds(d.at)), \(d.reason), \(d.provenance), \(d.raw), \(d.digest),
                            \(d.replay?.kind), \(d.replay?.encodedValues))
                    ON CONFLICT (source, md5(provenance), digest) DO NOTHING
                    """, logger: logger)
            }
            try await Self.insert(batch.agentEvents, on: conn, logger: logger)
            if let cp = batch.checkpoint { try await Self.save(cp, on: conn, logger: logger) }
            return result
        }
    }

    /// The checkpoint upsert of ``write(_:)`` and ``updateRuleTopics(_:checkpoint:)``.
    static func save(_ cp: Checkpoint, on conn: PostgresConnection, logger: Logger) async throws {
        try await conn.query("""
            INSERT INTO checkpoints (source, state, updated_at) VALUES (\(cp.source), \(cp.state), \(Timestamp.milliseconds(cp.updatedAt)))
            ON CONFLICT (source) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
            """, logger: logger)
    }

    public func customerMessages(after seq: Int64, limit: Int) async throws -> [StoredMessage] {
        let sql = PostgresQuery(unsafeSQL: """
            SELECT \(PostgresSchema.selectColumns), seq FROM interactions
            WHERE seq > $1 AND kind = 'message' AND actor_role = 'customer' ORDER BY seq LIMIT $2
            """, binds: { var b = PostgresBindings(); b.append(seq); b.append(Int64(limit)); return b }())
        return try await read("read customer messages") { reader in
            var out: [StoredMessage] = []
            for row in try await reader.rows(sql) {
                let seq = try row.makeRandomAccess()[InteractionColumn.allCases.count].decode(Int64.self)
                out.append(StoredMessage(seq: seq, interaction: try Self.interaction(row)))
            }
            return out
        }
    }

    public func updateRuleTopics(_ updates: [RuleTopicsUpdate], checkpoint: Checkpoint) async throws {
        let logger = logger
        try await withTransaction("write rule topics") { conn in
            var seqs: [Int64] = [], topics: [String?] = [], rules: [String?] = []
            for u in updates {
                seqs.append(u.seq)
                topics.append(Topics.encode(u.topics))
                rules.append(u.rules)
            }
            var binds = PostgresBindings()
            binds.append(seqs)
            binds.append(NullableArray(elements: .text(topics)))
            binds.append(NullableArray(elements: .text(rules)))
            _ = try await conn.query(PostgresQuery(unsafeSQL: """
                UPDATE interactions AS i SET rule_topics = u.topics, topic_rules = u.rules
                FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(seq, topics, rules) WHERE i.seq = u.seq
                """, binds: binds), logger: logger)
            try await Self.save(checkpoint, on: conn, logger: logger)
        }
    }

    public func checkpoint(source: String) async throws -> Checkpoint? {
        return try await read("read the checkpoint of '\(source)'") { reader in
            var found: Checkpoint?
            for row in try await reader.rows("SELECT state, updated_at FROM checkpoints WHERE source = \(source)") {
                let (state, updated) = try row.decode((Data, Int64).self)
                found = Checkpoint(source: source, state: state, updatedAt: Self.date(updated))
            }
            return found
        }
    }

    public func startRun(source: String, mode: String, at: Date) async throws -> IngestRun {
        let (logger, location) = (logger, location)
        return try await withConnection("record a run of '\(source)'") { conn in
            let rows = try await PostgresReader(conn, logger: logger).rows("""
                INSERT INTO ingest_runs (source, mode, started_at, status) VALUES (\(source), \(mode), \(Timestamp.milliseconds(at)), 'running')
                RETURNING id
                """)
            guard let id = try rows.first?.decode(Int64.self) else { throw StoreError(.query, "PostgreSQL store \(location.redacted): the new run got no id") }
            return IngestRun(id: id, source: source, mode: mode, startedAt: at)
        }
    }

    public func finishRun(_ run: IngestRun) async throws {
        let logger = logger
        _ = try await withConnection("record the end of a run of '\(run.source)'") { conn in
            try await conn.query("""
                UPDATE ingest_runs SET finished_at = \(run.finishedAt.map(Timestamp.milliseconds)), "read" = \(run.read),
                    stored = \(run.stored), duplicates = \(run.duplicates), rejected = \(run.rejected),
                    status = \(run.status), error = \(run.error)
                WHERE id = \(run.id)
                """, logger: logger)
        }
    }

    public func runs(source: String?, limit: Int) async throws -> [IngestRun] {
        return try await read("read runs") { reader in
            let rows = try await reader.rows("""
                SELECT id, source, mode, started_at, finished_at, "read", stored, duplicates, rejected, status, error
                FROM ingest_runs WHERE (\(source)::text IS NULL OR source = \(source)) ORDER BY id DESC LIMIT \(limit)
                """)
            var out: [IngestRun] = []
            for row in rows {
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
        return try await read("read dead letters") { reader in
            let rows = try await reader.rows("""
                SELECT \(unescaped: Self.deadLetterColumns) FROM dead_letters
                WHERE (\(source)::text IS NULL OR source = \(source)) ORDER BY id DESC LIMIT \(limit)
                """)
            var out: [DeadLetter] = []
            for row in rows { out.append(try Self.deadLetter(row).letter) }
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
        // `body` runs only while this call runs, so it may be handed to the connection's task.
        try await withoutActuallyEscaping(body) { body in
            // Not retried: rows may already have reached `body`. Through a cursor, a block at a time (``PostgresReader``).
            try await read("read interactions", retry: false) { reader in
                try await reader.transaction {
                    try await reader.cursor("interactions_scan", sql) { rows in
                        for row in rows { try body(try Self.interaction(row)) }
                    }
                }
            }
        }
    }

    public func sourceStats() async throws -> [String: SourceStats] { try await sourceStats(countingStored: true) }

    public func sourceStats(countingStored: Bool) async throws -> [String: SourceStats] {
        return try await read("read source totals") { reader in
            var stats: [String: SourceStats] = [:]
            if countingStored {
                for row in try await reader.rows("SELECT source, COUNT(*) FROM interactions GROUP BY source") {
                    let (source, n) = try row.decode((String, Int).self)
                    stats[source, default: SourceStats()].stored = n
                }
            }
            for row in try await reader.rows("SELECT source, COALESCE(SUM(duplicates), 0)::bigint FROM ingest_runs GROUP BY source") {
                let (source, n) = try row.decode((String, Int).self)
                stats[source, default: SourceStats()].duplicates = n
            }
            // Letters a replay stored are no longer rejected records.
            for row in try await reader.rows("""
                SELECT source, COUNT(*) FROM dead_letters WHERE replay_outcome IS NULL OR replay_outcome = 'failed' GROUP BY source
                """) {
                let (source, n) = try row.decode((String, Int).self)
                stats[source, default: SourceStats()].deadLetters = n
            }
            return stats
        }
    }

    public func count(source: String?) async throws -> Int {
        return try await read("count interactions") { reader in
            var total = 0
            for row in try await reader.rows("SELECT COUNT(*) FROM interactions WHERE (\(source)::text IS NULL OR source = \(source))") {
                total = try row.decode(Int.self)
            }
            return total
        }
    }

    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
}
