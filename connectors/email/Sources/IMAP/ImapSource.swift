import Foundation
import SwitchboardCore

/// `kind: imap` — pulls a support mailbox over IMAP (read-only: `EXAMINE` and
/// `BODY.PEEK[]`, flags never change). libcurl connects, does TLS or STARTTLS
/// and logs in; Switchboard fetches in pipelined `UID FETCH` batches and keeps
/// per mailbox the UIDVALIDITY and highest UID, committed with each batch.
///
/// The same kind imports mbox files and Maildir folders into the same source
/// (`switchboard import support-mailbox old.mbox`): one parser, one id per
/// message (Message-ID + content hash), so backfilled mail is never stored twice.
public struct ImapSource: PullSource, FileImporter {
    public struct Settings: Decodable, Sendable {
        public var url: String?
        public var username: String
        public var password: String?
        public var oauth2Token: String?
        public var starttls: Bool?
        public var mailboxes: [String]?
        public var since: String?
        public var batch: Int?
        public var tlsVerify: Bool?
        public var caFile: String?
        public var supportAddresses: [String]?
        public var timeout: String?
        public var path: String?
        public var folderTopic: Bool?
        public var auth: ImapAuthSettings?

        enum CodingKeys: String, CodingKey {
            case url, username, password, starttls, mailboxes, since, batch, timeout, path, auth
            case oauth2Token = "oauth2_token", tlsVerify = "tls_verify", caFile = "ca_file"
            case supportAddresses = "support_addresses", folderTopic = "folder_topic"
        }
    }

    public static let kind = "imap"
    public static let summary = "IMAP mailboxes (INBOX and Sent), pulled read-only and threaded; also imports mbox/Maildir backfill"
    public static let settings: [SettingSpec] = [
        SettingSpec("url", "string", "imaps://host[:port] (TLS), or imap://host[:port] with starttls: true; required unless auth.oauth2.provider is google or microsoft"),
        SettingSpec("username", "string", required: true, "login name"),
        SettingSpec("password", "string", "password, as ${ENV_VAR} (LOGIN / SASL PLAIN)"),
        SettingSpec("oauth2_token", "string", "OAuth 2 bearer token, as ${ENV_VAR} (XOAUTH2), instead of password"),
        SettingSpec("auth", "{oauth2: {...}}", "OAuth2 with a refresh token: provider (google|microsoft|custom), client_id, client_secret, refresh_token, token_url, scope, tenant, token_key, flow, device_url, authorize_url (connectors/email/README.md)"),
        SettingSpec("starttls", "bool", "upgrade an imap:// connection with STARTTLS and refuse to go on without it (default false)"),
        SettingSpec("mailboxes", "[string]", "mailboxes to read, names as the mail client shows them (non-ASCII allowed) or special-use flags (\\Sent, \\All, …); default: INBOX and the mailbox flagged \\Sent (Gmail: \\All); mail in a \\Sent mailbox is the team's outbound mail"),
        SettingSpec("since", "date", "first sync starts at this date (YYYY-MM-DD); later pulls take everything new"),
        SettingSpec("batch", "int", "messages per UID FETCH (default 200)"),
        SettingSpec("tls_verify", "bool", "verify the server certificate (default true)"),
        SettingSpec("ca_file", "string", "PEM file of the CA (or self-signed certificate) to trust"),
        SettingSpec("support_addresses", "[string]", "the team's addresses and domains; mail from them (or from `agents:` e-mails) is outbound agent mail"),
        SettingSpec("timeout", "duration", "connect and read timeout (default 60s)"),
        SettingSpec("path", "string", "mbox file or Maildir folder for `switchboard import` of old mail into this source"),
        .folderTopic("the mailbox a message was pulled from (levels joined by /)"),
    ]

