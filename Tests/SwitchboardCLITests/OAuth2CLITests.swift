import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTesting
import Testing

/// `imap` with `auth.oauth2` through the CLI: a real Dovecot checking 2 s access tokens with
/// scripts/oauth2-token-service; `serve` over many expiries, a revoked source backing off while
/// another goes on, rotated refresh tokens surviving restarts (SQLite and PostgreSQL), `auth` and `check`.
@Suite(.serialized, .timeLimit(.minutes(3)),
       .enabled(if: OAuth2Servers.dovecotInstalled, "dovecot is not installed (make test installs dovecot-imapd)"))
struct OAuth2CLITests {
    static let tokenKey = "cli-token-key-0123456789abcdef"

    static func source(_ name: String, user: String, servers: OAuth2Servers, refreshVar: String?,
                       schedule: String? = nil) -> String {
        """
          - name: \(name)
            kind: imap
            url: "\(servers.imapURL)"
            username: \(user)
            timeout: 10s\(schedule.map { "\n    schedule: \"\($0)\"" } ?? "")
            auth:
              oauth2:
                provider: custom
                client_id: switchboard-cli-test
                token_url: \(servers.tokenURL)/token
                device_url: \(servers.tokenURL)/devicecode
                scope: mail offline_access
                token_key: ${SB_TOKEN_KEY}\(refreshVar.map { "\n        refresh_token: ${\($0)}" } ?? "")
        """
    }

    static func config(store: String, listen: Int? = nil, _ sources: String...) -> String {
        "store: {\(store)}\n" + (listen.map { "server: {listen: \"127.0.0.1:\($0)\"}\n" } ?? "")
            + "connectors:\n" + sources.joined(separator: "\n") + "\n"
    }

    static func waitFor(_ what: String, seconds: Double = 30, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    @Test func serveRunsOverManyExpiriesAndARevokedSourceBacksOffWhileAnotherGoesOn() async throws {
        let servers = try OAuth2Servers(lifetime: 2)
        defer { servers.stop() }
        let listen = try ServeTests.freePort()
        let ws = try Workspace(config: Self.config(store: "sqlite: ./sb.db", listen: listen,
            Self.source("alice", user: "alice@example.com", servers: servers, refreshVar: "ALICE_RT", schedule: "every 1s"),
            Self.source("bob", user: "bob@example.com", servers: servers, refreshVar: "BOB_RT", schedule: "every 1s")))
        let aliceToken = try servers.mint(user: "alice@example.com"), bobToken = try servers.mint(user: "bob@example.com")
        try servers.deliver(3, to: "alice@example.com", in: ws)
        try servers.deliver(2, to: "bob@example.com", in: ws)
        let log = ws.url("serve.log")
        let server = try await CLI.serve(["--log-format", "json"], cwd: ws.dir,
                                         env: ["SB_TOKEN_KEY": Self.tokenKey, "ALICE_RT": aliceToken, "BOB_RT": bobToken], log: log)
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        let store = try SQLiteStore(path: ws.url("sb.db").path)

        // Several token lifetimes with mail arriving meanwhile: every run succeeds.
        try await Self.waitFor("the first pulls") {
            let alice = try await waitCount(store, "alice"), bob = try await waitCount(store, "bob")
            return alice == 3 && bob == 2
        }
        for round in 1...3 {
            try await Task.sleep(for: .seconds(2.1))   // the cached token has expired
            try servers.deliver(1, to: "alice@example.com", from: 10 + round, in: ws)
        }
        try await Self.waitFor("alice's new mail") { try await waitCount(store, "alice") == 6 }
        #expect(try servers.count("refreshes") >= 6, "tokens were refreshed as they expired")
        #expect(try await store.runs(source: "alice", limit: 100).allSatisfy { $0.status != "failed" })
        #expect(try await store.runs(source: "bob", limit: 100).allSatisfy { $0.status != "failed" })

        // Bob's consent is withdrawn: each of his runs fails once, clearly, and backs off; Alice goes on.
        try servers.admin("revoke", ["user": "bob@example.com"])
        let revokedAt = Date()
        let aliceRunsBefore = try await store.runs(source: "alice", limit: 1000).count
        try await Task.sleep(for: .seconds(6))
        try servers.deliver(1, to: "alice@example.com", from: 20, in: ws)
        try await Self.waitFor("alice's mail after bob's revocation") { try await waitCount(store, "alice") == 7 }
        let bobRuns = try await store.runs(source: "bob", limit: 1000).filter { $0.startedAt > revokedAt }
        let failed = bobRuns.filter { $0.status == "failed" }
        // Until his cached access token expires (2 s) a run may still log in; every run after that fails.
        #expect(!failed.isEmpty)
        #expect(bobRuns.filter { $0.startedAt > revokedAt.addingTimeInterval(2.1) }.allSatisfy { $0.status == "failed" })
        #expect(failed.count <= 4, "backing off: 1 s, 2 s, 4 s … between failed runs, got \(failed.count) runs in ~7 s")
        #expect(failed.allSatisfy { $0.error?.contains("invalid_grant") == true && $0.error?.contains("Run `switchboard auth bob`") == true },
                "\(failed.map { $0.error ?? "" })")
        #expect(try servers.count("invalid_grants") == failed.count, "one token request per failed run")
        let aliceRuns = try await store.runs(source: "alice", limit: 1000)
        #expect(aliceRuns.count - aliceRunsBefore >= 5, "alice keeps her schedule")
        #expect(aliceRuns.allSatisfy { $0.status != "failed" })
        let status = try JSONParser.parse(ServeTests.curl(["-s", "http://127.0.0.1:\(listen)/status"]))
        let sources = status["sources"]
        let bob = [0, 1].compactMap { sources?[$0] }.first { $0["source"]?.string == "bob" }
        #expect((bob?["consecutive_failures"]?.number ?? 0) >= 2)
        #expect(bob?["last_error"]?.string?.contains("switchboard auth bob") == true)

        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        for token in (try servers.stats()["refresh_tokens_used"] as? [String] ?? []) + [aliceToken, bobToken] {
            #expect(!output.contains(token), "a refresh token is in the log")
        }
        #expect(output.range(of: #"at-[A-Za-z0-9_-]{20,}"#, options: .regularExpression) == nil, "an access token is in the log")
    }

