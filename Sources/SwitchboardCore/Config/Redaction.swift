import Foundation

/// Hides secrets in text that is about to be shown: the password of a URL, and known secret values.
///
/// The one place where Switchboard decides what a password looks like in a URL, used by every
/// message, log line and status text that may carry one (store URLs, IMAP URLs, `migrate --to`).
///
/// A URL's password is everything between the `:` after the user name and the **last** `@` of the
/// URL, whatever it contains (`/ ? # @`, spaces, `%2F`…): a password that was not percent-encoded
/// is hidden as a whole instead of being cut at its first reserved character. When in doubt, more is
/// hidden, never less.
///
/// ```swift
/// Redaction.url("postgres://app:s3/cr?t#@db:5432/main")   // "postgres://app:***@db:5432/main"
/// ```
public enum Redaction {
    /// What a hidden value is replaced with.
    public static let mask = "***"

    /// Secrets shorter than this are not searched for in free text: they would mask ordinary words.
    public static let minimumSecretLength = 4

    /// `url` (one whole URL) with its password replaced by ``mask``; unchanged when it has none.
    public static func url(_ url: String) -> String {
        guard let parts = userinfo(of: url), parts.password != nil else { return url }
        return String(url[..<parts.userEnd]) + ":" + mask + String(url[parts.at...])
    }

    /// The password of `url` as written and percent-decoded (both may be shown by a library or a
    /// server's error), for ``text(_:secrets:)``; empty when the URL has none.
    public static func passwordForms(in url: String) -> [String] {
        guard let password = userinfo(of: url)?.password, !password.isEmpty else { return [] }
        var forms = [String(password)]
        if let decoded = password.removingPercentEncoding, decoded != password { forms.append(decoded) }
        return forms
    }

    /// `text` with every value of `secrets` replaced (longest first, values shorter than
    /// ``minimumSecretLength`` ignored), then the password of every URL in it hidden. In free text a
    /// URL ends at white space or a quote, so a password with a space is hidden only through
    /// `secrets`: pass ``passwordForms(in:)`` of the URLs the text may contain.
    public static func text(_ text: String, secrets: [String] = []) -> String {
        var out = text
        for secret in Set(secrets.filter { $0.count >= minimumSecretLength }).sorted(by: { $0.count > $1.count }) {
            out = out.replacingOccurrences(of: secret, with: mask)
        }
        guard out.contains("://") else { return out }
        var result = ""
        var rest = Substring(out)
        while let scheme = rest.range(of: "://") {
            let end = rest[scheme.upperBound...].firstIndex(where: isURLEnd) ?? rest.endIndex
            let token = rest[..<end]
            let schemeStart = token[..<scheme.lowerBound].lastIndex(where: { !isSchemeCharacter($0) })
                .map { token.index(after: $0) } ?? token.startIndex
            result += token[..<schemeStart] + url(String(token[schemeStart...]))
            rest = rest[end...]
        }
        return result + rest
    }

    /// Where the user name ends, the password (nil without `:`), and the `@` ending the userinfo.
    private static func userinfo(of url: String) -> (userEnd: String.Index, password: Substring?, at: String.Index)? {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@") else { return nil }
        let info = url[scheme.upperBound..<at]
        guard let colon = info.firstIndex(of: ":") else { return (at, nil, at) }
        return (colon, info[info.index(after: colon)...], at)
    }

    private static func isURLEnd(_ c: Character) -> Bool {
        c.isWhitespace || c == "\"" || c == "'" || c == "<" || c == ">" || c == "`"
    }

    private static func isSchemeCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "+" || c == "-" || c == ".")
    }
}
