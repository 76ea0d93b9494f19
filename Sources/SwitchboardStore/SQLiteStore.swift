import Foundation
import GRDB
import SwitchboardCore
import SwitchboardScan

/// The embedded default store: one SQLite file in WAL mode (GRDB).
///
/// Every ``write(_:)`` is one transaction holding the batch's interactions
/// (at most one row per id: see ``SQLiteDedupe``), its dead letters and its checkpoint, committed
/// with `synchronous=FULL` so an acknowledged batch survives a crash. The WAL
/// is copied back into the file by a second connection beside the writer
/// (``SQLiteCheckpointer``).
public final class SQLiteStore: MetricsStore, RuleTopicsStore {
    let pool: DatabasePool
    public let path: String
    /// Page size of a new store file.
    static let pageSize = 8192
    /// Checkpoints the WAL beside the writer (see ``SQLiteCheckpointer``).
    let checkpointer: SQLiteCheckpointer

    /// Opens (creating if needed) and migrates the store at `path`.
    /// - Throws: ``StoreError`` naming the file when it cannot be opened.
    public convenience init(path: String) throws {
        try self.init(path: path, checkpointer: SQLiteCheckpointer(path: path))
    }

    init(path: String, checkpointer: SQLiteCheckpointer) throws {
        self.path = path
        self.checkpointer = checkpointer
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            if !db.configuration.readonly {
                // 8 KiB pages for a new file (an existing one keeps its own): half the WAL frames and
                // b-tree pages per row of 4 KiB ones.
                try db.execute(sql: "PRAGMA page_size = \(SQLiteStore.pageSize)")
                if let writer = db.sqliteConnection { checkpointer.install(on: writer) }
                // A multi-row insert keeps a statement journal (the pages it changed, to undo the statement
                // alone). Past 64 KiB — eight of our pages — SQLite moves it to a temporary file it creates
                // and deletes again: on every webhook group commit. In memory it costs no system calls; it
                // holds at most the pages one statement changes. The writer's own temporary tables and sorts are in
                // memory too (it runs inserts and migrations); the readers' — a report's sorts — still spill to files.
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
            }
            // The writer appends (the dedupe and conversation indexes take keys in nearly increasing
            // order, see SQLiteDedupe): 16 MiB of page cache keep a big import's memory low. Readers
            // scan whole tables and keep the larger cache.
            try db.execute(sql: db.configuration.readonly ? "PRAGMA cache_size = -65536" : "PRAGMA cache_size = -16384")
        }
        do {
            let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            pool = try DatabasePool(path: path, configuration: config)
            try SQLiteSchema.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw StoreError(.unavailable, "cannot open the SQLite store \(path): \(error.message ?? "\(error.resultCode)")")
        } catch {
            throw StoreError(.unavailable, "cannot open the SQLite store \(path): \(error.localizedDescription)")
        }
    }

    deinit { checkpointer.close() }

    public func write(_ batch: IngestBatch) async throws -> IngestBatchResult {
        let checkpointer = self.checkpointer
        return try await guarded("write") {
            try await pool.writeWithoutTransaction { db in
                // Before BEGIN: the transaction takes its snapshot when it begins, so when the checkpoint it
                // may wait for has copied every frame, SQLite starts the WAL over. IMMEDIATE takes the write
                // lock at BEGIN, where the busy timeout applies; a deferred transaction whose first statement
                // only reads (the id index's CREATE IF NOT EXISTS) would fail at once on a concurrent commit.
                checkpointer.throttle()
                var result = IngestBatchResult(stored: 0, duplicates: 0)
                try db.inTransaction(.immediate) {
                    result = try Self.write(batch, in: db)
                    return .commit
                }
                return result
            }
        }
    }

    /// The statements of one ``write(_:)``, inside its transaction.
    static func write(_ batch: IngestBatch, in db: Database) throws -> IngestBatchResult {
        let result = batch.interactions.isEmpty
            ? IngestBatchResult(stored: 0, duplicates: 0) : try Self.insert(batch.interactions, in: db)
        for d in batch.deadLetters {
            var record = DeadLetterRecord(d)
            try record.insert(db, onConflict: .ignore)   // a letter already stored (the same file imported again)
        }
        try insert(batch.agentEvents, in: db)
        if let cp = batch.checkpoint { try save(cp, in: db) }
        return result
    }

    /// The checkpoint upsert of ``write(_:)`` and ``updateRuleTopics(_:checkpoint:)``.
    static func save(_ cp: Checkpoint, in db: Database) throws {
        try CheckpointRecord(cp).upsert(db)
    }

    public func customerMessages(after seq: Int64, limit: Int) async throws -> [StoredMessage] {
        try await guarded("read customer messages") {
            try await pool.read { db in
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT \(SQLiteSchema.selectColumns), seq FROM interactions
                    WHERE seq > ? AND kind = 'message' AND actor_role = 'customer' ORDER BY seq LIMIT ?
                    """, arguments: [seq, limit])
                var out: [StoredMessage] = []
                while let row = try cursor.next() {
                    out.append(StoredMessage(seq: row[SQLiteSchema.columns.count], interaction: try Self.interaction(row)))
                }
                return out
            }
        }
    }

    public func updateRuleTopics(_ updates: [RuleTopicsUpdate], checkpoint: Checkpoint) async throws {
        try await guarded("write rule topics") {
            try await pool.write { db in
                let update = try db.cachedStatement(sql: "UPDATE interactions SET rule_topics = ?, topic_rules = ? WHERE seq = ?")
                for u in updates {
                    update.setUncheckedArguments([Topics.encode(u.topics), u.rules, u.seq])
                    try update.execute()
                }
                try Self.save(checkpoint, in: db)
            }
        }
    }

    public func checkpoint(source: String) async throws -> Checkpoint? {
        try await guarded("read a checkpoint") {
            try await pool.read { db in try CheckpointRecord.fetchOne(db, key: source)?.checkpoint }
        }
    }

    public func startRun(source: String, mode: String, at: Date) async throws -> IngestRun {
        try await guarded("record a run") {
            try await pool.write { db in
                var record = RunRecord(IngestRun(id: 0, source: source, mode: mode, startedAt: at))
                try record.insert(db)
                return record.run
            }
        }
    }

    public func finishRun(_ run: IngestRun) async throws {
        try await guarded("record a run") {
            try await pool.write { db in try RunRecord(run).update(db) }
        }
    }

    public func runs(source: String?, limit: Int) async throws -> [IngestRun] {
        try await guarded("read runs") {
            try await pool.read { db in
                var request = RunRecord.order(Column("id").desc).limit(limit)
                if let source { request = request.filter(Column("source") == source) }
                return try request.fetchAll(db).map(\.run)
            }
        }
    }

    public func deadLetters(source: String?, limit: Int) async throws -> [DeadLetter] {
        try await guarded("read dead letters") {
            try await pool.read { db in
                var request = DeadLetterRecord.order(Column("id").desc).limit(limit)
                if let source { request = request.filter(Column("source") == source) }
                return try request.fetchAll(db).map(\.deadLetter)
            }
        }
    }

    public func scan(_ query: InteractionQuery, _ body: @Sendable (Interaction) throws -> Void) async throws {
        var conditions: [String] = []
        var args: [(any DatabaseValueConvertible)?] = []
        if let sources = query.sources {
            conditions.append("source IN (\(Array(repeating: "?", count: sources.count).joined(separator: ", ")))")
            args += sources.map { $0 as (any DatabaseValueConvertible)? }
        }
        if let from = query.from { conditions.append("occurred_at >= ?"); args.append(Timestamp.milliseconds(from)) }
        if let to = query.to { conditions.append("occurred_at < ?"); args.append(Timestamp.milliseconds(to)) }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let order = query.order == .conversation ? "source, conversation_key, occurred_at, seq" : "occurred_at, seq"
        let columns = query.content ? SQLiteSchema.selectColumns : SQLiteSchema.selectColumnsWithoutContent
        let sql = "SELECT \(columns) FROM interactions\(whereClause) ORDER BY \(order)"
        let arguments = StatementArguments(args)
        try await guarded("read interactions") {
            try await pool.read { db in
                let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
                while let row = try cursor.next() { try body(try Self.interaction(row)) }
            }
        }
    }

    public func sourceStats() async throws -> [String: SourceStats] { try await sourceStats(countingStored: true) }

    public func sourceStats(countingStored: Bool) async throws -> [String: SourceStats] {
        try await guarded("read source totals") {
            try await pool.read { db in
                var stats: [String: SourceStats] = [:]
                if countingStored {
                    for r in try Row.fetchAll(db, sql: "SELECT source, COUNT(*) AS n FROM interactions GROUP BY source") {
                        stats[r["source"], default: SourceStats()].stored = r["n"]
                    }
                }
                for r in try Row.fetchAll(db, sql: "SELECT source, SUM(duplicates) AS n FROM ingest_runs GROUP BY source") {
                    stats[r["source"], default: SourceStats()].duplicates = r["n"] ?? 0
                }
                // Letters a replay stored are no longer rejected records.
                for r in try Row.fetchAll(db, sql: """
                    SELECT source, COUNT(*) AS n FROM dead_letters
                    WHERE replay_outcome IS NULL OR replay_outcome = 'failed' GROUP BY source
                    """) {
                    stats[r["source"], default: SourceStats()].deadLetters = r["n"]
                }
                return stats
            }
        }
    }

    public func count(source: String?) async throws -> Int {
        try await guarded("count interactions") {
            try await pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM interactions WHERE (?1 IS NULL OR source = ?1)",
                                 arguments: [source]) ?? 0
            }
        }
    }

    /// Maps driver errors to ``StoreError`` so they never leak raw.
    func guarded<T>(_ action: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() }
        catch let error as DatabaseError {
            let code: StoreError.Code = error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB ? .corrupt : .unavailable
            throw StoreError(code, "SQLite store \(path): cannot \(action): \(error.message ?? "\(error.resultCode)")")
        }
    }

    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
}