    @Test(arguments: ["sqlite", "postgres"])
    func aRotatedRefreshTokenIsUsedByTheNextRunAndSurvivesARestart(store kind: String) async throws {
        let storeLine: String
        if kind == "postgres" {
            guard TestPostgres.serverURL != nil else { try Test.cancel(Comment(rawValue: TestPostgres.skipMessage)) }
            storeLine = "postgres: \"\(try TestPostgres.createDatabase())\""
        } else {
            storeLine = "sqlite: ./sb.db"
        }
        let servers = try OAuth2Servers(lifetime: 2)
        defer { servers.stop() }
        try servers.admin("config", ["rotate": true])   // a refresh revokes the token it used
        let ws = try Workspace(config: Self.config(store: storeLine,
            Self.source("box", user: "dana@example.com", servers: servers, refreshVar: "BOX_RT")))
        let first = try servers.mint(user: "dana@example.com")
        let env = ["SB_TOKEN_KEY": Self.tokenKey, "BOX_RT": first]
        try servers.deliver(2, to: "dana@example.com", in: ws)
        let one = try ws.run(["pull", "--json"], env: env)
        #expect(one.status == 0, "\(one.stderr)")
        // A new process (a restart) with the same config: the stored, rotated token is used.
        try servers.deliver(1, to: "dana@example.com", from: 5, in: ws)
        let two = try ws.run(["pull", "--json"], env: env)
        #expect(two.status == 0, "\(two.stderr)")
        #expect((try? JSONParser.parse(two.stdout))?["stored"]?.number == 1, "\(two.stdout)")
        let used = try servers.stats()["refresh_tokens_used"] as? [String] ?? []
        #expect(used.count == 2 && used[0] == first && used[1] != first, "\(used)")
        #expect(try servers.count("invalid_grants") == 0)
        // The rotated token is nowhere in the clear.
        for r in [one, two] { #expect(!(r.stdout + r.stderr).contains("rt-")) }
        if kind == "sqlite" {
            let dump = (try? Data(contentsOf: ws.url("sb.db"))) ?? Data()
            #expect(!dump.isEmpty && dump.range(of: Data(used[1].utf8)) == nil)
        }
    }

    @Test func authStoresTheRefreshTokenThePullsUseAndTimesOutClearly() async throws {
        let servers = try OAuth2Servers(lifetime: 30)
        defer { servers.stop() }
        try servers.admin("config", ["device_interval": 1])
        let ws = try Workspace(config: Self.config(store: "sqlite: ./sb.db",
            Self.source("box", user: "erin@example.com", servers: servers, refreshVar: nil)))
        let env = ["SB_TOKEN_KEY": Self.tokenKey]
        // Never completed: a clear message, exit 1, nothing stored.
        let late = try ws.run(["auth", "box", "--timeout", "2s"], env: env)
        #expect(late.status == 1)
        #expect(late.stdout.contains("enter the code"), "\(late.stdout)")
        #expect(late.stderr.contains("nobody completed the sign-in") && late.stderr.contains("--timeout"), "\(late.stderr)")
        let pullBefore = try ws.run(["pull"], env: env)
        #expect(pullBefore.status == 1 && pullBefore.stderr.contains("run `switchboard auth box`"), "\(pullBefore.stderr)")
        #expect(!pullBefore.stderr.contains("box: box:"), "the source is named once: \(pullBefore.stderr)")

        // Completed: the user types the code the command printed.
        let log = ws.url("auth.log")
        let auth = try CLI.launch(["auth", "box", "--timeout", "30s"], cwd: ws.dir, env: env, log: log)
        defer { if auth.isRunning { kill(auth.processIdentifier, SIGKILL) } }
        var code = ""
        try await Self.waitFor("the user code") {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            guard let line = text.split(separator: "\n").first(where: { $0.contains("enter the code") }) else { return false }
            code = String(line.split(separator: " ").last ?? "")
            return true
        }
        try servers.admin("approve", ["user_code": code, "user": "erin@example.com"])
        try await Self.waitFor("auth to finish") { !auth.isRunning }
        #expect(auth.terminationStatus == 0, "\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        try servers.deliver(2, to: "erin@example.com", in: ws)
        let pull = try ws.run(["pull", "--json"], env: env)
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(try await waitCount(try SQLiteStore(path: ws.url("sb.db").path), "box") == 2)

        // `check` refreshes the token and logs in; after the consent is withdrawn it says what to do.
        let refreshesBefore = try servers.count("refreshes")
        let check = try ws.run(["check"], env: env)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("box: ok: logged in to \(servers.imapURL)/ as erin@example.com with OAuth2 (custom, access token refreshed"),
                "\(check.stdout)")
        #expect(try servers.count("refreshes") == refreshesBefore + 1)
        try servers.admin("revoke", ["user": "erin@example.com"])
        let revoked = try ws.run(["check"], env: env)
        #expect(revoked.status == 1)
        #expect(revoked.stderr.contains("box: the refresh token was refused (invalid_grant") && revoked.stderr.contains("Run `switchboard auth box`"),
                "\(revoked.stderr)")
        try servers.admin("config", ["client_secret": "expected-secret"])
        let client = try ws.run(["check"], env: env)
        #expect(client.status == 1 && client.stderr.contains("invalid_client") && client.stderr.contains("client_secret"), "\(client.stderr)")

        // Usage mistakes exit 2.
        let bad = try ws.run(["auth", "box", "--timeout", "soon"], env: env)
        #expect(bad.status == 2 && bad.stderr.contains("--timeout"), "\(bad.stderr)")
        let noKey = try ws.run(["auth", "nosuch"], env: env)
        #expect(noKey.status == 2 && noKey.stderr.contains("no connector named 'nosuch'"), "\(noKey.stderr)")
    }
}

/// Interactions stored for `source`.
private func waitCount(_ store: SQLiteStore, _ source: String) async throws -> Int {
    try await store.count(source: source)
}
