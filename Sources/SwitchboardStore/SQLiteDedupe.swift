import GRDB
import SwitchboardCore

/// How the SQLite store keeps "one row per interaction id" cheap.
///
/// An interaction's id is the hash of (source, externalId) unless the input gave
/// one of its own (a `jsonl` record with an explicit `id`). Rows with the
/// computed id (`id_given = 0`) are deduplicated by the unique index on
/// (source, external_id) — equivalent to deduplicating by id, but its keys arrive
/// in nearly increasing order for time-ordered external ids, so a batch touches
/// a handful of index pages instead of one page per row as the random hashed id
/// did. The unique index on `id` itself is created only when a row with a given
/// id is first stored (it then also guards every later row), so the store's
/// semantics stay exactly "dedupe by id" on both paths.
enum SQLiteDedupe {
    /// The index that makes `id` unique; exists once a given id was stored.
    static let idIndexSQL = "CREATE UNIQUE INDEX IF NOT EXISTS interactions_id ON interactions(id)"

    /// Migration v3: rebuilds `interactions` without the inline UNIQUE on `id`,
    /// with `id_given` and the partial unique index on (source, external_id).
    /// Every row, its `seq` and its values are kept.
    static func migrateToSourceKey(_ db: Database) throws {
        db.add(function: DatabaseFunction("switchboard_id_given", argumentCount: 3, pure: true) { args in
            guard let id = String.fromDatabaseValue(args[0]), let source = String.fromDatabaseValue(args[1]),
                  let externalId = String.fromDatabaseValue(args[2]) else { return 1 }
            return dedupesBySourceKey(id: id, source: source, externalId: externalId) ? 0 : 1
        })
        let copied = SQLiteSchema.v1Columns.filter { $0 != "id" }.joined(separator: ", ")
        try db.execute(sql: """
            CREATE TABLE interactions_v3 (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL,
                source TEXT NOT NULL,
                external_id TEXT NOT NULL,
                channel TEXT NOT NULL,
                platform TEXT NOT NULL,
                conversation_key TEXT NOT NULL,
                kind TEXT NOT NULL,
                direction TEXT NOT NULL,
                actor_role TEXT NOT NULL,
                actor_id TEXT,
                actor_name TEXT,
                customer_key TEXT,
                occurred_at INTEGER NOT NULL,
                call_queue TEXT,
                call_agent_id TEXT,
                call_wait REAL,
                call_talk REAL,
                call_outcome TEXT,
                survey_metric TEXT,
                survey_score REAL,
                survey_scale_min REAL,
                survey_scale_max REAL,
                status_to TEXT,
                subject TEXT,
                text TEXT,
                attachments INTEGER NOT NULL DEFAULT 0,
                provenance TEXT NOT NULL,
                id_given INTEGER NOT NULL DEFAULT 0
            );
            INSERT INTO interactions_v3 (seq, id, \(copied), id_given)
                SELECT seq, id, \(copied), switchboard_id_given(id, source, external_id) FROM interactions ORDER BY seq;
            DROP TABLE interactions;
            ALTER TABLE interactions_v3 RENAME TO interactions;
            CREATE UNIQUE INDEX interactions_source_key ON interactions(source, external_id) WHERE id_given = 0;
            CREATE INDEX interactions_conversation ON interactions(source, conversation_key, occurred_at, seq);
            """)
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM interactions WHERE id_given = 1)") == true {
            try db.execute(sql: idIndexSQL)
        }
    }

    /// Which interactions of a batch carry an id of their own (not the hash of source and externalId).
    /// An id the initializer computed (``Interaction/idIsKnownComputed``) is not hashed again.
    static func givenIds(_ interactions: [Interaction]) -> [Bool] {
        var given = [Bool](repeating: false, count: interactions.count)
        // Batches hold one source: its U+001F check is done once per distinct source in a row.
        var lastSource: String?
        var lastSourceClean = false
        interactions.withUnsafeBufferPointer { rows in
            for k in rows.indices {
                if rows[k].source != lastSource {
                    lastSource = rows[k].source
                    lastSourceClean = !rows[k].source.utf8.contains(0x1F)
                }
                given[k] = !lastSourceClean || !(rows[k].idIsKnownComputed
                    || InteractionID.isComputed(rows[k].id, source: rows[k].source, externalId: rows[k].externalId))
            }
        }
        return given
    }

    /// Whether a row may be deduplicated by (source, external_id) instead of by id: its id is the
    /// computed one, and its source holds no U+001F. The hash input is source, U+001F, externalId, so
    /// only such a source could give two different (source, externalId) pairs the same id
    /// ("a\u{1F}b" + "c" and "a" + "b\u{1F}c"); those rows are treated like given ids and use the id index.
    static func dedupesBySourceKey(id: String, source: String, externalId: String) -> Bool {
        !source.utf8.contains(0x1F) && InteractionID.isComputed(id, source: source, externalId: externalId)
    }
}
