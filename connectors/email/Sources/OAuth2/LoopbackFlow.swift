import Crypto
import Foundation
import SwitchboardCore

/// The authorization-code grant with PKCE (RFC 7636, S256) and a loopback redirect (RFC 8252),
/// Google's way for installed programs: Switchboard listens on 127.0.0.1 at an ephemeral port,
/// prints the sign-in URL, receives the browser's redirect, checks `state`, and exchanges the
/// code with its verifier.
struct LoopbackFlow {
    let endpoint: TokenEndpoint
    let authorizeURL: String
    let loginHint: String?
    let prompt: AuthorizationPrompt

    var source: String { endpoint.source }

    func run() async throws -> TokenEndpoint.Grant {
        let provider = endpoint.provider
        let listener: LoopbackRedirect
        do { listener = try LoopbackRedirect() }
        catch IMAPError.connectionLost(let why) { throw ConnectorError(.network, "\(source): \(why)") }
        let redirect = "http://127.0.0.1:\(listener.port)/"
        let verifier = Self.randomURLSafe(bytes: 48)
        let state = Self.randomURLSafe(bytes: 24)
        var query = [("response_type", "code"), ("client_id", provider.clientID), ("redirect_uri", redirect),
                     ("state", state), ("code_challenge", Self.challenge(verifier)), ("code_challenge_method", "S256")]
        if let scope = provider.scope { query.append(("scope", scope)) }
        if provider.kind == .google { query += [("access_type", "offline"), ("prompt", "consent")] }
        if let loginHint { query.append(("login_hint", loginHint)) }
        let url = authorizeURL + (authorizeURL.contains("?") ? "&" : "?") + FormPost.encode(query)
        prompt.say("To sign in, open this address in a browser on this machine:")
        prompt.say(url)
        prompt.say("Waiting up to \(Int(prompt.timeout.rounded())) s for the browser to come back to \(redirect)…")
        let deadline = Date().addingTimeInterval(prompt.timeout)
        let answer = await Task.detached {
            listener.next(until: deadline) { q in
                if q["state"] != state { return (false, "This sign-in answer does not belong to the sign-in Switchboard started (state mismatch); it was ignored.") }
                if let error = q["error"] { return (true, "Sign-in failed: \(Self.html(error)). Return to the terminal.") }
                if q["code"] == nil { return (false, "No authorization code in this answer.") }
                return (true, "Switchboard is signed in. You can close this tab.")
            }
        }.value
        guard let answer else {
            throw ConnectorError(.authentication, "\(source): nobody completed the sign-in in the browser within \(Int(prompt.timeout.rounded())) s; "
                + "run `switchboard auth \(source)` again (allow more time with --timeout)")
        }
        if let error = answer["error"] {
            let why = answer["error_description"].map { ": \($0)" } ?? ""
            throw ConnectorError(.authentication, "\(source): the sign-in ended with \(error)\(why); run `switchboard auth \(source)` again and accept the requested access")
        }
        let form = [("grant_type", "authorization_code"), ("code", answer["code"] ?? ""), ("redirect_uri", redirect),
                    ("code_verifier", verifier)]
        return try await Task.detached { [endpoint] in try endpoint.grant(form, what: "exchanging the authorization code") }.value
    }

    /// BASE64URL(SHA256(verifier)) without padding (S256).
    static func challenge(_ verifier: String) -> String {
        base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    static func randomURLSafe(bytes: Int) -> String {
        var g = SystemRandomNumberGenerator()
        return base64URL(Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &g) }))
    }

    static func base64URL(_ d: Data) -> String {
        d.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func html(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
