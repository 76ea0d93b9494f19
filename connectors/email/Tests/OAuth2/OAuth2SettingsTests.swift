import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import EmailConnectors

/// The pinned `auth.oauth2` shape, its presets and its errors.
@Suite struct OAuth2SettingsTests {
    static func make(_ yaml: String) throws -> ImapSource {
        try ImapSource(name: "box", settings: ConnectorHarness.settings(for: ImapSource.self, yaml: yaml), context: ConnectorContext())
    }

    static func error(_ yaml: String) -> String {
        do { _ = try make(yaml); return "" } catch { return "\(error)" }
    }

    @Test func googlePresetFillsServerEndpointAndScope() throws {
        let s = try Self.make("""
            username: support@example.com
            auth:
              oauth2:
                provider: google
                client_id: 1234.apps.googleusercontent.com
                client_secret: s3cret-value
                refresh_token: rt-value
            """)
        #expect(s.connection.url == "imaps://imap.gmail.com:993/")
        let p = try #require(s.oauth).provider
        #expect(p.tokenURL == "https://oauth2.googleapis.com/token")
        #expect(p.scope == "https://mail.google.com/")
        #expect(p.flow == .loopback && p.authorizeURL == "https://accounts.google.com/o/oauth2/v2/auth")
        #expect(s.connection.password == nil && s.connection.oauth2Token == nil)
    }

    @Test func microsoftPresetUsesTheTenant() throws {
        let s = try Self.make("""
            username: shared-support@contoso.com
            auth: {oauth2: {provider: microsoft, tenant: contoso.onmicrosoft.com, client_id: abc, refresh_token: rt}}
            """)
        #expect(s.connection.url == "imaps://outlook.office365.com:993/")
        let p = try #require(s.oauth).provider
        #expect(p.tokenURL == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token")
        #expect(p.deviceURL == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode")
        #expect(p.scope == "https://outlook.office.com/IMAP.AccessAsUser.All offline_access")
        #expect(p.flow == .device)
        #expect(p.requiredScopes == ["https://outlook.office.com/IMAP.AccessAsUser.All"])
    }

