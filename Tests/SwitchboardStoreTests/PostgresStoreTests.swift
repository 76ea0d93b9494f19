import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTesting
import Testing

/// What only the PostgreSQL store has: URLs, an unreachable server, reconnecting, shared migrations.
@Suite(.timeLimit(.minutes(10))) struct PostgresStoreTests {
    @Test func urlPartsAndOptions() throws {
        let l = try PostgresLocation(url: "postgres://anna:s%40cret@db.example:6432/support?sslmode=require&pool_size=3&pool_timeout=5")
        #expect(l.host == "db.example" && l.port == 6432 && l.user == "anna" && l.password == "s@cret" && l.database == "support")
        #expect(l.tls == .require && l.poolSize == 3 && l.poolTimeout == 5 && l.connectTimeout == 15)
        #expect(l.redacted == "postgres://anna:***@db.example:6432/support")
        let noDB = try #require(throws: StoreError.self) { try PostgresLocation(url: "postgres://anna:pw@host:5432") }
        #expect(noDB.description.contains("no database"))
        let unknown = try #require(throws: StoreError.self) { try PostgresLocation(url: "postgres://anna@host/db?sslmod=disable") }
        #expect(unknown.description.contains("sslmod"))
    }

    /// A self-signed certificate (openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=test).
    static let certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBdDCCARmgAwIBAgIUUB+uWmX+WHHy6g6nqHOrmKspCyIwCgYIKoZIzj0EAwIw
        DzENMAsGA1UEAwwEdGVzdDAeFw0yNjEyMDcyMTUyMjRaFw0zNjEyMDQyMTUyMjRa
        MA8xDTALBgNVBAMMBHRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAStPtnF
        Ib9MmDuWE/pwAQ7h6K7PgP/N5w+VK33GJOqg92WkOX5e9QBP8CP/9/r0YTlQ8Fu/
        0+26SPIMV2cGERylo1MwUTAdBgNVHQ4EFgQUlrQXTfIGAaG1u8NNoE8yjpD9gbAw
        HwYDVR0jBBgwFoAUlrQXTfIGAaG1u8NNoE8yjpD9gbAwDwYDVR0TAQH/BAUwAwEB
        /zAKBggqhkjOPQQDAgNJADBGAiEAoIYrD1BIx5P7GMRF6CKiQlwyOXkpt/17yqvH
        TgHe/XICIQCVZSLtcAbyKPKxUQj3MhnxHEBKDoFhlumHbUY6lRpUag==
        -----END CERTIFICATE-----
        """

    @Test("sslrootcert names a readable PEM file and needs TLS")
    func rootCertificatesOption() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sb-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let pem = dir.appendingPathComponent("ca.pem")
        try Self.certificate.write(to: pem, atomically: true, encoding: .utf8)
        for (name, text) in [("damaged.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"), ("empty.pem", "garbage\n")] {
            let bad = dir.appendingPathComponent(name)
            try text.write(to: bad, atomically: true, encoding: .utf8)
            let error = try #require(throws: StoreError.self) {
                try PostgresLocation(url: "postgres://anna@db.example/support?sslmode=require&sslrootcert=\(bad.path)")
            }
            #expect(error.description.contains("sslrootcert '\(bad.path)' holds no PEM certificate"), "\(error)")
        }
        let l = try PostgresLocation(url: "postgres://anna@db.example/support?sslmode=require&sslrootcert=\(pem.path)")
        #expect(l.rootCertificates == pem.path && l.tls == .require)
        #expect(try PostgresLocation(url: "postgres://anna@db.example/support").rootCertificates == nil)
        let missing = try #require(throws: StoreError.self) {
            try PostgresLocation(url: "postgres://anna@db.example/support?sslrootcert=/nonexistent/ca.pem")
        }
        #expect(missing.description.contains("sslrootcert '/nonexistent/ca.pem' is not a readable file"), "\(missing)")
        let plain = try #require(throws: StoreError.self) {
            try PostgresLocation(url: "postgres://anna@db.example/support?sslmode=disable&sslrootcert=\(pem.path)")
        }
        #expect(plain.description.contains("sslmode is disable"), "\(plain)")
        #expect(throws: StoreError.self) { try PostgresLocation(url: "postgres://anna@db.example/support?sslrootcert=") }
    }

    /// A password is read as written up to the URL's last `@`, reserved characters and all; escapes are decoded once.
    @Test(arguments: [("a/b?c#d@e f", "a/b?c#d@e f"), ("a%2Fb%3Fc%23d%40e%20f", "a/b?c#d@e f"), ("100%", "100%"),
                      ("%2541", "%41"), ("p@ss:w", "p@ss:w")])
    func aPasswordMayHoldAnyCharacter(written: String, password: String) throws {
        let l = try PostgresLocation(url: "postgres://anna:\(written)@db.example:6432/support?sslmode=disable")
        #expect(l.password == password)
        #expect(l.user == "anna" && l.host == "db.example" && l.port == 6432 && l.database == "support" && l.tls == .disable)
        #expect(l.redacted == "postgres://anna:***@db.example:6432/support")
        let bad = try #require(throws: StoreError.self) { try PostgresLocation(url: "postgres://anna:\(written)@db.example:x/support") }
        #expect(bad.description.contains("postgres://anna:***@db.example:x/support"))
        #expect(!bad.description.contains(written))
    }

    @Test func unreachableServerIsAClearStoreErrorWithinTheTimeout() async throws {
        // Port 9 (discard) on loopback: nothing listens there.
        let error = try await #require(throws: StoreError.self) {
            _ = try await PostgresStore.open(url: "postgres://anna:topsecret@127.0.0.1:9/db?sslmode=disable&connect_timeout=2")
        }
        #expect(error.description.contains("127.0.0.1:9"))
        #expect(error.description.contains("is the server running"))
        #expect(!error.description.contains("topsecret"))
    }

    @Test(.enabled(if: TestPostgres.serverURL != nil, Comment(rawValue: TestPostgres.skipMessage)))
    func writesGoOnAfterTheServerDropsEveryConnection() async throws {
        let tmp = try await ScratchStore(.postgres)
        let store = try await tmp.open()
        _ = try await store.write(IngestBatch(source: "src", interactions: [interaction(1)]))
        let (status, output) = await TestPostgres.psqlOffPool(try #require(TestPostgres.serverURL),
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '\(tmp.databaseName)'")
        #expect(status == 0, "\(output)")
        #expect(Int(output) ?? 0 >= 1, "no connection was terminated: \(output)")
        let result = try await store.write(IngestBatch(source: "src", interactions: [interaction(2)]))
        #expect(result.stored == 1)
        #expect(try await store.count(source: "src") == 2)
    }

    @Test(.enabled(if: TestPostgres.serverURL != nil, Comment(rawValue: TestPostgres.skipMessage)))
    func instancesOpeningAtOnceMigrateOnce() async throws {
        let tmp = try await ScratchStore(.postgres)
        async let a = tmp.open()
        async let b = tmp.open()
        async let c = tmp.open()
        let stores = try await [a, b, c]
        _ = try await stores[0].write(IngestBatch(source: "src", interactions: [interaction(1)]))
        #expect(try await stores[2].count(source: nil) == 1)
        let (_, output) = await TestPostgres.psqlOffPool(tmp.location, "SELECT string_agg(name, ',' ORDER BY name) FROM schema_migrations")
        #expect(output == "v1-initial,v10-call-details,v11-agent-events,v2-conversation-order,v4-topics,v5-dead-letter-identity,"
            + "v6-dead-letter-replay,v7-report-sends,v8-oauth-tokens,v9-alerts")
    }

    @Test func lockKeysAreStableAcrossProcesses() {
        // FNV-1a 64 of "switchboard.source:pbx", computed independently: every instance and version must agree.
        #expect(PostgresStore.lockKey(source: "pbx") == 4_718_734_521_417_228_038)
        #expect(PostgresStore.lockKey(source: "pbx") != PostgresStore.lockKey(source: "pbx2"))
    }
}
