import Logging
import PostgresNIO

/// Named, append-only migrations of the PostgreSQL store, the same names and
/// tables as ``SQLiteSchema``. Never edit a shipped migration: add a new one.
///
/// Timestamps are bigint milliseconds as in SQLite, and the text columns that
/// scans order by use the "C" collation (byte order, as SQLite compares text),
/// so both stores return rows in the same order.
enum PostgresSchema {
    static let migrations: [(name: String, sql: [String])] = [
        ("v1-initial", [
            """
            CREATE TABLE interactions (
                seq BIGSERIAL PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                source TEXT COLLATE "C" NOT NULL,
                external_id TEXT NOT NULL,
                channel TEXT NOT NULL,
                platform TEXT NOT NULL,
                conversation_key TEXT COLLATE "C" NOT NULL,
                kind TEXT NOT NULL,
                direction TEXT NOT NULL,
                actor_role TEXT NOT NULL,
                actor_id TEXT,
                actor_name TEXT,
                customer_key TEXT,
                occurred_at BIGINT NOT NULL,
                call_queue TEXT,
                call_agent_id TEXT,
                call_wait DOUBLE PRECISION,
                call_talk DOUBLE PRECISION,
                call_outcome TEXT,
                survey_metric TEXT,
                survey_score DOUBLE PRECISION,
                survey_scale_min DOUBLE PRECISION,
                survey_scale_max DOUBLE PRECISION,
                status_to TEXT,
                subject TEXT,
                text TEXT,
                attachments BIGINT NOT NULL DEFAULT 0,
                provenance TEXT NOT NULL
            )
            """,
            "CREATE TABLE checkpoints (source TEXT PRIMARY KEY, state BYTEA NOT NULL, updated_at BIGINT NOT NULL)",
            """
            CREATE TABLE dead_letters (
                id BIGSERIAL PRIMARY KEY, source TEXT NOT NULL, at BIGINT NOT NULL, reason TEXT NOT NULL,
                provenance TEXT NOT NULL, raw BYTEA NOT NULL
            )
            """,
            "CREATE INDEX dead_letters_source ON dead_letters(source, id)",
            """
            CREATE TABLE ingest_runs (
                id BIGSERIAL PRIMARY KEY, source TEXT NOT NULL, mode TEXT NOT NULL, started_at BIGINT NOT NULL,
                finished_at BIGINT, "read" BIGINT NOT NULL DEFAULT 0, stored BIGINT NOT NULL DEFAULT 0,
                duplicates BIGINT NOT NULL DEFAULT 0, rejected BIGINT NOT NULL DEFAULT 0, status TEXT NOT NULL, error TEXT
            )
            """,
            "CREATE INDEX ingest_runs_source ON ingest_runs(source, id)",
        ]),
        ("v2-conversation-order", [
            "CREATE INDEX interactions_conversation ON interactions(source, conversation_key, occurred_at, seq)",
        ]),
        // Topic lists in the stored form of `Topics` (labels joined by newlines); NULL for none.
        ("v4-topics", [
            "ALTER TABLE interactions ADD COLUMN topics TEXT",
            "ALTER TABLE interactions ADD COLUMN rule_topics TEXT",
            "ALTER TABLE interactions ADD COLUMN topic_rules TEXT",
        ]),
        // A dead letter is identified by (source, provenance, SHA-256 of raw): the same rejected record read again
        // is stored once. Letters stored more than once before collapse to the first one. The index holds the
        // provenance's md5, so a long provenance cannot exceed the size of an index entry.
        ("v5-dead-letter-identity", [
            "ALTER TABLE dead_letters ADD COLUMN digest TEXT",
            "UPDATE dead_letters SET digest = encode(sha256(raw), 'hex')",
            "ALTER TABLE dead_letters ALTER COLUMN digest SET NOT NULL",
            """
            DELETE FROM dead_letters WHERE id IN (
                SELECT id FROM (
                    SELECT id, row_number() OVER (PARTITION BY source, provenance, digest ORDER BY id) AS n FROM dead_letters
                ) numbered WHERE n > 1)
            """,
            "CREATE UNIQUE INDEX dead_letters_identity ON dead_letters(source, md5(provenance), digest)",
        ]),
        // What `dead-letters replay` needs: the connector kind that wrote a letter and its replay context (a JSON
        // object: CSV header, webhook headers, …; NULL for none), then the mark a replay leaves.
        ("v6-dead-letter-replay", [
            "ALTER TABLE dead_letters ADD COLUMN kind TEXT",
            "ALTER TABLE dead_letters ADD COLUMN context TEXT",
            "ALTER TABLE dead_letters ADD COLUMN replayed_at BIGINT",
            "ALTER TABLE dead_letters ADD COLUMN replay_outcome TEXT",
        ]),
        // The sent log of scheduled reports: one row per report, slot (its scheduled instant) and destination,
        // written after the destination accepted the mail; the key keeps a slot from being recorded twice.
        ("v7-report-sends", [
            """
            CREATE TABLE report_sends (
                report TEXT NOT NULL, slot BIGINT NOT NULL, destination TEXT NOT NULL, period_from BIGINT NOT NULL,
                period_to BIGINT NOT NULL, sent_at BIGINT NOT NULL, PRIMARY KEY (report, slot, destination)
            )
            """,
        ]),
        // Credentials connectors obtain at run time (a rotated OAuth2 refresh token), sealed by the connector
        // (AES-GCM, key from the config): opaque bytes here, shared by every instance on this database.
        ("v8-oauth-tokens", [
            "CREATE TABLE oauth_tokens (source TEXT PRIMARY KEY, sealed BYTEA NOT NULL, updated_at BIGINT NOT NULL)",
        ]),
        // Alerts of `alerts:` (state per alert) and the outbox of their notices, shared by every instance.
        ("v9-alerts", [
            """
            CREATE TABLE alerts (
                alert TEXT NOT NULL, subject TEXT NOT NULL, episode BIGINT NOT NULL, rule TEXT NOT NULL, state TEXT NOT NULL,
                opened_at BIGINT NOT NULL, changed_at BIGINT NOT NULL, resolved_at BIGINT, facts TEXT NOT NULL,
                PRIMARY KEY (alert, subject, episode)
            )
            """,
            "CREATE INDEX alerts_open ON alerts(alert, opened_at) WHERE resolved_at IS NULL",
            """
            CREATE TABLE alert_notices (
                id BIGSERIAL PRIMARY KEY, alert TEXT NOT NULL, rule TEXT NOT NULL, subject TEXT NOT NULL, episode BIGINT NOT NULL,
                state TEXT NOT NULL, destination TEXT NOT NULL, created_at BIGINT NOT NULL, facts TEXT NOT NULL, sent_at BIGINT,
                attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at BIGINT NOT NULL, last_error TEXT,
                UNIQUE (alert, subject, episode, state, destination)
            )
            """,
            "CREATE INDEX alert_notices_pending ON alert_notices(next_attempt_at) WHERE sent_at IS NULL",
        ]),
        // Where each call ended (`CallDetails`): context, last application and its data, queue positions (0: none),
        // the key that left the queue, hold time and duration. NULL / 0 on every other row.
        ("v10-call-details", [
            "ALTER TABLE interactions ADD COLUMN call_context TEXT",
            "ALTER TABLE interactions ADD COLUMN call_last_app TEXT",
            "ALTER TABLE interactions ADD COLUMN call_last_data TEXT",
            "ALTER TABLE interactions ADD COLUMN call_entry_position BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE interactions ADD COLUMN call_exit_position BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE interactions ADD COLUMN call_exit_key TEXT",
            "ALTER TABLE interactions ADD COLUMN call_hold DOUBLE PRECISION",
            "ALTER TABLE interactions ADD COLUMN call_duration DOUBLE PRECISION",
        ]),
        // Agent activity of queue logs (`AgentEvent`: log-ins, pauses, calls taken, transfers), beside the
        // interactions: never a conversation. `data` holds the line's parameters joined by `|`.
        ("v11-agent-events", [
            """
            CREATE TABLE agent_events (
                seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT COLLATE "C" NOT NULL, at BIGINT NOT NULL,
                agent TEXT COLLATE "C" NOT NULL, interface TEXT NOT NULL, queue TEXT NOT NULL, event TEXT NOT NULL,
                data TEXT NOT NULL, callid TEXT NOT NULL, provenance TEXT NOT NULL
            )
            """,
        ]),
    ]

