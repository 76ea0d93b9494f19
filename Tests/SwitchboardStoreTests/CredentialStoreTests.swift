import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTesting
import Testing

/// Table `oauth_tokens` (migration v8-oauth-tokens): sealed credentials per source, replaced in place,
/// kept across reopening, and seen by a second instance on the same PostgreSQL database.
@Suite(.timeLimit(.minutes(5))) struct CredentialStoreTests {
    @Test(arguments: Backend.allCases) func credentialsAreKeptPerSourceAndReplaced(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try #require(try await tmp.open() as? any CredentialStore)
        #expect(try await store.credential(source: "box") == nil)
        try await store.saveCredential(Data([1, 2, 3]), source: "box")
        try await store.saveCredential(Data([9]), source: "other")
        try await store.saveCredential(Data([4, 5]), source: "box")
        #expect(try await store.credential(source: "box") == Data([4, 5]))
        #expect(try await store.credential(source: "other") == Data([9]))

        // Reopened (a restart), and on PostgreSQL a second instance: the latest value.
        let again = try #require(try await tmp.open() as? any CredentialStore)
        #expect(try await again.credential(source: "box") == Data([4, 5]))
        try await again.saveCredential(Data([7]), source: "box")
        #expect(try await store.credential(source: "box") == Data([7]))
    }
}
