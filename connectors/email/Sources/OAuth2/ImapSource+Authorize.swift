import Foundation
import SwitchboardCore

/// `switchboard auth SOURCE` for an `imap` source with `auth.oauth2`: the provider's sign-in flow
/// (Microsoft: device code; Google: loopback redirect with PKCE; custom: `flow:`), then the refresh
/// token is sealed with `token_key` and kept in the store, where every pull finds it.
extension ImapSource: AuthorizableSource {
    public func authorize(_ prompt: AuthorizationPrompt) async throws -> String {
        guard let oauth else {
            throw ConnectorError(.settings, "\(name) logs in with \(settings.password != nil ? "password" : "oauth2_token"); `switchboard auth` is for sources with auth.oauth2")
        }
        let provider = oauth.provider
        guard provider.tokenKey != nil else {
            throw ConnectorError(.settings, "\(name): set auth.oauth2.token_key (as ${ENV_VAR}, 16+ characters): `switchboard auth` keeps the refresh token in the store, sealed with that key")
        }
        let endpoint = TokenEndpoint(provider: provider, source: name)
        let grant: TokenEndpoint.Grant
        switch provider.flow {
        case .device?:
            grant = try await DeviceCodeFlow(endpoint: endpoint, deviceURL: provider.deviceURL ?? "", prompt: prompt).run()
        case .loopback?:
            grant = try await LoopbackFlow(endpoint: endpoint, authorizeURL: provider.authorizeURL ?? "",
                                           loginHint: settings.username, prompt: prompt).run()
        case nil:
            throw ConnectorError(.settings, "\(name): auth.oauth2.flow is needed for provider: custom (device with device_url, or loopback with authorize_url)")
        }
        guard let refresh = grant.refreshToken, !refresh.isEmpty else {
            throw ConnectorError(.authentication, "\(name): the provider signed in but issued no refresh token: "
                + (provider.kind == .microsoft ? "add offline_access to auth.oauth2.scope" : "allow offline access for the client (Google asks for it with access_type=offline, which Switchboard sends)"))
        }
        try await oauth.keep(refresh)
        return "\(name): signed in; the refresh token is stored (sealed with auth.oauth2.token_key) and used by every pull from now on. `switchboard check` tests the login."
    }
}
