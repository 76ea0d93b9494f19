import Foundation
import SwitchboardCore

/// `kind: email` — a message sent over SMTP through libcurl.
///
/// ```yaml
/// notifications:
///   lead: {kind: email, smtp: "smtps://smtp.example.com:465", username: reports@example.com,
///          password: "${SMTP_PASSWORD}", from: "Switchboard <reports@example.com>", to: [lead@example.com]}
/// ```
///
/// `smtps://` speaks TLS from the start (port 465). `smtp://` is plain SMTP: to a loopback address
/// (127.0.0.1, ::1) it may stay unencrypted; to any other host it must be upgraded with STARTTLS, which the
/// entry says with `starttls: true` (port 587) — the send fails when the server does not offer it. The
/// certificate is verified (`ca_file` names the CA of a private server).
public struct EmailDestination: NotificationDestination {
    public struct Settings: Decodable, Sendable {
        var smtp: String
        var username: String?
        var password: String?
        var from: String
        var to: Recipients
        var starttls: Bool?
        var caFile: String?

        enum CodingKeys: String, CodingKey {
            case smtp, username, password, from, to, starttls
            case caFile = "ca_file"
        }
    }

    /// `to:` as a list, or one address.
    struct Recipients: Decodable, Sendable {
        var addresses: [String]
        init(_ addresses: [String]) { self.addresses = addresses }
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let one = try? c.decode(String.self) { addresses = [one] }
            else { addresses = try c.decode([String].self) }
        }
    }

    public static let kind = "email"
    public static let summary = "E-mail over SMTP (smtps:// TLS, or smtp:// with STARTTLS; plain only to 127.0.0.1)"
    public static let settings: [SettingSpec] = [
        SettingSpec("smtp", "url", required: true,
                    "smtps://host:465 (TLS), or smtp://host:587 with starttls: true; plain smtp:// only to 127.0.0.1"),
        SettingSpec("username", "string", "login name (leave out for a server that takes mail without login)"),
        SettingSpec("password", "string", "login password; write it as ${ENV_VAR}"),
        SettingSpec("from", "string", required: true, "sender, \"Name <address>\" or an address"),
        SettingSpec("to", "[string]", required: true, "recipients"),
        SettingSpec("starttls", "bool", "upgrade a smtp:// connection with STARTTLS, and fail when the server does not offer it"),
        SettingSpec("ca_file", "string", "PEM file of the CA that signed the server's certificate (a private server)"),
    ]

    public let name: String
    let settings: Settings
    let transport: SMTPTransport
    let sender: String
    let recipients: [String]

    public init(name: String, settings: Settings) throws {
        self.name = name
        self.settings = settings
        guard let url = URLComponents(string: settings.smtp), let scheme = url.scheme?.lowercased(),
              let host = url.host, !host.isEmpty else {
            throw DestinationSettingsError(key: "smtp", "expected a URL such as smtps://smtp.example.com:465, got '\(Redaction.url(settings.smtp))'")
        }
        guard scheme == "smtps" || scheme == "smtp" else {
            throw DestinationSettingsError(key: "smtp", "expected smtps:// (TLS) or smtp://, got \(scheme)://")
        }
        if url.user != nil || url.password != nil {
            throw DestinationSettingsError(key: "smtp", "put the login in username and password (password: \"${SMTP_PASSWORD}\"), not in the URL")
        }
        let starttls = settings.starttls ?? false
        if scheme == "smtp" && !starttls && !Self.isLoopback(host) {
            throw DestinationSettingsError(key: "smtp",
                "smtp:// to \(host) would send without TLS, which is allowed only to 127.0.0.1: use smtps://\(host):465, or smtp://\(host):587 with starttls: true")
        }
        if scheme == "smtps" && settings.starttls == true {
            throw DestinationSettingsError(key: "starttls", "smtps:// is TLS from the start; starttls applies to smtp:// only")
        }
        if settings.password != nil && settings.username == nil {
            throw DestinationSettingsError(key: "username", "a password is given, so give the username it belongs to")
        }
        if settings.username != nil && settings.password == nil {
            throw DestinationSettingsError(key: "password", "a username is given without password: add password: \"${SMTP_PASSWORD}\"")
        }
        guard let sender = MailboxAddress.address(in: settings.from) else {
            throw DestinationSettingsError(key: "from", "expected an address such as reports@example.com or \"Switchboard <reports@example.com>\", got '\(settings.from)'")
        }
        guard !settings.to.addresses.isEmpty else {
            throw DestinationSettingsError(key: "to", "give at least one recipient, such as [lead@example.com]")
        }
        var recipients: [String] = []
        for written in settings.to.addresses {
            guard let a = MailboxAddress.address(in: written) else {
                throw DestinationSettingsError(key: "to", "'\(written)' is not an e-mail address")
            }
            recipients.append(a)
        }
        self.sender = sender
        self.recipients = recipients
        transport = SMTPTransport(url: settings.smtp, username: settings.username, password: settings.password,
                                  requireSTARTTLS: starttls, caFile: settings.caFile)
    }

    /// 127.0.0.0/8 and ::1, written as addresses (a name could resolve anywhere).
    static func isLoopback(_ host: String) -> Bool {
        let h = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if h == "::1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    public func deliver(_ message: NotificationMessage) async throws {
        let mime = MIMEMessage(from: settings.from, to: settings.to.addresses, message: message)
        let transport = self.transport, sender = self.sender, recipients = self.recipients
        let bytes = mime.bytes
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            // libcurl blocks: a thread of its own, so the tasks every async part shares keep running.
            Thread.detachNewThread {
                c.resume(with: Result { try transport.send(bytes, from: sender, to: recipients) })
            }
        }
    }

    public func redirected(to recipients: [String]) -> (any NotificationDestination)? {
        var s = settings
        s.to = Recipients(recipients)
        return try? EmailDestination(name: name, settings: s)
    }
}

/// The address of `Name <address>` or of a bare address.
enum MailboxAddress {
    static func address(in text: String) -> String? {
        var t = text.trimmingCharacters(in: .whitespaces)
        if let open = t.lastIndex(of: "<"), let close = t.lastIndex(of: ">"), open < close {
            t = String(t[t.index(after: open)..<close])
        }
        let parts = t.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              !t.contains(where: { $0.isWhitespace || "<>,;\"".contains($0) }) else { return nil }
        return t
    }
}
