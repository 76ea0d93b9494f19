import Foundation
import SwitchboardTesting
import Testing

/// A PostgreSQL connection lost in the middle of a read: every read path of the store fails with an error naming the
/// store (password hidden), prints no partial result, and never stops the process (postgres-nio's async row streams
/// could crash it with a precondition failure). The read runs in a `switchboard` child process, so a crash shows as a
/// signal instead of taking the test runner down; the backend is terminated from another connection while it reads.
@Suite(.serialized, .timeLimit(.minutes(5))) struct PostgresLostReadCLITests {
    static let password = "s3cret-pw-56610"

    /// A store on a fresh database (migrated), its URL carrying a password the server does not ask for.
    static func store() async throws -> (Workspace, database: String, url: String) {
        let plain = try await TestPostgres.offPool { try TestPostgres.createDatabase() }
        let url = plain.replacingOccurrences(of: "://switchboard@", with: "://switchboard:\(password)@")
        let ws = try Workspace(config: "store: {postgres: \"\(url)\"}\ntimezone: UTC\n")
        let migrate = try ws.run(["dead-letters", "list", "--limit", "1"])
        try #require(migrate.status == 0, "\(migrate.stderr)")
        let database = String(plain.split(separator: "?")[0].split(separator: "/").last ?? "")
        return (ws, database, plain)
    }

    static func psql(_ url: String, _ sql: String) async throws {
        let (status, output) = await TestPostgres.psqlOffPool(url, sql)
        try #require(status == 0, "psql: \(output)")
    }

    /// `count` interactions, two customer messages with text to one agent reply, spread over 997 conversations.
    static func interactions(_ url: String, count: Int) async throws {
        try await psql(url, """
            INSERT INTO interactions (id, source, external_id, channel, platform, conversation_key, kind, direction, actor_role,
                                      customer_key, occurred_at, provenance, text)
            SELECT 'bulk-' || g, 'bulk', 'x' || g, 'chat', 'telegram', 'k' || (g % 997), 'message',
                   CASE WHEN g % 3 = 0 THEN 'outbound' ELSE 'inbound' END, CASE WHEN g % 3 = 0 THEN 'agent' ELSE 'customer' END,
                   'telegram:' || (g % 311), 1772323200000 + g::bigint * 60000, 'sql:' || g, 'message number ' || g || ' ' || repeat('x', 200)
            FROM generate_series(1, \(count)) AS g
            """)
    }

    struct Outcome {
        var process: Process
        var stdout: String
        var stderr: String
        var kills: Int
    }

    /// Runs `switchboard ARGS`; once a statement of `database` matching one of `statements` (SQL LIKE) has been running for a
    /// moment, terminates every such backend, again and again, until the process exits (so retries on a fresh
    /// connection are cut off too). Tried again (up to 3 times) when the read finished before it could be cut.
    static func readKilled(_ ws: Workspace, _ args: [String], database: String, statements: [String]) async throws -> Outcome {
        let server = try #require(TestPostgres.serverURL)
        let active = "FROM pg_stat_activity WHERE datname = '\(database)' AND pid <> pg_backend_pid() AND state = 'active' "
            + "AND (" + statements.map { "query LIKE '\($0.replacingOccurrences(of: "'", with: "''"))'" }.joined(separator: " OR ") + ")"
        var last: Outcome?
        for _ in 0..<3 {
            let out = ws.url("out-\(UUID().uuidString)"), err = ws.url("err-\(UUID().uuidString)")
            for file in [out, err] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
            let p = CLI.process(args, cwd: ws.dir, env: [:])
            p.standardOutput = try FileHandle(forWritingTo: out)
            p.standardError = try FileHandle(forWritingTo: err)
            try p.run()
            var kills = 0, seen = false
            let deadline = ContinuousClock.now + .seconds(120)
            while p.isRunning && ContinuousClock.now < deadline {
                if !seen {
                    let (_, n) = await TestPostgres.psqlOffPool(server, "SELECT count(*) \(active)")
                    if Int(n) ?? 0 > 0 {
                        seen = true
                        // Rows are on their way by now: the kill lands mid-read.
                        try await Task.sleep(for: .milliseconds(300))
                    }
                    continue
                }
                let (_, n) = await TestPostgres.psqlOffPool(server, "SELECT count(pg_terminate_backend(pid)) \(active)")
                kills += Int(n) ?? 0
            }
            if p.isRunning { p.terminate() }
            p.waitUntilExit()
            let outcome = Outcome(process: p, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                                  stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "", kills: kills)
            if kills > 0 || p.terminationReason != .exit || p.terminationStatus != 0 { return outcome }
            last = outcome
        }
        return try #require(last)
    }

    /// The process ended by itself with exit 1 and the clear error, and printed nothing else.
    static func expectClearError(_ o: Outcome, database: String, action: String) {
        #expect(o.kills > 0, "no backend was terminated while the read ran")
        #expect(o.process.terminationReason == .exit, "the process crashed (signal \(o.process.terminationStatus)): \(o.stderr.prefix(3000))")
        #expect(o.process.terminationStatus == 1, "\(o.stderr.prefix(3000))")
        #expect(o.stderr.contains("PostgreSQL store postgres://switchboard:***@127.0.0.1:"), "\(o.stderr.prefix(3000))")
        #expect(o.stderr.contains("/\(database)") && o.stderr.contains("cannot \(action)"), "\(o.stderr.prefix(3000))")
        #expect(!o.stderr.contains(password) && !o.stdout.contains(password))
        #expect(o.stdout.isEmpty, "a partial result was printed: \(o.stdout.prefix(500))")
    }

    static let needsServer = ConditionTrait.enabled(if: TestPostgres.serverURL != nil, Comment(rawValue: TestPostgres.skipMessage))

    @Test("the generic scan (explain) cut mid-read is a clear error, not a crash or a partial result", needsServer)
    func genericScan() async throws {
        let (ws, database, url) = try await Self.store()
        try await Self.interactions(url, count: 100_000)
        // The scan's cursor blocks (FETCH), or the one streamed SELECT that read them before.
        let o = try await Self.readKilled(ws, ["explain", "k5", "--now", "2026-04-01"], database: database,
                                          statements: ["FETCH FORWARD %", "SELECT %ORDER BY source, conversation_key%"])
        Self.expectClearError(o, database: database, action: "read interactions")
    }

    @Test("dead-letter listing cut mid-read is a clear error, not a crash or a partial list", needsServer)
    func deadLetters() async throws {
        let (ws, database, url) = try await Self.store()
        try await Self.psql(url, """
            INSERT INTO dead_letters (source, at, reason, provenance, raw, digest)
            SELECT 'bulk', 1772323200000 + g, 'bad record ' || g, 'sql:' || g, convert_to(repeat('r', 1500) || g, 'UTF8'), md5(g::text)
            FROM generate_series(1, 40000) AS g
            """)
        let o = try await Self.readKilled(ws, ["dead-letters", "list", "--limit", "100000"], database: database,
                                          statements: ["%FROM dead_letters%"])
        Self.expectClearError(o, database: database, action: "read dead letters")
        // The same listing without the cut reads every letter.
        let all = try ws.run(["dead-letters", "list", "--limit", "100000"])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout.components(separatedBy: "bad record ").count - 1 == 40000)
    }

    @Test("the paged read of customer messages (topics apply) cut mid-read is a clear error, not a crash", needsServer)
    func customerMessages() async throws {
        let (ws, database, url) = try await Self.store()
        try await Self.interactions(url, count: 100_000)
        let o = try await Self.readKilled(ws, ["topics", "apply", "--batch-size", "100000"], database: database,
                                          statements: ["%actor_role = 'customer'%"])
        Self.expectClearError(o, database: database, action: "read customer messages")
    }
}
