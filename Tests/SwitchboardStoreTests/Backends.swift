import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTesting

/// The store implementations every test of ``StoreSuiteTests`` runs against.
enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue }
}

/// A fresh, empty store of one backend: a SQLite file in a temporary folder, or a
/// new database on the test PostgreSQL server (see ``TestPostgres``).
final class ScratchStore: Sendable {
    let backend: Backend
    let location: String

    init(_ backend: Backend) throws {
        self.backend = backend
        switch backend {
        case .sqlite:
            location = FileManager.default.temporaryDirectory.appendingPathComponent("sb-store-\(UUID().uuidString)/test.db").path
        case .postgres:
            location = try TestPostgres.shared.createDatabase()
        }
    }

    /// Opens (or reopens) the store.
    func open() async throws -> any InteractionStore {
        switch backend {
        case .sqlite: return try SQLiteStore(path: location)
        case .postgres: return try await PostgresStore.open(url: location)
        }
    }

    deinit {
        if backend == .sqlite { try? FileManager.default.removeItem(atPath: (location as NSString).deletingLastPathComponent) }
    }
}

