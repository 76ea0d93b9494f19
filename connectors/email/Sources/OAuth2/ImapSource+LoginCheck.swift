import Foundation
import SwitchboardCore

extension ImapSource {
    /// The login part of `switchboard check`: connects and logs in (for `auth.oauth2`, refreshing
    /// the access token first, so a revoked refresh token, a wrong client secret, a missing scope
    /// or IMAP switched off for the account is reported in words a user can act on).
    /// - Returns: the logged-in session (the caller looks around, then logs out) or nil, and the finding.
    func loginCheck() async -> (session: IMAPSession?, line: CheckLine) {
        do {
            // A new access token first: the refresh token, client and scope are what a check is for.
            _ = try await oauth?.accessToken(force: true)
            let session = try await openSession()
            var how = settings.password != nil ? "password" : "oauth2_token"
            if let oauth {
                let token = try await oauth.accessToken()
                let left = Int(max(0, token.expiresAt.timeIntervalSinceNow).rounded())
                how = "OAuth2 (\(oauth.provider.kind.rawValue), access token refreshed, valid for \(left) s)"
            }
            return (session, .ok("logged in to \(Redaction.url(connection.url)) as \(settings.username) with \(how)"))
        } catch let e as ConnectorError {
            return (nil, .problem(e.message))
        } catch {
            return (nil, .problem("\(name): \(error)"))
        }
    }
}
