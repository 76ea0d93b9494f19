import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import EmailConnectors

/// `switchboard auth`'s sign-in flows against scripts/oauth2-token-service as the authorization server.
@Suite("OAuth2 sign-in flows against a local authorization server", .serialized)
struct OAuth2FlowTests {
    /// Lines the flow shows the user, collected as they come.
    final class Screen: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func say(_ line: String) { lock.withLock { lines.append(line) } }
        var text: String { lock.withLock { lines.joined(separator: "\n") } }
        /// The first shown line that contains `marker`, waited for.
        func wait(for marker: String) async throws -> String {
            for _ in 0..<200 {
                if let line = lock.withLock({ lines.first { $0.contains(marker) } }) { return line }
                try await Task.sleep(for: .milliseconds(25))
            }
            throw DovecotServer.Failure(message: "never shown: \(marker); shown: \(text)")
        }
    }

    static func source(_ service: TokenService, flow: String, credentials: InMemoryCredentials) throws -> ImapSource {
        let yaml = """
        url: "imap://127.0.0.1:1"
        username: support@example.com
        auth:
          oauth2:
            provider: custom
            client_id: switchboard-test
            scope: mail offline_access
            token_url: \(service.url)/token
            device_url: \(service.url)/devicecode
            authorize_url: \(service.url)/authorize
            flow: \(flow)
            token_key: flow-test-key-0123456789
        """
        var context = ConnectorContext()
        context.credentials = credentials
        return try ImapSource(name: "flow-mailbox", settings: ConnectorHarness.settings(for: ImapSource.self, yaml: yaml), context: context)
    }

    /// The refresh token the flow stored, read back the way a pull does.
    static func storedRefreshToken(_ source: ImapSource) async throws -> String {
        try await #require(source.oauth).currentRefreshToken()
    }

    @Test("device code: pending, slow_down (interval grows by 5 s), then the user signs in; the token is stored")
    func deviceCodeFlow() async throws {
        let service = try TokenService(lifetime: 60)
        defer { service.stop() }
        try service.admin("config", ["device_interval": 1, "slow_down_once": true])
        let credentials = InMemoryCredentials()
        let source = try Self.source(service, flow: "device", credentials: credentials)
        let screen = Screen()
        let flow = Task { try await source.authorize(AuthorizationPrompt(timeout: 30) { screen.say($0) }) }
        let line = try await screen.wait(for: "enter the code")
        let code = try #require(line.split(separator: " ").last.map(String.init))
        #expect(line.contains("\(service.url)/device"))
        try await Task.sleep(for: .seconds(2.5))   // a few polls answered authorization_pending / slow_down
        try service.admin("approve", ["user_code": code, "user": "support@example.com"])
        let summary = try await flow.value
        #expect(summary.contains("refresh token is stored"))
        #expect(await credentials.saves == 1)
        #expect(try await Self.storedRefreshToken(source).hasPrefix("rt-"))
        // Polls at the interval: slow_down moved it from 1 s to 6 s, so only a few polls in all.
        let polls = try service.count("device_polls")
        #expect(polls >= 2 && polls <= 4, "\(polls) polls")
    }

    @Test("device code: a user who never signs in gets a clear timeout message")
    func deviceCodeTimeout() async throws {
        let service = try TokenService(lifetime: 60)
        defer { service.stop() }
        try service.admin("config", ["device_interval": 1])
        let credentials = InMemoryCredentials()
        let source = try Self.source(service, flow: "device", credentials: credentials)
        let screen = Screen()
        let started = Date()
        let error = await #expect(throws: ConnectorError.self) {
            try await source.authorize(AuthorizationPrompt(timeout: 2.5) { screen.say($0) })
        }
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(error?.message.contains("nobody completed the sign-in") == true, "\(String(describing: error))")
        #expect(error?.message.contains("--timeout") == true)
        #expect(await credentials.saves == 0)
    }

    @Test("device code: a code that expires before sign-in says so")
    func deviceCodeExpires() async throws {
        let service = try TokenService(lifetime: 60)
        defer { service.stop() }
        try service.admin("config", ["device_interval": 1, "device_expires_in": 1.5])
        let source = try Self.source(service, flow: "device", credentials: InMemoryCredentials())
        // The user's timeout is longer than the code's life: the provider's expired_token ends it.
        let error = await #expect(throws: ConnectorError.self) {
            try await source.authorize(AuthorizationPrompt(timeout: 10) { _ in })
        }
        #expect(error?.message.contains("expired before the sign-in was completed") == true, "\(String(describing: error))")
    }

    @Test("loopback with PKCE: the browser comes back with the code; a forged state is refused")
    func loopbackFlow() async throws {
        let service = try TokenService(lifetime: 60)
        defer { service.stop() }
        let credentials = InMemoryCredentials()
        let source = try Self.source(service, flow: "loopback", credentials: credentials)
        let screen = Screen()
        let flow = Task { try await source.authorize(AuthorizationPrompt(timeout: 20) { screen.say($0) }) }
        let url = try await screen.wait(for: "\(service.url)/authorize?")
        let query = LoopbackRedirect.queryParameters(url)
        #expect(query["code_challenge_method"] == "S256" && query["code_challenge"]?.count == 43)
        #expect(query["response_type"] == "code" && query["login_hint"] == "support@example.com")
        let redirect = try #require(query["redirect_uri"])
        #expect(redirect.hasPrefix("http://127.0.0.1:") && !redirect.hasPrefix(service.url))
        // Someone else's answer (wrong state) is turned away and the flow keeps waiting.
        let forged = try DovecotServer.run("/usr/bin/env", ["curl", "-s", "-w", " %{http_code}", "\(redirect)?code=evil&state=forged"])
        #expect(forged.hasSuffix(" 400") && forged.contains("state mismatch"), "\(forged)")
        // The browser: sign in at the authorization server, which redirects back to Switchboard.
        let page = try DovecotServer.run("/usr/bin/env", ["curl", "-s", "-L", "--max-time", "10", url])
        #expect(page.contains("Switchboard is signed in"), "\(page)")
        #expect(try await flow.value.contains("refresh token is stored"))
        #expect(try service.count("codes_exchanged") == 1)
        #expect(try await Self.storedRefreshToken(source).hasPrefix("rt-"))
    }

    @Test("loopback: a browser that never comes back gets a clear timeout message")
    func loopbackTimeout() async throws {
        let service = try TokenService(lifetime: 60)
        defer { service.stop() }
        let source = try Self.source(service, flow: "loopback", credentials: InMemoryCredentials())
        let error = await #expect(throws: ConnectorError.self) {
            try await source.authorize(AuthorizationPrompt(timeout: 1.5) { _ in })
        }
        #expect(error?.message.contains("nobody completed the sign-in in the browser") == true, "\(String(describing: error))")
        #expect(error?.message.contains("--timeout") == true)
    }

    @Test("the presets pick their flows: microsoft signs in by device code, google in the browser with offline access")
    func presetsPickTheirFlows() async throws {
        let service = try TokenService(lifetime: 60)
        defer { service.stop() }
        try service.admin("config", ["device_interval": 1])
        func source(_ provider: String, _ endpoints: String) throws -> ImapSource {
            var context = ConnectorContext()
            context.credentials = InMemoryCredentials()
            return try ImapSource(name: "preset", settings: ConnectorHarness.settings(for: ImapSource.self, yaml: """
                username: support@example.com
                auth: {oauth2: {provider: \(provider), client_id: c, token_key: preset-test-key-0123456789, token_url: "\(service.url)/token", \(endpoints)}}
                """), context: context)
        }
        let microsoft = try source("microsoft", "device_url: \"\(service.url)/devicecode\"")
        let screen = Screen()
        let signIn = Task { try await microsoft.authorize(AuthorizationPrompt(timeout: 20) { screen.say($0) }) }
        let code = try #require(try await screen.wait(for: "enter the code").split(separator: " ").last.map(String.init))
        try service.admin("approve", ["user_code": code])
        _ = try await signIn.value

        let google = try source("google", "authorize_url: \"\(service.url)/authorize\"")
        let browser = Screen()
        let loopback = Task { try await google.authorize(AuthorizationPrompt(timeout: 20) { browser.say($0) }) }
        let url = try await browser.wait(for: "\(service.url)/authorize?")
        let query = LoopbackRedirect.queryParameters(url)
        #expect(query["access_type"] == "offline" && query["prompt"] == "consent" && query["scope"] == "https://mail.google.com/")
        _ = try DovecotServer.run("/usr/bin/env", ["curl", "-s", "-L", "--max-time", "10", url])
        _ = try await loopback.value
        #expect(try service.count("codes_exchanged") == 1)
    }

    @Test("PKCE S256 challenge of RFC 7636's example verifier")
    func pkceChallenge() {
        #expect(LoopbackFlow.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }
}
