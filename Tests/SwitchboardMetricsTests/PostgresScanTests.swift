import Foundation
import SwitchboardCore
import SwitchboardScan
import SwitchboardMetrics
import SwitchboardStore
import SwitchboardTesting
import Testing

/// The PostgreSQL store's own metrics scan against its generic scan, the SQLite scan and the in-memory store;
/// its snapshot under concurrent writes; its errors. Skipped without a test server (`make test` starts one).
@Suite(.serialized) struct PostgresScanTests {
    /// A fresh PostgreSQL store on a new database of the test server, and the database's URL.
    func postgres() async throws -> (PostgresStore, String) {
        guard TestPostgres.serverURL != nil else { try Test.cancel(Comment(rawValue: TestPostgres.skipMessage)) }
        let url = try await TestPostgres.offPool { try TestPostgres.createDatabase() }
        return (try await PostgresStore.open(url: url), url)
    }

    func psql(_ url: String, _ sql: String) async throws -> String {
        let (status, output) = await TestPostgres.psqlOffPool(url, sql)
        try #require(status == 0, "psql: \(output)")
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// SQL inserting `count` interactions of source `source` (a customer message each), numbered from `from`.
    static func insertSQL(source: String, from: Int, count: Int) -> String {
        """
        INSERT INTO interactions (id, source, external_id, channel, platform, conversation_key, kind, direction, actor_role,
                                  customer_key, occurred_at, provenance)
        SELECT '\(source)-' || g, '\(source)', 'x' || g, 'chat', 'telegram', 'k' || (g % 997), 'message', 'inbound', 'customer',
               'telegram:' || (g % 311), 1772323200000 + g::bigint * 60000, 'sql:' || g
        FROM generate_series(\(from), \(from + count - 1)) AS g
        """
    }

    @Test("the PostgreSQL scan in 1, 2, 3 and 7 parts gives byte-identical reports to its generic scan, the SQLite scan and the in-memory store")
    func sameReportsWhateverTheScan() async throws {
        let (postgres, url) = try await postgres()
        defer { postgres.close() }
        let items = MixedData.make(seed: 42, conversations: 400)
        let (sqlite, dir) = try scratchSQLite("sb-pgscan")
        defer { try? FileManager.default.removeItem(at: dir) }
        let memory = InMemoryStore()
        for start in stride(from: 0, to: items.count, by: 97) {
            let batch = IngestBatch(source: "mixed", interactions: Array(items[start..<min(start + 97, items.count)]))
            for store in [postgres, sqlite, memory] as [any MetricsStore] { _ = try await store.write(batch) }
        }
        func outcome(_ scan: MetricsScan) -> [String] {
            FastScanTests.outcome(Dataset(scan: scan, settings: FastScanTests.settings, now: FastScanTests.now))
        }
        let reference = FastScanTests.outcome(try await MetricsEngine(settings: FastScanTests.settings)
            .load(store: memory, now: FastScanTests.now).data)
        #expect(reference.count > 400)
        #expect(FastScanTests.difference(outcome(try await postgres.scanMetricsGeneric()), reference) == nil)
        #expect(FastScanTests.difference(outcome(try await sqlite.scanMetrics(parts: 2)), reference) == nil)
        for parts in [1, 2, 3, 7] {
            let scan = try await postgres.scanMetrics(parts: parts)
            #expect(scan.storedCounts == (try await sqlite.scanMetrics(parts: 1)).storedCounts)
            #expect(FastScanTests.difference(outcome(scan), reference) == nil, "parts: \(parts)")
        }
        // Every part's own connection is closed once the scan is done.
        let database = String(try #require(url.split(separator: "?").first?.split(separator: "/").last))
        var open = "?"
        for _ in 0..<100 where open != "0" {
            open = try await psql(try #require(TestPostgres.serverURL), "SELECT count(*) FROM pg_stat_activity WHERE datname = '\(database)' "
                                  + "AND query LIKE '%TO STDOUT (FORMAT binary)%'")
            if open != "0" { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(open == "0", "scan connections left open")
        // The report through the engine's one entry, as `switchboard report` makes it.
        let request = ReportRequest(now: FastScanTests.now, by: Breakdown.all)
        let fromPostgres = try await MetricsEngine(settings: FastScanTests.settings).report(store: postgres, request: request)
        let fromSQLite = try await MetricsEngine(settings: FastScanTests.settings).report(store: sqlite, request: request)
        #expect(JSONReportRenderer.render(fromPostgres) == JSONReportRenderer.render(fromSQLite))
    }

    @Test("rows committed while a scan runs are all in or all out of it, though their seqs lie inside the scanned range")
    func concurrentWritesAreAllInOrAllOut() async throws {
        let (store, url) = try await postgres()
        defer { store.close() }
        _ = try await psql(url, Self.insertSQL(source: "base", from: 1, count: 3000))
        // A transaction that takes its seqs in four steps, each followed by a batch another connection commits, so
        // its 400 rows are spread over the whole seq range; it commits while the scans below run.
        let late = Task {
            await TestPostgres.psqlOffPool(url, "BEGIN; " + (0..<4).map { step in
                Self.insertSQL(source: "late", from: step * 100, count: 100) + "; SELECT pg_sleep(0.4);"
            }.joined(separator: " ") + " SELECT pg_sleep(0.6); COMMIT")
        }
        for step in 0..<4 {
            try await Task.sleep(for: .milliseconds(200))
            _ = try await psql(url, Self.insertSQL(source: "between", from: step * 1000, count: 1000))
        }
        var seen: Set<Int> = []
        var scans = 0
        let deadline = ContinuousClock.now + .seconds(30)
        repeat {
            let counts = try await store.scanMetrics(parts: 7).storedCounts
            seen.insert(counts["late", default: 0])
            #expect(counts["base"] == 3000)
            scans += 1
        } while seen.count < 2 && ContinuousClock.now < deadline
        let (status, output) = await late.value
        #expect(status == 0, "\(output)")
        #expect(try await store.scanMetrics(parts: 7).storedCounts["late"] == 400)
        #expect(seen.isSubset(of: [0, 400]), "a scan saw part of a transaction: \(seen.sorted()) in \(scans) scans")
        #expect(seen == [0, 400], "no scan ran both before and after the commit: \(seen.sorted())")
    }

    @Test("a connection lost mid-scan is an error naming the store, not a partial scan")
    func lostConnectionIsAClearError() async throws {
        let (store, url) = try await postgres()
        defer { store.close() }
        _ = try await psql(url, Self.insertSQL(source: "bulk", from: 1, count: 150_000))
        let database = String(url.split(separator: "?")[0].split(separator: "/").last ?? "")
        let server = try #require(TestPostgres.serverURL)
        var failure: StoreError?
        for _ in 0..<5 where failure == nil {
            let done = Done()
            let scan = Task {
                defer { done.set() }
                return try await store.scanMetrics(parts: 2)
            }
            // Ends the scan's connections while they read rows.
            var killed = "0"
            while killed == "0" && !done.isSet {
                killed = try await psql(server, """
                    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                    WHERE datname = '\(database)' AND pid <> pg_backend_pid() AND query LIKE '%FROM interactions WHERE seq BETWEEN % TO STDOUT (FORMAT binary)'
                    """)
            }
            // A scan that ended before it could be interrupted is tried again.
            do { _ = try await scan.value } catch let error as StoreError { failure = error }
        }
        let error = try #require(failure)
        #expect(error.description.contains("PostgreSQL store postgres://"), "\(error)")
        #expect(error.description.contains(database) && error.description.contains("read interactions for the report"), "\(error)")
        // Why: the server's own reason when it sent one before closing, else the lost connection.
        #expect(error.description.contains("terminating connection due to administrator command (SQLSTATE 57P01)")
                || error.description.contains("the connection to the server was lost"), "\(error)")
        // The store works again afterwards.
        #expect(try await store.scanMetrics(parts: 2).storedCounts["bulk"] == 150_000)
    }

    @Test("on a server that takes TLS only, the pool and the scan's own connections work with sslrootcert; plain connections are refused, an untrusted certificate is a clear error")
    func tlsOnlyServer() async throws {
        guard TestPostgres.serverURL != nil else { try Test.cancel(Comment(rawValue: TestPostgres.skipMessage)) }
        let (url, stop) = try await TestPostgres.offPool { try TestPostgres.startTLSServer() }
        defer { stop() }
        let store = try await PostgresStore.open(url: url)
        defer { store.close() }
        let items = MixedData.make(seed: 7, conversations: 300)
        let memory = InMemoryStore()
        for start in stride(from: 0, to: items.count, by: 100) {
            let batch = IngestBatch(source: "mixed", interactions: Array(items[start..<min(start + 100, items.count)]))
            _ = try await store.write(batch)
            _ = try await memory.write(batch)
        }
        let reference = FastScanTests.outcome(try await MetricsEngine(settings: FastScanTests.settings)
            .load(store: memory, now: FastScanTests.now).data)
        #expect(reference.count > 300)
        let scan = try await store.scanMetrics(parts: 3)
        #expect(FastScanTests.difference(FastScanTests.outcome(Dataset(scan: scan, settings: FastScanTests.settings, now: FastScanTests.now)),
                                         reference) == nil)
        // By name: the name is sent (SNI) and checked against the certificate (DNS:localhost), for the scan's own
        // connections as for the pool's.
        let byName = try await PostgresStore.open(url: url.replacingOccurrences(of: "@127.0.0.1:", with: "@localhost:"))
        defer { byName.close() }
        #expect(try await byName.scanMetrics(parts: 2).storedCounts == scan.storedCounts)
        let base = String(url.split(separator: "?")[0])
        let plain = await #expect(throws: StoreError.self) { _ = try await PostgresStore.open(url: base + "?sslmode=disable") }
        #expect(plain?.description.contains("no encryption") == true, "\(String(describing: plain))")
        // The system's certificate authorities do not know the test server's.
        let untrusted = await #expect(throws: StoreError.self) { _ = try await PostgresStore.open(url: base + "?sslmode=require") }
        #expect(untrusted?.description.contains("PostgreSQL store postgres://") == true
                && untrusted?.description.contains("not signed by a trusted certificate authority") == true
                && untrusted?.description.contains("add sslrootcert=PATH") == true, "\(String(describing: untrusted))")
    }

    @Test("a column whose type another program changed is a clear error, not a misread")
    func changedColumnTypeIsAnError() async throws {
        let (store, url) = try await postgres()
        defer { store.close() }
        _ = try await psql(url, Self.insertSQL(source: "s", from: 1, count: 10))
        _ = try await psql(url, "ALTER TABLE interactions ALTER COLUMN call_wait TYPE real")
        let error = try await #require(throws: StoreError.self) { _ = try await store.scanMetrics(parts: 1) }
        #expect(error.code == .corrupt)
        #expect(error.description.contains("column call_wait") && error.description.contains("expected"), "\(error)")
    }
}

/// Set once by one task, read by another.
private final class Done: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
