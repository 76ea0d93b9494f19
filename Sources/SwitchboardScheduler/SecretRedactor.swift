import Foundation

/// Removes secrets from text shown in `GET /status` and in logs: every configured secret
/// value, and the password of any `scheme://user:password@host` URL.
public struct SecretRedactor: Sendable {
    let secrets: [String]

    /// - Parameter secrets: values to hide (values shorter than 4 characters are ignored).
    public init(secrets: [String] = []) {
        self.secrets = Array(Set(secrets.filter { $0.count >= 4 })).sorted { $0.count > $1.count }
    }

    public func redact(_ text: String) -> String {
        var out = text
        for s in secrets { out = out.replacingOccurrences(of: s, with: "***") }
        return Self.hideURLPasswords(out)
    }

    /// `postgres://user:pw@host` → `postgres://user:***@host`.
    static func hideURLPasswords(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            out += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == " " || $0 == "\"" || $0 == "'" || $0 == "\n" }) ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                out += authority[...colon] + "***" + authority[at...]
                rest = rest[authorityEnd...]
            }
        }
        return out + rest
    }
}