    /// Any constant shared by every instance: migrations run under this advisory
    /// lock, so several processes starting at once migrate exactly once.
    static let migrationLock: Int64 = 0x5357_4254_4D49_4752

    /// Applies the migrations not yet recorded in `schema_migrations`, in one transaction.
    static func migrate(_ conn: PostgresConnection, logger: Logger) async throws {
        try await conn.withTransaction(logger: logger) { conn in
            _ = try await conn.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            _ = try await conn.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: logger)
            var applied = Set<String>()
            for row in try await PostgresReader(conn, logger: logger).rows("SELECT name FROM schema_migrations") {
                applied.insert(try row.decode(String.self))
            }
            for migration in migrations where !applied.contains(migration.name) {
                for statement in migration.sql {
                    _ = try await conn.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                _ = try await conn.query("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: logger)
            }
        }
    }

    /// Column order shared with ``SQLiteSchema/columns`` (the row decoder relies on it).
    static let columns = SQLiteSchema.columns

    /// One statement for a whole batch: every column travels as one array parameter,
    /// UNNEST turns them back into rows in batch order, and the id conflict skips
    /// stored (or repeated) interactions. Returns how many rows were inserted.
    static let insertSQL: String = {
        let types = InteractionColumn.allCases.map { c -> String in
            switch c.storage {
            case .integer: return "bigint[]"
            case .real: return "float8[]"
            case .text: return "text[]"
            }
        }
        let list = columns.joined(separator: ", ")
        let params = types.enumerated().map { "$\($0.offset + 1)::\($0.element)" }.joined(separator: ", ")
        return """
            WITH inserted AS (
                INSERT INTO interactions (\(list))
                SELECT \(list) FROM unnest(\(params)) WITH ORDINALITY AS batch(\(list), ord) ORDER BY ord
                ON CONFLICT (id) DO NOTHING RETURNING 1
            ) SELECT count(*) FROM inserted
            """
    }()

    static let selectColumns = SQLiteSchema.selectColumns
    static let selectColumnsWithoutContent = SQLiteSchema.selectColumnsWithoutContent
}