    public let name: String
    let settings: Settings
    let mapping: EmailMapping
    let connection: CurlConnection.Options
    /// The `mailboxes` setting (names and `\Flag`s); nil reads the default set (``MailboxPlan``).
    let mailboxes: [String]?
    let folderTopic: Bool
    let batch: Int
    let since: (year: Int, month: Int, day: Int)?
    let context: ConnectorContext
    /// The access tokens of `auth.oauth2` (nil for password and static token logins).
    let oauth: OAuth2Tokens?

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        self.settings = settings
        self.context = context
        let provider = try settings.auth?.oauth2.map(OAuth2Provider.init)
        guard let configuredURL = settings.url ?? provider?.imapURL else {
            throw ConnectorError(.settings, "url is required (imaps://host:port), unless auth.oauth2.provider is google or microsoft")
        }
        let lower = configuredURL.lowercased()
        guard lower.hasPrefix("imaps://") || lower.hasPrefix("imap://") else {
            throw ConnectorError(.settings, "url must start with imaps:// or imap://, got '\(Redaction.url(configuredURL))'")
        }
        if lower.hasPrefix("imap://") && settings.starttls != true && !Self.isLoopback(lower) {
            throw ConnectorError(.settings, "url \(Redaction.url(configuredURL)) is not encrypted: use imaps://, or set starttls: true")
        }
        let logins = [settings.password != nil, settings.oauth2Token != nil, provider != nil].filter { $0 }.count
        guard logins == 1 else {
            throw ConnectorError(.settings, logins == 0 ? "set password or oauth2_token (as ${ENV_VAR}), or auth.oauth2"
                                                         : "give one of password, oauth2_token and auth.oauth2, not several")
        }
        oauth = provider.map { OAuth2Tokens(provider: $0, source: name, credentials: context.credentials, logger: context.logger) }
        if let b = settings.batch, !(1...5000).contains(b) {
            throw ConnectorError(.settings, "batch must be between 1 and 5000, got \(b)")
        }
        var timeout: TimeInterval = 60
        if let t = settings.timeout {
            guard let s = ConfigValues.seconds(t), s > 0 else { throw ConnectorError(.settings, "timeout '\(t)' is not a duration such as 30s or 2m") }
            timeout = s
        }
        if let s = settings.since {
            guard let d = ConfigValues.date(s) else { throw ConnectorError(.settings, "since '\(s)' is not a date YYYY-MM-DD") }
            since = d
        } else {
            since = nil
        }
        var url = configuredURL
        while url.hasSuffix("/") { url.removeLast() }
        connection = CurlConnection.Options(
            url: url + "/", username: settings.username, password: settings.password, oauth2Token: settings.oauth2Token,
            startTLS: settings.starttls ?? false, verifyTLS: settings.tlsVerify ?? true,
            caFile: settings.caFile.map { context.resolve(path: $0).path }, timeout: timeout)
        mailboxes = try Self.checkedMailboxes(settings.mailboxes)
        folderTopic = settings.folderTopic ?? true
        batch = settings.batch ?? 200
        mapping = EmailMapping(source: name, platform: "imap", supportAddresses: settings.supportAddresses ?? [],
                               agents: context.agents)
    }

    /// Plain `imap://` is allowed without STARTTLS only to the local machine (test servers).
    static func isLoopback(_ url: String) -> Bool {
        url.hasPrefix("imap://127.") || url.hasPrefix("imap://localhost") || url.hasPrefix("imap://[::1]")
    }

    public func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {
        var files: [URL] = []
        var maildirs: [URL] = []
        for u in urls {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: u.path, isDirectory: &isDir), isDir.boolValue {
                maildirs.append(u)
            } else {
                files.append(u)
            }
        }
        let s = MboxImporter.Settings(path: nil, supportAddresses: settings.supportAddresses, sent: nil,
                                      folderTopic: settings.folderTopic)
        if !files.isEmpty { try await MboxImporter(name: name, settings: s, context: context).importFiles(files, into: sink) }
        let m = MaildirImporter.Settings(path: nil, supportAddresses: settings.supportAddresses, folderTopic: settings.folderTopic)
        if !maildirs.isEmpty { try await MaildirImporter(name: name, settings: m, context: context).importFiles(maildirs, into: sink) }
    }
}
