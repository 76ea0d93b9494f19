import Foundation
import SwitchboardCore

/// The provider's token endpoint: refresh-token, authorization-code and device-code grants, and
/// its error answers turned into messages that say what to do.
struct TokenEndpoint: Sendable {
    let provider: OAuth2Provider
    let source: String
    var timeout: TimeInterval = 30

    /// A token answer.
    struct Grant: Sendable {
        var accessToken: String
        var expiresIn: TimeInterval
        var refreshToken: String?
        var scope: String?
    }

    /// An error answer (`{"error": "...", "error_description": "..."}`).
    struct ErrorAnswer: Error, Sendable {
        var status: Int
        var code: String
        var description: String?
    }

    /// Exchanges the refresh token for an access token.
    func refresh(_ refreshToken: String) throws -> Grant {
        var form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        if let scope = provider.scope { form.append(("scope", scope)) }
        return try grant(form, what: "refreshing the access token")
    }

    /// Sends a grant and returns the tokens, or throws ``ErrorAnswer`` for an OAuth2 error answer
    /// (callers decide what it means) and ``ConnectorError`` for anything else.
    func exchange(_ form: [(String, String)], what: String) throws -> Grant {
        var form = form
        form.append(("client_id", provider.clientID))
        if let secret = provider.clientSecret { form.append(("client_secret", secret)) }
        let answer = try FormPost.send(provider.tokenURL, form: form, timeout: timeout, what: "\(source): \(what)")
        let object = (try? JSONSerialization.jsonObject(with: answer.body)) as? [String: Any]
        if let code = object?["error"] as? String {
            throw ErrorAnswer(status: answer.status, code: code, description: object?["error_description"] as? String)
        }
        guard answer.status == 200, let object, let access = object["access_token"] as? String, !access.isEmpty else {
            throw ConnectorError(.authentication, "\(source): \(what): the token endpoint \(Redaction.url(provider.tokenURL)) answered HTTP \(answer.status) without an access token")
        }
        let expires = (object["expires_in"] as? NSNumber)?.doubleValue ?? (object["expires_in"] as? String).flatMap(Double.init) ?? 3600
        let grant = Grant(accessToken: access, expiresIn: expires, refreshToken: object["refresh_token"] as? String,
                          scope: object["scope"] as? String)
        try checkScope(grant)
        return grant
    }

    /// ``exchange(_:what:)`` with every OAuth2 error answer turned into a ``ConnectorError``.
    func grant(_ form: [(String, String)], what: String) throws -> Grant {
        do { return try exchange(form, what: what) }
        catch let answer as ErrorAnswer { throw message(for: answer, what: what) }
    }

    /// A granted scope without the mail scope reads no mail: say so instead of failing at login.
    private func checkScope(_ grant: Grant) throws {
        guard let granted = grant.scope.map({ Set($0.split(separator: " ").map(String.init)) }) else { return }
        let missing = provider.requiredScopes.filter { !granted.contains($0) }
        guard !missing.isEmpty else { return }
        throw ConnectorError(.authentication, "\(source): the token grants '\(grant.scope ?? "")' but not \(missing.joined(separator: " ")): "
            + "add the scope to the app (\(scopeAdvice)) and run `switchboard auth \(source)` to consent again")
    }

    private var scopeAdvice: String {
        switch provider.kind {
        case .google: return "Google Cloud console: OAuth consent screen → Data access → https://mail.google.com/"
        case .microsoft: return "Entra admin center: App registrations → API permissions → Office 365 Exchange Online IMAP.AccessAsUser.All, and grant consent"
        case .custom: return "the provider's client settings"
        }
    }

    /// The message for an error answer of the token endpoint.
    func message(for a: ErrorAnswer, what: String) -> ConnectorError {
        let said = a.description.map { " (\(a.code): \($0))" } ?? " (\(a.code))"
        let url = Redaction.url(provider.tokenURL)
        switch a.code {
        case "invalid_client", "unauthorized_client":
            return ConnectorError(.authentication, "\(source): the token endpoint \(url) refused the client\(said): "
                + "check auth.oauth2.client_id and client_secret (a wrong or expired client secret, or a client of another app)")
        case "invalid_grant":
            return ConnectorError(.authentication, "\(source): the refresh token was refused\(said): it was revoked or has expired "
                + "(password change, consent withdrawn, or unused for months). Run `switchboard auth \(source)` to obtain a new one")
        case "invalid_scope":
            return ConnectorError(.authentication, "\(source): the scope '\(provider.scope ?? "")' was refused\(said): "
                + "add it to the app (\(scopeAdvice)), or correct auth.oauth2.scope, then run `switchboard auth \(source)`")
        default:
            return ConnectorError(.authentication, "\(source): \(what): the token endpoint \(url) answered HTTP \(a.status)\(said)")
        }
    }
}
