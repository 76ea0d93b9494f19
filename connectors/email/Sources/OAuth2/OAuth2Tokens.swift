import Crypto
import Foundation
import Logging
import SwitchboardCore

/// The access token of one source: cached until shortly before it expires, refreshed with the
/// newest refresh token, which it keeps when the provider rotates it.
///
/// Where the refresh token comes from, newest first: the store (sealed with `token_key`, written
/// after a rotation or by `switchboard auth`) — unless the config's `refresh_token` changed since
/// that value was stored, then the config's; a rotated token kept in memory (no `token_key`);
/// the config's `refresh_token`. The store is read again before every refresh, so instances
/// sharing a PostgreSQL store see each other's rotations.
actor OAuth2Tokens {
    nonisolated let provider: OAuth2Provider
    nonisolated let source: String
    let credentials: (any CredentialStore)?
    let logger: Logger
    private var access: (token: String, expiresAt: Date)?
    private var rotatedInMemory: String?
    private var warnedNoKey = false

    init(provider: OAuth2Provider, source: String, credentials: (any CredentialStore)?, logger: Logger) {
        self.provider = provider
        self.source = source
        self.credentials = credentials
        self.logger = logger
    }

    /// What the store keeps (sealed): the refresh token, and a digest of the config's
    /// `refresh_token` it descends from, so a new one written into the config takes over.
    struct Stored: Codable {
        var refreshToken: String
        var seed: String
    }

    /// A valid access token: the cached one unless it expires within a margin (a tenth of its
    /// lifetime, at most 60 s), or `force` asks for a new one (the server rejected the cached one).
    func accessToken(force: Bool = false) async throws -> (token: String, expiresAt: Date) {
        if !force, let a = access, Date() < a.expiresAt { return a }
        let refreshToken = try await currentRefreshToken()
        let endpoint = TokenEndpoint(provider: provider, source: source)
        let grant = try await Task.detached { try endpoint.refresh(refreshToken) }.value
        let margin = min(60, grant.expiresIn / 10)
        let fresh = (grant.accessToken, Date().addingTimeInterval(max(0, grant.expiresIn - margin)))
        access = fresh
        if let rotated = grant.refreshToken, !rotated.isEmpty, rotated != refreshToken {
            try await keep(rotated)
        }
        return fresh
    }

    /// The refresh token to use now.
    func currentRefreshToken() async throws -> String {
        if let stored = try await loadStored(), stored.seed == Self.seed(provider.refreshToken) { return stored.refreshToken }
        if let rotatedInMemory { return rotatedInMemory }
        guard let configured = provider.refreshToken else {
            throw ConnectorError(.authentication, "\(source): no refresh token yet: run `switchboard auth \(source)` (it keeps the token in the store), or set auth.oauth2.refresh_token")
        }
        return configured
    }

    /// Keeps a refresh token: sealed in the store when `token_key` and a store are there, else in memory.
    func keep(_ refreshToken: String) async throws {
        rotatedInMemory = refreshToken
        guard let key = provider.tokenKey, let credentials else {
            if !warnedNoKey {
                warnedNoKey = true
                logger.warning("\(source): the provider issued a new refresh token; it is kept in memory only, so after a restart the configured one is used: set auth.oauth2.token_key to keep it in the store")
            }
            return
        }
        let plain = try JSONEncoder().encode(Stored(refreshToken: refreshToken, seed: Self.seed(provider.refreshToken)))
        let sealed = try SealedCredential.seal(plain, source: source, key: key)
        do { try await credentials.saveCredential(sealed, source: source) }
        catch { throw ConnectorError(.io, "\(source): cannot keep the new refresh token in the store: \(error)") }
    }

    private func loadStored() async throws -> Stored? {
        guard let key = provider.tokenKey, let credentials else { return nil }
        let sealed: Data?
        do { sealed = try await credentials.credential(source: source) }
        catch { throw ConnectorError(.io, "\(source): cannot read the stored refresh token: \(error)") }
        guard let sealed else { return nil }
        do {
            return try JSONDecoder().decode(Stored.self, from: SealedCredential.open(sealed, source: source, key: key))
        } catch let failure as SealedCredential.OpenFailure {
            throw ConnectorError(.authentication, "\(source): the refresh token in the store does not open: \(failure.description). Restore the old auth.oauth2.token_key, or run `switchboard auth \(source)` to store a new token")
        }
    }

    /// A digest naming the config's refresh token without revealing it ("" for none).
    static func seed(_ configured: String?) -> String {
        guard let configured else { return "" }
        return SHA256.hash(data: Data(configured.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}
