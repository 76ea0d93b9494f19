import Foundation
import SwitchboardCore

/// The URL a destination posts to, checked when the destination is made: `https://`, or `http://` to a
/// loopback address only (127.0.0.1, any 127.x.y.z, [::1]; a host name is not trusted to be local).
/// Messages name the scheme and host only: a URL's path may hold a token (a Slack webhook's does).
struct HTTPEndpoint: Sendable {
    let url: String
    let host: String

    /// - Throws: ``DestinationSettingsError`` naming `key` when the URL is unusable; `example` shows a good one.
    init(_ url: String, key: String, example: String) throws {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw DestinationSettingsError(key: key, "is empty (an unset ${ENV_VAR}?): expected a URL such as \(example)")
        }
        guard let c = URLComponents(string: trimmed), let scheme = c.scheme?.lowercased(), let host = c.host, !host.isEmpty else {
            throw DestinationSettingsError(key: key, "expected a URL such as \(example)")
        }
        guard scheme == "https" || scheme == "http" else {
            throw DestinationSettingsError(key: key, "expected https:// (or http:// to 127.0.0.1), got \(scheme)://")
        }
        if scheme == "http" && !EmailDestination.isLoopback(host) {
            throw DestinationSettingsError(key: key,
                "http:// to \(host) would send without TLS, which is allowed only to 127.0.0.1: use https://\(host)")
        }
        if c.user != nil || c.password != nil {
            throw DestinationSettingsError(key: key, "put no login in the URL")
        }
        self.url = trimmed
        self.host = host
    }
}
