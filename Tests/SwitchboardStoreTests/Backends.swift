import Foundation
import SwitchboardCore
import SwitchboardScan
import SwitchboardStore
import SwitchboardTesting
import Testing

/// The store implementations every test of ``StoreSuiteTests`` runs against.
enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue }
}

/// A fresh, empty store of one backend: a SQLite file in a temporary folder, or a new
/// database on the test PostgreSQL server (see ``TestPostgres``). A PostgreSQL case
/// skips itself when no test server is configured. Everything is removed on deinit.
final class ScratchStore: Sendable {
    let backend: Backend
    let location: String
    private let opened = Opened()

    init(_ backend: Backend) async throws {
        self.backend = backend
        switch backend {
        case .sqlite:
            location = FileManager.default.temporaryDirectory.appendingPathComponent("sb-store-\(UUID().uuidString)/test.db").path
        case .postgres:
            guard TestPostgres.serverURL != nil else { try Test.cancel(Comment(rawValue: TestPostgres.skipMessage)) }
            location = try await TestPostgres.offPool { try TestPostgres.createDatabase() }
        }
    }

    /// Opens (or reopens) the store.
    func open() async throws -> any MetricsStore {
        switch backend {
        case .sqlite: return try SQLiteStore(path: location)
        case .postgres: return try await openPostgres()
        }
    }

    /// Opens another PostgreSQL store on the same database.
    func openPostgres() async throws -> PostgresStore {
        let store = try await PostgresStore.open(url: location)
        opened.add(store)
        return store
    }

    /// The database name of a PostgreSQL scratch store.
    var databaseName: String {
        String(location.split(separator: "?")[0].split(separator: "/").last ?? "")
    }

    deinit {
        switch backend {
        case .sqlite:
            try? FileManager.default.removeItem(atPath: (location as NSString).deletingLastPathComponent)
        case .postgres:
            opened.closeAll()
            // Off the test's thread: nothing waits for the drop (the cluster is thrown away anyway).
            if let server = TestPostgres.serverURL {
                let name = databaseName
                Thread.detachNewThread { _ = TestPostgres.psql(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
            }
        }
    }
}

/// The PostgreSQL stores a scratch store opened, closed with it.
private final class Opened: @unchecked Sendable {
    private let lock = NSLock()
    private var stores: [PostgresStore] = []
    func add(_ store: PostgresStore) { lock.withLock { stores.append(store) } }
    func closeAll() { for store in lock.withLock({ stores }) { store.close() } }
}
