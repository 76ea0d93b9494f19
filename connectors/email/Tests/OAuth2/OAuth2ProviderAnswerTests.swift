import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import EmailConnectors

/// XOAUTH2 answers a real Dovecot cannot give (scripts/fake-imap), with tokens from scripts/oauth2-token-service.
@Suite("imap auth.oauth2 and provider answers at login", .serialized)
struct OAuth2ProviderAnswerTests {
    static func source(_ imap: FakeIMAPServer, _ service: TokenService) throws -> ImapSource {
        try ImapSource(name: "mailbox", settings: ConnectorHarness.settings(for: ImapSource.self, yaml: """
            url: "\(imap.url)"
            username: support@acme.example
            timeout: 10s
            auth: {oauth2: {provider: custom, client_id: c, scope: mail, token_url: "\(service.url)/token", refresh_token: "\(try service.mint(user: "support@acme.example"))"}}
            """), context: ConnectorContext())
    }

    @Test("IMAP switched off for the account: the token is refreshed once, then the message says where to turn IMAP on")
    func imapDisabled() async throws {
        let service = try TokenService(lifetime: 60)
        defer { service.stop() }
        let imap = try FakeIMAPServer.start(answers: ["LOGIN=NO [ALERT] Your account is not enabled for IMAP use. Please visit your Gmail settings page and enable your account for IMAP access. (Failure)"])
        defer { imap.stop() }
        let error = await #expect(throws: ConnectorError.self) { try await ConnectorHarness().pull(try Self.source(imap, service), source: "mailbox") }
        #expect(error?.code == .authentication)
        #expect(error?.message.contains("IMAP is disabled for support@acme.example") == true, "\(String(describing: error))")
        #expect(try service.count("refreshes") == 2)   // the cached token, then one fresh one
        #expect(imap.commands.filter { $0.hasPrefix("AUTHENTICATE XOAUTH2") }.count == 2, "\(imap.commands)")
    }

    @Test("too many connections at login is a throttle, not a bad token: no second token, no auth error")
    func throttledLogin() async throws {
        let service = try TokenService(lifetime: 60)
        defer { service.stop() }
        let imap = try FakeIMAPServer.start(answers: ["LOGIN=NO [ALERT] Too many simultaneous connections. (Failure)"])
        defer { imap.stop() }
        let error = await #expect(throws: ConnectorError.self) { try await ConnectorHarness().pull(try Self.source(imap, service), source: "mailbox") }
        #expect(error?.code == .throttled, "\(String(describing: error))")
        #expect(try service.count("refreshes") == 1)
    }

    @Test("`* BYE Too many simultaneous connections` to XOAUTH2: throttled with the server's words, not a lost connection")
    func byeToTheLogin() async throws {
        let service = try TokenService(lifetime: 60)
        defer { service.stop() }
        let imap = try FakeIMAPServer.start(answers: ["LOGIN=BYE Too many simultaneous connections"])
        defer { imap.stop() }
        let error = await #expect(throws: ConnectorError.self) { try await ConnectorHarness().pull(try Self.source(imap, service), source: "mailbox") }
        #expect(error?.code == .throttled, "\(String(describing: error))")
        #expect(error?.message.contains("(during login: the server said BYE: Too many simultaneous connections)") == true,
                "\(String(describing: error))")
        #expect(try service.count("refreshes") == 1)
    }
}
