import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import EmailConnectors

/// `auth.oauth2` against a real Dovecot whose passdb oauth2 asks scripts/oauth2-token-service,
/// with access tokens that live 2–3 s.
@Suite("imap auth.oauth2 against a real Dovecot", .serialized,
       .enabled(if: DovecotServer.isInstalled, "dovecot is not installed (make test installs dovecot-imapd)"))
struct OAuth2DovecotTests {
    static let tokenKey = "test-token-key-0123456789"

    static func source(_ server: DovecotServer, _ service: TokenService, user: String, refreshToken: String?,
                       credentials: InMemoryCredentials?, tokenKey: String? = OAuth2DovecotTests.tokenKey,
                       name: String = "oauth-mailbox", extra: String = "") throws -> ImapSource {
        var yaml = """
        url: "\(server.plainURL)"
        username: \(user)
        timeout: 10s
        auth:
          oauth2:
            provider: custom
            client_id: switchboard-test
            token_url: \(service.url)/token
            scope: mail
        """
        if let refreshToken { yaml += "\n    refresh_token: \(refreshToken)" }
        if let tokenKey { yaml += "\n    token_key: \(tokenKey)" }
        yaml += "\n" + extra
        var context = ConnectorContext()
        context.credentials = credentials
        return try ImapSource(name: name, settings: ConnectorHarness.settings(for: ImapSource.self, yaml: yaml), context: context)
    }

    /// A token service (2 s tokens) and a Dovecot asking it, on the test's ports; both stopped afterwards.
    static func withServers(lifetime: Double = 2, _ body: (DovecotServer, TokenService) async throws -> Void) async throws {
        let service = try TokenService(lifetime: lifetime)
        defer { service.stop() }
        let server = try service.dovecot()
        defer { server.stop() }
        try await body(server, service)
    }

    @Test("a pull that spans several token expiries keeps going; the next pull refreshes first")
    func pullSpanningExpiry() async throws {
        try await Self.withServers(lifetime: 3) { server, service in
            #expect(try server.append(user: "anna@example.com", [try Fixture.url("support.mbox")]) == 6)
            let refresh = try service.mint(user: "anna@example.com")
            let imap = try Self.source(server, service, user: "anna@example.com", refreshToken: refresh,
                                       credentials: InMemoryCredentials(), extra: "batch: 1")
            let harness = ConnectorHarness()
            // One message per batch, 1.1 s per checkpoint: the pull takes about 6.6 s, past two expiries of 3 s tokens.
            let sink = SlowSink(inner: BatchingSink(source: "oauth-mailbox", store: harness.store, batchSize: 1), delay: 1.1)
            let started = Date()
            try await imap.pull(from: nil, into: sink)
            _ = try await sink.inner.finish()
            #expect(Date().timeIntervalSince(started) > 6.5)
            #expect(await harness.stored().count == 6)
            #expect(try service.count("refreshes") == 1)

            // The cached token expired meanwhile: the next pull refreshes before logging in.
            try server.append(user: "anna@example.com", [try Fixture.url("koi8r.eml")])
            let second = try await harness.pull(imap, source: "oauth-mailbox")
            #expect(second.stored == 1)
            #expect(try service.count("refreshes") == 2)
            #expect(try service.count("rejected_introspections") == 0)
        }
    }

    @Test("a token the server rejects before it expires is refreshed once and the login retried")
    func rejectedTokenIsRefreshedOnce() async throws {
        try await Self.withServers(lifetime: 30) { server, service in
            try server.append(user: "bob@example.com", [try Fixture.url("koi8r.eml")])
            let imap = try Self.source(server, service, user: "bob@example.com",
                                       refreshToken: try service.mint(user: "bob@example.com"), credentials: nil, tokenKey: nil)
            let harness = ConnectorHarness()
            #expect(try await harness.pull(imap, source: "oauth-mailbox").stored == 1)
            try service.admin("expire")   // the cached token still looks valid for ~27 s
            try server.append(user: "bob@example.com", [try Fixture.url("cp1251-multipart.eml")])
            #expect(try await harness.pull(imap, source: "oauth-mailbox").stored == 1)
            #expect(try service.count("refreshes") == 2)
            #expect(try service.count("rejected_introspections") == 1)
        }
    }

