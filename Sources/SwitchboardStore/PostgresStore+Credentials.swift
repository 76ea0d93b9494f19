import Foundation
import PostgresNIO
import SwitchboardCore

/// Sealed credentials of connectors (table `oauth_tokens`, migration v8), shared by every instance.
extension PostgresStore: CredentialStore {
    public func credential(source: String) async throws -> Data? {
        return try await read("read the stored token of '\(source)'") { reader in
            try await reader.rows("SELECT sealed FROM oauth_tokens WHERE source = \(source)").last?.decode(Data.self)
        }
    }

    public func saveCredential(_ sealed: Data, source: String) async throws {
        let logger = logger
        _ = try await withConnection("store the token of '\(source)'") { conn in
            try await conn.query("""
                INSERT INTO oauth_tokens (source, sealed, updated_at) VALUES (\(source), \(sealed), \(Timestamp.milliseconds(Date())))
                ON CONFLICT (source) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
                """, logger: logger)
        }
    }
}
