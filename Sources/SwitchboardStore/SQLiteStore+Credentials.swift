import Foundation
import GRDB
import SwitchboardCore

/// Sealed credentials of connectors (table `oauth_tokens`, migration v8).
extension SQLiteStore: CredentialStore {
    public func credential(source: String) async throws -> Data? {
        try await guarded("read a stored token") {
            try await pool.read { db in
                try Data.fetchOne(db, sql: "SELECT sealed FROM oauth_tokens WHERE source = ?", arguments: [source])
            }
        }
    }

    public func saveCredential(_ sealed: Data, source: String) async throws {
        try await guarded("store a token") {
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT INTO oauth_tokens (source, sealed, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT (source) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
                    """, arguments: [source, sealed, Timestamp.milliseconds(Date())])
            }
        }
    }
}
