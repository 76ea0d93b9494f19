import Foundation
import SwitchboardCore

/// The ``CredentialStore`` every connector of a command gets: the command's store, once it is
/// opened (connectors are built before). Before that, or when the store keeps no credentials,
/// nothing is found and saving fails with a message saying so.
actor StoreCredentials: CredentialStore {
    private var store: (any CredentialStore)?

    func bind(_ store: Any) {
        self.store = store as? any CredentialStore
    }

    func credential(source: String) async throws -> Data? {
        try await store?.credential(source: source)
    }

    func saveCredential(_ sealed: Data, source: String) async throws {
        guard let store else { throw StoreError(.unavailable, "no store is open to keep the token of '\(source)' in") }
        try await store.saveCredential(sealed, source: source)
    }
}