    @Test func mistakesAreNamed() {
        #expect(Self.error("username: a\nauth: {oauth2: {provider: custom, client_id: c, refresh_token: r}}").contains("token_url is required"))
        #expect(Self.error("url: imaps://h\nusername: a\nauth: {oauth2: {provider: custom, client_id: c, refresh_token: r, token_url: http://idp.example.com/token}}")
            .contains("http:// only to 127.0.0.1"))
        #expect(Self.error("username: a\nauth: {oauth2: {provider: yahoo, client_id: c, refresh_token: r}}").contains("google, microsoft or custom"))
        #expect(Self.error("username: a\nauth: {oauth2: {provider: google, client_id: c}}").contains("set refresh_token"))
        #expect(Self.error("username: a\npassword: p\nauth: {oauth2: {provider: google, client_id: c, refresh_token: r}}").contains("not several"))
        #expect(Self.error("username: a\nauth: {oauth2: {provider: google, client_id: c, refresh_token: r, token_key: short}}").contains("at least 16"))
        #expect(Self.error("username: a\nauth: {oauth2: {provider: google, tenant: x, client_id: c, refresh_token: r}}").contains("microsoft only"))
        #expect(Self.error("url: imaps://h\nusername: a\nauth: {oauth2: {provider: custom, client_id: c, refresh_token: r, token_url: https://h/t, flow: device}}")
            .contains("device_url is required"))
    }

    @Test("http:// endpoints: 127.0.0.1 only, as libcurl reads the URL (a user part is no way around it)")
    func plainHTTPOnlyToLoopback() throws {
        for url in ["http://127.0.0.1:8080/token", "http://127.0.0.1/token", "HTTP://127.0.0.1:9/t", "https://idp.example.com/token"] {
            #expect(throws: Never.self, "\(url)") { try OAuth2Provider.checkEndpoint(url, key: "token_url") }
        }
        for url in ["http://127.0.0.1:80@idp.example.com/token", "http://127.0.0.1@idp.example.com/token",
                    "http://127.0.0.1.idp.example.com/token", "http://localhost:8080/token", "http://idp.example.com/token",
                    "ftp://127.0.0.1/token", "http://u:p@127.0.0.1:8080/token"] {
            let e = #expect(throws: ConnectorError.self, "\(url)") { try OAuth2Provider.checkEndpoint(url, key: "token_url") }
            #expect(e?.message.contains("auth.oauth2.token_url: expected an https:// URL (http:// only to 127.0.0.1)") == true)
        }
    }

    @Test("the loopback listener reads any query without trapping (`=`, `=x`, `code=`, percent and plus signs)")
    func redirectQueryParameters() {
        #expect(LoopbackRedirect.queryParameters("/?=") == ["": ""])
        #expect(LoopbackRedirect.queryParameters("/?=x&code=c%2F1+2&state=s") == ["": "x", "code": "c/1 2", "state": "s"])
        #expect(LoopbackRedirect.queryParameters("/?code=&error") == ["code": "", "error": ""])
        #expect(LoopbackRedirect.queryParameters("/favicon.ico").isEmpty)
    }

    @Test("form bodies percent-encode every reserved byte of a secret (`+`, `/`, `=`, `&`, `%`)")
    func formEncodingOfSecrets() {
        #expect(FormPost.encode([("client_secret", "a+b/c=d&e%f g~h.i_j-k")])
                == "client_secret=a%2Bb%2Fc%3Dd%26e%25f%20g~h.i_j-k")
    }

    @Test func unknownKeysInTheSectionAreRefusedWithTheirPlace() throws {
        let yaml = """
            store: {sqlite: ./sb.db}
            connectors:
              - name: box
                kind: imap
                username: a@example.com
                auth:
                  oauth2:
                    provider: google
                    client_id: c
                    refresh_tokn: r
            """
        let registry = ConnectorRegistry([ImapSource.self])
        let file = URL(fileURLWithPath: "/tmp/oauth2-settings-test.yaml")
        let config = try ConfigLoader(registry: registry, environment: [:]).load(yaml: yaml, file: file)
        #expect(throws: ConfigError.self) { try registry.make(config.connectors[0], context: ConnectorContext(), file: file.path) }
        do { _ = try registry.make(config.connectors[0], context: ConnectorContext(), file: file.path) }
        catch let e as ConfigError {
            #expect(e.description.contains("refresh_tokn") && e.description.contains("refresh_token"), "\(e)")
            #expect(e.description.contains(":10"), "\(e)")
        }
    }

    @Test func sealedCredentialsOpenOnlyWithTheirKeyAndSource() throws {
        let key = try SealedCredential.Key("a-long-enough-passphrase")
        let sealed = try SealedCredential.seal(Data("rt-secret".utf8), source: "box", key: key)
        #expect(try SealedCredential.open(sealed, source: "box", key: key) == Data("rt-secret".utf8))
        #expect(throws: SealedCredential.OpenFailure.self) { try SealedCredential.open(sealed, source: "other", key: key) }
        #expect(throws: SealedCredential.OpenFailure.self) {
            try SealedCredential.open(sealed, source: "box", key: try SealedCredential.Key("another-long-passphrase"))
        }
        #expect(FormPost.encode([("a b", "x&y=z/é")]) == "a%20b=x%26y%3Dz%2F%C3%A9")
    }
}

/// What a server's refusal of a fresh token is reported as.
@Suite struct OAuth2LoginRefusalTests {
    static let source: ImapSource = try! OAuth2SettingsTests.make("""
        username: support@example.com
        auth: {oauth2: {provider: google, client_id: c, refresh_token: r}}
        """)

    @Test func imapSwitchedOffIsNamedWithWhereToTurnItOn() {
        let e = Self.source.loginRefused(.init(response: "NO [ALERT] Your account is not enabled for IMAP use. Please visit your Gmail settings page and enable your account for IMAP access. (Failure)", detail: nil))
        #expect(e.code == .authentication)
        #expect(e.message.contains("IMAP is disabled for support@example.com") && e.message.contains("Enable IMAP"), "\(e)")
    }

    @Test func anyOtherRefusalQuotesTheServerAndNamesTheScope() {
        let e = Self.source.loginRefused(.init(response: "NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)",
                                               detail: #"{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}"#))
        #expect(e.message.contains("rejected a freshly issued access token for support@example.com"), "\(e)")
        #expect(e.message.contains("Invalid credentials") && e.message.contains(#""status":"400""#))
        #expect(e.message.contains("shared mailbox") && e.message.contains("https://mail.google.com/"))
    }
}
