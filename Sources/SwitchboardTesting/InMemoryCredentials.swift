import Foundation
import SwitchboardCore

/// A ``CredentialStore`` in memory, for connector tests (the real stores keep table `oauth_tokens`).
public actor InMemoryCredentials: CredentialStore {
    private var values: [String: Data] = [:]
    /// How many times a credential was saved.
    public private(set) var saves = 0

    public init() {}

    public func credential(source: String) async throws -> Data? { values[source] }

    public func saveCredential(_ sealed: Data, source: String) async throws {
        values[source] = sealed
        saves += 1
    }
}
