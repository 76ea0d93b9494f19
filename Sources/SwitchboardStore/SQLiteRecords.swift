import Foundation
import GRDB
import SwitchboardCore

// The SQLite store's cold tables as GRDB records: one plain struct per table, its columns named once
// (snake_case in SQL, camelCase here). The interactions table, the hot one, has its own column list
// (`InteractionColumn`) and C-level reads and binds.

/// One row of `checkpoints`.
struct CheckpointRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "checkpoints"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    var source: String
    var state: Data
    var updatedAt: Int64

    init(_ cp: Checkpoint) {
        source = cp.source
        state = cp.state
        updatedAt = Timestamp.milliseconds(cp.updatedAt)
    }

    var checkpoint: Checkpoint { Checkpoint(source: source, state: state, updatedAt: SQLiteStore.date(updatedAt)) }
}

/// One row of `dead_letters` (the id is the table's order, newest last); one row per
/// (source, provenance, digest): ``DeadLetter/digest``.
struct DeadLetterRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "dead_letters"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    var id: Int64?
    var source: String
    var at: Int64
    var reason: String
    var provenance: String
    var raw: Data
    var digest: String
    var kind: String?
    var context: String?
    var replayedAt: Int64?
    var replayOutcome: String?

    init(_ d: DeadLetter) {
        source = d.source
        at = Timestamp.milliseconds(d.at)
        reason = d.reason
        provenance = d.provenance
        raw = d.raw
        digest = d.digest
        kind = d.replay?.kind
        context = d.replay?.encodedValues
        replayedAt = d.replayedAt.map(Timestamp.milliseconds)
        replayOutcome = d.replayOutcome?.rawValue
    }

    var deadLetter: DeadLetter {
        DeadLetter(source: source, at: SQLiteStore.date(at), reason: reason, provenance: provenance, raw: raw,
                   replay: ReplayContext.stored(kind: kind, values: context), replayedAt: replayedAt.map(SQLiteStore.date),
                   replayOutcome: replayOutcome.flatMap(ReplayOutcome.init(rawValue:)))
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One row of `ingest_runs`.
struct RunRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "ingest_runs"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    var id: Int64?
    var source: String
    var mode: String
    var startedAt: Int64
    var finishedAt: Int64?
    var read: Int
    var stored: Int
    var duplicates: Int
    var rejected: Int
    var status: String
    var error: String?

    init(_ r: IngestRun) {
        id = r.id > 0 ? r.id : nil
        source = r.source
        mode = r.mode
        startedAt = Timestamp.milliseconds(r.startedAt)
        finishedAt = r.finishedAt.map(Timestamp.milliseconds)
        read = r.read
        stored = r.stored
        duplicates = r.duplicates
        rejected = r.rejected
        status = r.status
        error = r.error
    }

    var run: IngestRun {
        IngestRun(id: id ?? 0, source: source, mode: mode, startedAt: SQLiteStore.date(startedAt), finishedAt: finishedAt.map(SQLiteStore.date),
                  read: read, stored: stored, duplicates: duplicates, rejected: rejected, status: status, error: error)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
