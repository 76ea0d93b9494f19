import Foundation
import GRDB
import SwitchboardCore

/// Named, append-only migrations of the SQLite store. Never edit a shipped
/// migration: add a new one.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-initial") { db in
            try db.execute(sql: """
                CREATE TABLE interactions (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
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
                    provenance TEXT NOT NULL
                );
                CREATE TABLE checkpoints (
                    source TEXT PRIMARY KEY,
                    state BLOB NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE TABLE dead_letters (
                    id INTEGER PRIMARY KEY,
                    source TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    provenance TEXT NOT NULL,
                    raw BLOB NOT NULL
                );
                CREATE INDEX dead_letters_source ON dead_letters(source, id);
                CREATE TABLE ingest_runs (
                    id INTEGER PRIMARY KEY,
                    source TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    started_at INTEGER NOT NULL,
                    finished_at INTEGER,
                    read INTEGER NOT NULL DEFAULT 0,
                    stored INTEGER NOT NULL DEFAULT 0,
                    duplicates INTEGER NOT NULL DEFAULT 0,
                    rejected INTEGER NOT NULL DEFAULT 0,
                    status TEXT NOT NULL,
                    error TEXT
                );
                CREATE INDEX ingest_runs_source ON ingest_runs(source, id);
                """)
        }
        m.registerMigration("v2-conversation-order") { db in
            try db.execute(sql: "CREATE INDEX interactions_conversation ON interactions(source, conversation_key, occurred_at, seq)")
        }
        m.registerMigration("v3-dedupe-by-source-key", migrate: SQLiteDedupe.migrateToSourceKey)
        m.registerMigration("v4-topics") { db in
            // Topic lists in the stored form of `Topics` (labels joined by newlines); NULL for none.
            try db.execute(sql: """
                ALTER TABLE interactions ADD COLUMN topics TEXT;
                ALTER TABLE interactions ADD COLUMN rule_topics TEXT;
                ALTER TABLE interactions ADD COLUMN topic_rules TEXT;
                """)
        }
        m.registerMigration("v5-dead-letter-identity") { db in
            // A dead letter is identified by (source, provenance, SHA-256 of raw): the same rejected record read
            // again is stored once. Letters stored more than once before collapse to the first one.
            db.add(function: DatabaseFunction("switchboard_digest", argumentCount: 1, pure: true) { args in
                DeadLetter.digest(of: Data.fromDatabaseValue(args[0]) ?? Data())
            })
            try db.execute(sql: """
                ALTER TABLE dead_letters ADD COLUMN digest TEXT NOT NULL DEFAULT '';
                UPDATE dead_letters SET digest = switchboard_digest(raw);
                DELETE FROM dead_letters WHERE id NOT IN (SELECT MIN(id) FROM dead_letters GROUP BY source, provenance, digest);
                CREATE UNIQUE INDEX dead_letters_identity ON dead_letters(source, provenance, digest);
                """)
        }
        m.registerMigration("v6-dead-letter-replay") { db in
            // What `dead-letters replay` needs: the connector kind that wrote a letter and its replay context
            // (a JSON object: CSV header, webhook headers, …; NULL for none), then the mark a replay leaves.
            try db.execute(sql: """
                ALTER TABLE dead_letters ADD COLUMN kind TEXT;
                ALTER TABLE dead_letters ADD COLUMN context TEXT;
                ALTER TABLE dead_letters ADD COLUMN replayed_at INTEGER;
                ALTER TABLE dead_letters ADD COLUMN replay_outcome TEXT;
                """)
        }
        m.registerMigration("v7-report-sends") { db in
            // The sent log of scheduled reports: one row per report, slot (its scheduled instant) and
            // destination, written after the destination accepted the mail; the key keeps a slot from
            // being recorded (and so sent) twice.
            try db.execute(sql: """
                CREATE TABLE report_sends (
                    report TEXT NOT NULL,
                    slot INTEGER NOT NULL,
                    destination TEXT NOT NULL,
                    period_from INTEGER NOT NULL,
                    period_to INTEGER NOT NULL,
                    sent_at INTEGER NOT NULL,
                    PRIMARY KEY (report, slot, destination)
                )
                """)
        }
        m.registerMigration("v8-oauth-tokens") { db in
            // Credentials connectors obtain at run time (a rotated OAuth2 refresh token), sealed by the
            // connector (AES-GCM, key from the config): opaque bytes here.
            try db.execute(sql: "CREATE TABLE oauth_tokens (source TEXT PRIMARY KEY, sealed BLOB NOT NULL, updated_at INTEGER NOT NULL)")
        }
        m.registerMigration("v9-alerts") { db in
            // Alerts of `alerts:`: one row per alert (name, subject: a conversation or a condition's scope,
            // episode), its state and facts; and the outbox of their notices, one row per state change and
            // destination, kept until delivered (attempts and the next try drive the back-off).
            try db.execute(sql: """
                CREATE TABLE alerts (
                    alert TEXT NOT NULL, subject TEXT NOT NULL, episode INTEGER NOT NULL, rule TEXT NOT NULL,
                    state TEXT NOT NULL, opened_at INTEGER NOT NULL, changed_at INTEGER NOT NULL, resolved_at INTEGER,
                    facts TEXT NOT NULL, PRIMARY KEY (alert, subject, episode)
                );
                CREATE INDEX alerts_open ON alerts(alert, opened_at) WHERE resolved_at IS NULL;
                CREATE TABLE alert_notices (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, alert TEXT NOT NULL, rule TEXT NOT NULL, subject TEXT NOT NULL,
                    episode INTEGER NOT NULL, state TEXT NOT NULL, destination TEXT NOT NULL, created_at INTEGER NOT NULL,
                    facts TEXT NOT NULL, sent_at INTEGER, attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL, last_error TEXT,
                    UNIQUE (alert, subject, episode, state, destination)
                );
                CREATE INDEX alert_notices_pending ON alert_notices(next_attempt_at) WHERE sent_at IS NULL;
                """)
        }
        m.registerMigration("v10-call-details") { db in
            // Where each call ended (`CallDetails`): context, last application and its data, queue positions
            // (0: none), the key that left the queue, hold time and duration. NULL / 0 on every other row.
            try db.execute(sql: """
                ALTER TABLE interactions ADD COLUMN call_context TEXT;
                ALTER TABLE interactions ADD COLUMN call_last_app TEXT;
                ALTER TABLE interactions ADD COLUMN call_last_data TEXT;
                ALTER TABLE interactions ADD COLUMN call_entry_position INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE interactions ADD COLUMN call_exit_position INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE interactions ADD COLUMN call_exit_key TEXT;
                ALTER TABLE interactions ADD COLUMN call_hold REAL;
                ALTER TABLE interactions ADD COLUMN call_duration REAL;
                """)
        }
        m.registerMigration("v11-agent-events") { db in
            // Agent activity of queue logs (`AgentEvent`: log-ins, pauses, calls taken, transfers), beside the
            // interactions: never a conversation. `data` holds the line's parameters joined by `|`.
            try db.execute(sql: """
                CREATE TABLE agent_events (
                    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT NOT NULL, at INTEGER NOT NULL,
                    agent TEXT NOT NULL, interface TEXT NOT NULL, queue TEXT NOT NULL, event TEXT NOT NULL,
                    data TEXT NOT NULL, callid TEXT NOT NULL, provenance TEXT NOT NULL
                )
                """)
        }
        return m
    }

    /// The interactions columns as written by the current code (``InteractionColumn``).
    static let columns = InteractionColumn.names

    /// The columns of migrations v1–v3, frozen: a migration never depends on the current schema.
    static let v1Columns = [
        "id", "source", "external_id", "channel", "platform", "conversation_key", "kind", "direction", "actor_role",
        "actor_id", "actor_name", "customer_key", "occurred_at", "call_queue", "call_agent_id", "call_wait", "call_talk",
        "call_outcome", "survey_metric", "survey_score", "survey_scale_min", "survey_scale_max", "status_to", "subject",
        "text", "attachments", "provenance",
    ]

    /// The parameter of `id_given` in the first row of an insert (after every column).
    static let idGivenParameter = Int32(columns.count + 1)

    /// Binds ``columns`` then `id_given` for each of `rows` rows stored by one statement, in order;
    /// a row that breaks any uniqueness rule of ``SQLiteDedupe`` is a duplicate and is skipped.
    static func insertSQL(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns.count + 1).joined(separator: ", ") + ")"
        return "INSERT INTO interactions (\(columns.joined(separator: ", ")), id_given) VALUES "
            + Array(repeating: row, count: max(1, rows)).joined(separator: ", ") + " ON CONFLICT DO NOTHING"
    }

    static let selectColumns = InteractionColumn.selectList(content: true)

    /// The same column positions with actor_name, subject, text and provenance left out (scans for metrics).
    static let selectColumnsWithoutContent = InteractionColumn.selectList(content: false)
}