    @Test("a revoked refresh token: one clear error per pull, one token request, and what to run")
    func revokedRefreshToken() async throws {
        try await Self.withServers() { server, service in
            let refresh = try service.mint(user: "carol@example.com")
            try service.admin("revoke", ["refresh_token": refresh])
            let imap = try Self.source(server, service, user: "carol@example.com", refreshToken: refresh, credentials: nil, tokenKey: nil)
            for run in 1...2 {
                let error = await #expect(throws: ConnectorError.self) {
                    try await ConnectorHarness().pull(imap, source: "oauth-mailbox")
                }
                #expect(error?.code == .authentication)
                #expect(error?.message.contains("invalid_grant") == true, "\(String(describing: error))")
                #expect(error?.message.contains("Run `switchboard auth oauth-mailbox`") == true)
                #expect(error?.message.contains(refresh) == false)
                #expect(try service.count("invalid_grants") == run)   // no retry storm within a run
            }
            let check = await imap.loginCheck()
            #expect(check.session == nil && check.line.status == .problem && check.line.text.contains("invalid_grant"))
        }
    }

    @Test("a rotated refresh token is kept sealed in the store and used after a restart")
    func rotatedRefreshTokenSurvivesRestart() async throws {
        try await Self.withServers() { server, service in
            try service.admin("config", ["rotate": true])   // each refresh revokes the token it used
            try server.append(user: "dan@example.com", [try Fixture.url("koi8r.eml")])
            let first = try service.mint(user: "dan@example.com")
            let credentials = InMemoryCredentials()
            let harness = ConnectorHarness()
            let imap = try Self.source(server, service, user: "dan@example.com", refreshToken: first, credentials: credentials)
            #expect(try await harness.pull(imap, source: "oauth-mailbox").stored == 1)
            #expect(await credentials.saves == 1)
            let sealed = try #require(try await credentials.credential(source: "oauth-mailbox"))
            let used = try service.usedRefreshTokens()
            #expect(used == [first])
            #expect(!String(decoding: sealed, as: UTF8.self).contains("rt-"))   // sealed, not in the clear

            // "Restart": a new source from the same config and store; the config still names the first token.
            try await Task.sleep(for: .seconds(2.1))
            let restarted = try Self.source(server, service, user: "dan@example.com", refreshToken: first, credentials: credentials)
            try server.append(user: "dan@example.com", [try Fixture.url("cp1251-multipart.eml")])
            #expect(try await harness.pull(restarted, source: "oauth-mailbox").stored == 1)
            let afterRestart = try service.usedRefreshTokens()
            #expect(afterRestart.count == 2 && afterRestart[1] != first)
            #expect(try service.count("invalid_grants") == 0)

            // Another key cannot open it: the message says what to do.
            let wrongKey = try Self.source(server, service, user: "dan@example.com", refreshToken: first, credentials: credentials,
                                           tokenKey: "another-key-0123456789")
            let error = await #expect(throws: ConnectorError.self) { try await harness.pull(wrongKey, source: "oauth-mailbox") }
            #expect(error?.message.contains("token_key") == true)

            // A new refresh_token written into the config takes over from the stored one.
            let fresh = try service.mint(user: "dan@example.com")
            let reconfigured = try Self.source(server, service, user: "dan@example.com", refreshToken: fresh, credentials: credentials)
            _ = try await harness.pull(reconfigured, source: "oauth-mailbox")
            #expect(try service.usedRefreshTokens().last == fresh)
        }
    }

    @Test("`check` logs in with a refreshed token and names a wrong client secret")
    func loginCheck() async throws {
        try await Self.withServers() { server, service in
            let imap = try Self.source(server, service, user: "erin@example.com",
                                       refreshToken: try service.mint(user: "erin@example.com"), credentials: nil, tokenKey: nil)
            let ok = await imap.loginCheck()
            ok.session?.logout()
            #expect(ok.line.status == .ok, "\(ok.line)")
            #expect(ok.line.text.contains("as erin@example.com with OAuth2 (custom, access token refreshed"))
            try service.admin("config", ["client_secret": "the-right-secret"])
            let bad = await imap.loginCheck()
            #expect(bad.line.status == .problem)
            #expect(bad.line.text.contains("invalid_client") && bad.line.text.contains("client_secret"), "\(bad.line)")
            // A token granting less than the mail scope is named before any login.
            try service.admin("config", ["client_secret": NSNull(), "granted_scope": "profile"])
            let narrow = try await Self.source(server, service, user: "erin@example.com",
                                           refreshToken: try service.mint(user: "erin@example.com"), credentials: nil, tokenKey: nil).loginCheck()
            #expect(narrow.line.status == .problem && narrow.line.text.contains("but not mail"), "\(narrow.line)")
        }
    }
}

/// A sink that takes its time at every checkpoint (a slow store), to stretch a pull over token expiries.
struct SlowSink: IngestSink {
    let inner: BatchingSink
    let delay: Double
    var source: String { inner.source }
    func accept(_ interaction: Interaction) async throws { try await inner.accept(interaction) }
    func reject(reason: String, provenance: String, raw: Data) async throws {
        try await inner.reject(reason: reason, provenance: provenance, raw: raw)
    }
    func checkpoint(_ checkpoint: Checkpoint) async throws {
        try await inner.checkpoint(checkpoint)
        try await Task.sleep(for: .seconds(delay))
    }
}
