import Foundation
import SwitchboardCore

extension ImapSource {
    /// A logged-in session: libcurl's login for `password` and `oauth2_token`; for `auth.oauth2`,
    /// SASL XOAUTH2 with the cached access token, and once more with a freshly refreshed one when
    /// the server rejects it (a token revoked or expired early).
    func openSession() async throws -> IMAPSession {
        guard let oauth else { return IMAPSession(try CurlConnection(connection, source: name)) }
        var token = try await oauth.accessToken()
        var rejected: IMAPSession.TokenRejected?
        for attempt in 0..<2 {
            if attempt == 1 { token = try await oauth.accessToken(force: true) }
            let session = IMAPSession(try CurlConnection(connection, source: name))
            do {
                try session.authenticateXOAUTH2(user: settings.username, accessToken: token.token)
                return session
            } catch let r as IMAPSession.TokenRejected {
                session.logout()
                // "Too many simultaneous connections" at login is a throttle, not a bad token.
                if let signal = IMAPThrottle.classify(r.response) {
                    throw IMAPThrottle.error(signal, source: name, server: Redaction.url(connection.url), during: "login")
                }
                rejected = r
            } catch IMAPError.connectionLost(let why) {
                session.logout()
                if let signal = IMAPThrottle.classify(why) {
                    throw IMAPThrottle.error(signal, source: name, server: Redaction.url(connection.url), during: "login")
                }
                throw ConnectorError(.network, "\(name): connection to \(Redaction.url(connection.url)) lost while logging in: \(why)")
            }
        }
        throw loginRefused(rejected)
    }

    /// What a server's refusal of a freshly issued token means, in the words a user can act on.
    func loginRefused(_ r: IMAPSession.TokenRejected?) -> ConnectorError {
        let said = r.map { " (the server said: \($0.response)\($0.detail.map { "; \($0)" } ?? ""))" } ?? ""
        let server = Redaction.url(connection.url)
        if ServerLines.saysIMAPDisabled(r?.response ?? "") {
            return ConnectorError(.authentication, "\(name): IMAP is disabled for \(settings.username)\(said): "
                + "Gmail — Settings → Forwarding and POP/IMAP → Enable IMAP (Workspace: the admin allows IMAP in Apps → Google Workspace → Gmail → End User Access); "
                + "Microsoft 365 — Exchange admin center → Mailboxes → the mailbox → Manage email apps → IMAP on")
        }
        return ConnectorError(.authentication, "\(name): \(server) rejected a freshly issued access token for \(settings.username)\(said): "
            + "check that username is the mailbox the signed-in account may open (a shared mailbox: its address, with a delegate's token "
            + "that has Full Access), that IMAP is enabled for it, and that the token grants \(scopeText)")
    }

    /// The mail scope the token must grant, as configured or preset.
    private var scopeText: String {
        let scopes = oauth?.provider.requiredScopes ?? []
        return scopes.isEmpty ? "the mail scope" : scopes.joined(separator: " ")
    }
}
