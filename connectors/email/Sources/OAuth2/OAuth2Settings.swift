import Foundation
import SwitchboardCore

/// `auth:` of an `imap` source: `{oauth2: {...}}` (the only method so far; `password` and
/// `oauth2_token` stay top-level settings).
public struct ImapAuthSettings: Decodable, Sendable {
    public var oauth2: OAuth2Settings?

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SettingKey.self)
        try SettingKey.refuseUnknown(in: c, known: ["oauth2"], section: "auth")
        oauth2 = try c.decodeIfPresent(OAuth2Settings.self, forKey: SettingKey("oauth2"))
    }
}

/// `auth.oauth2:` as written in the config (pinned shape, issue #17):
/// `provider`, `client_id`, `client_secret`, `refresh_token`, `token_url`, `scope`, `tenant`, plus
/// `token_key` (seals rotated refresh tokens in the store) and, for `switchboard auth` with a custom
/// provider, `flow`, `device_url`, `authorize_url`.
public struct OAuth2Settings: Decodable, Sendable {
    public var provider: String
    public var clientID: String
    public var clientSecret: String?
    public var refreshToken: String?
    public var tokenURL: String?
    public var scope: String?
    public var tenant: String?
    public var tokenKey: String?
    public var flow: String?
    public var deviceURL: String?
    public var authorizeURL: String?

    static let keys = ["provider", "client_id", "client_secret", "refresh_token", "token_url", "scope", "tenant",
                       "token_key", "flow", "device_url", "authorize_url"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SettingKey.self)
        try SettingKey.refuseUnknown(in: c, known: Self.keys, section: "auth.oauth2")
        func text(_ key: String) throws -> String? { try c.decodeIfPresent(String.self, forKey: SettingKey(key)) }
        provider = try c.decode(String.self, forKey: SettingKey("provider"))
        clientID = try c.decode(String.self, forKey: SettingKey("client_id"))
        clientSecret = try text("client_secret")
        refreshToken = try text("refresh_token")
        tokenURL = try text("token_url")
        scope = try text("scope")
        tenant = try text("tenant")
        tokenKey = try text("token_key")
        flow = try text("flow")
        deviceURL = try text("device_url")
        authorizeURL = try text("authorize_url")
    }
}

/// A mapping key by its text, so nested sections can refuse keys they do not know (the config
/// loader checks only a connector's top-level settings).
struct SettingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    static func refuseUnknown(in c: KeyedDecodingContainer<SettingKey>, known: [String], section: String) throws {
        for key in c.allKeys where !known.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [key],
                debugDescription: "unknown setting in \(section)\(Suggestion.hint(for: key.stringValue, in: known)); known: \(known.joined(separator: ", "))"))
        }
    }
}
