import CCurl
import Foundation
import SwitchboardCore

/// An `auth.oauth2` section checked and completed with its provider's preset: the endpoints,
/// scope, IMAP server and the flow `switchboard auth` runs.
struct OAuth2Provider: Sendable {
    enum Kind: String, Sendable { case google, microsoft, custom }
    enum Flow: String, Sendable { case device, loopback }

    var kind: Kind
    var clientID: String
    var clientSecret: String?
    /// The refresh token of the config (`${ENV}`); the store may hold a newer one (``OAuth2Tokens``).
    var refreshToken: String?
    var tokenURL: String
    var scope: String?
    var flow: Flow?
    var deviceURL: String?
    var authorizeURL: String?
    /// Seals rotated refresh tokens kept in the store; nil keeps them in memory only.
    var tokenKey: SealedCredential.Key?
    /// `imaps://host:port` of the preset (nil for custom).
    var imapURL: String?

    /// - Throws: ``ConnectorError`` `.settings` naming the key and what was expected.
    init(_ s: OAuth2Settings) throws {
        guard let kind = Kind(rawValue: s.provider.lowercased()) else {
            throw ConnectorError(.settings, "auth.oauth2.provider: expected google, microsoft or custom, got '\(s.provider)'")
        }
        self.kind = kind
        guard !s.clientID.isEmpty else { throw ConnectorError(.settings, "auth.oauth2.client_id is empty") }
        clientID = s.clientID
        clientSecret = s.clientSecret.flatMap { $0.isEmpty ? nil : $0 }
        refreshToken = s.refreshToken.flatMap { $0.isEmpty ? nil : $0 }
        if s.tenant != nil && kind != .microsoft {
            throw ConnectorError(.settings, "auth.oauth2.tenant applies to provider: microsoft only")
        }
        let tenant = s.tenant ?? "common"
        guard !tenant.isEmpty, tenant.allSatisfy({ $0.isLetter || $0.isNumber || "-._".contains($0) }) else {
            throw ConnectorError(.settings, "auth.oauth2.tenant: expected a tenant id or domain such as contoso.onmicrosoft.com, got '\(tenant)'")
        }
        switch kind {
        case .google:
            tokenURL = s.tokenURL ?? "https://oauth2.googleapis.com/token"
            scope = s.scope ?? "https://mail.google.com/"
            flow = .loopback
            authorizeURL = s.authorizeURL ?? "https://accounts.google.com/o/oauth2/v2/auth"
            deviceURL = s.deviceURL
            imapURL = "imaps://imap.gmail.com:993"
        case .microsoft:
            let base = "https://login.microsoftonline.com/\(tenant)/oauth2/v2.0"
            tokenURL = s.tokenURL ?? base + "/token"
            scope = s.scope ?? "https://outlook.office.com/IMAP.AccessAsUser.All offline_access"
            flow = .device
            deviceURL = s.deviceURL ?? base + "/devicecode"
            authorizeURL = s.authorizeURL
            imapURL = "imaps://outlook.office365.com:993"
        case .custom:
            guard let url = s.tokenURL else {
                throw ConnectorError(.settings, "auth.oauth2.token_url is required for provider: custom (the provider's token endpoint)")
            }
            tokenURL = url
            scope = s.scope
            deviceURL = s.deviceURL
            authorizeURL = s.authorizeURL
            imapURL = nil
        }
        if let f = s.flow {
            guard let chosen = Flow(rawValue: f) else {
                throw ConnectorError(.settings, "auth.oauth2.flow: expected device or loopback, got '\(f)'")
            }
            flow = chosen
        } else if kind == .custom {
            flow = deviceURL != nil ? .device : authorizeURL != nil ? .loopback : nil
        }
        if flow == .device && deviceURL == nil {
            throw ConnectorError(.settings, "auth.oauth2.device_url is required for flow: device (the provider's device authorization endpoint)")
        }
        if flow == .loopback && authorizeURL == nil {
            throw ConnectorError(.settings, "auth.oauth2.authorize_url is required for flow: loopback (the provider's authorization endpoint)")
        }
        for (key, url) in [("token_url", tokenURL), ("device_url", deviceURL), ("authorize_url", authorizeURL)] {
            if let url { try Self.checkEndpoint(url, key: key) }
        }
        tokenKey = try s.tokenKey.map { text in
            do { return try SealedCredential.Key(text) }
            catch let e as ConnectorError { throw ConnectorError(.settings, "auth.oauth2.token_key: \(e.message)") }
        }
        if refreshToken == nil && tokenKey == nil {
            throw ConnectorError(.settings, "auth.oauth2: set refresh_token (as ${ENV_VAR}), or token_key (as ${ENV_VAR}) and run `switchboard auth SOURCE` to obtain one")
        }
    }

    /// Endpoints are https://, or http:// to 127.0.0.1 only (a local test server). The URL is read
    /// by libcurl's own parser, the one that sends the request, so `http://127.0.0.1:80@host/` (user
    /// `127.0.0.1`, host `host`) is no way around the rule.
    static func checkEndpoint(_ url: String, key: String) throws {
        let parts = urlParts(url)
        if parts?.scheme == "https" { return }
        if let parts, parts.scheme == "http", parts.host == "127.0.0.1", !parts.hasUser { return }
        throw ConnectorError(.settings, "auth.oauth2.\(key): expected an https:// URL (http:// only to 127.0.0.1), got '\(Redaction.url(url))'")
    }

    /// The scheme and host of `url` (lower-cased) and whether it carries a user, as libcurl reads it; nil when it does not parse.
    static func urlParts(_ url: String) -> (scheme: String, host: String, hasUser: Bool)? {
        guard let u = curl_url() else { return nil }
        defer { curl_url_cleanup(u) }
        guard curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK else { return nil }
        func part(_ which: CURLUPart) -> String? {
            var p: UnsafeMutablePointer<CChar>?
            guard curl_url_get(u, which, &p, 0) == CURLUE_OK, let p else { return nil }
            defer { curl_free(p) }
            return String(cString: p)
        }
        guard let scheme = part(CURLUPART_SCHEME), let host = part(CURLUPART_HOST) else { return nil }
        return (scheme.lowercased(), host.lowercased(), part(CURLUPART_USER) != nil || part(CURLUPART_PASSWORD) != nil)
    }

    /// The scope words a token must grant to read mail (`offline_access` and OpenID words aside).
    var requiredScopes: [String] {
        (scope ?? "").split(separator: " ").map(String.init)
            .filter { !["offline_access", "openid", "email", "profile"].contains($0) }
    }
}
