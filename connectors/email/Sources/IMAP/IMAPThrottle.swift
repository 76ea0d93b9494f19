import Foundation
import SwitchboardCore

/// Server answers that mean "too much, come back later" rather than "this is wrong": a pull that
/// meets one stops (what it committed stays) with a ``ConnectorError`` of code `.throttled`, and
/// `switchboard serve` backs off instead of counting a failure.
///
/// Recognised, case-insensitively, anywhere in a tagged `NO`/`BAD`, an untagged `BYE` or the
/// greeting / login answer libcurl saw:
/// - the response codes `[THROTTLED]`, `[LIMIT]` and `[UNAVAILABLE]` (RFC 5530; Dovecot's connection
///   limit is `NO [UNAVAILABLE] Maximum number of connections …`);
/// - Gmail: `Too many simultaneous connections`, `Account exceeded command or bandwidth limits`;
/// - Microsoft 365: `Request is throttled` (with `Suggested Backoff Time: N milliseconds`, which
///   becomes the least wait).
///
/// Not a throttle: Microsoft's `User is authenticated but not connected` (the login was accepted but
/// the mailbox cannot be opened: IMAP off for it, or a shared mailbox the account has no access to;
/// ``ServerLines/notConnected(_:)``) — backing off would hide a setting that only the user can fix.
enum IMAPThrottle {
    /// A throttling answer: the line that said so, and the wait it asked for, when it named one.
    struct Signal: Equatable {
        var response: String
        var retryAfter: Double?
    }

    static let codes = ["[THROTTLED]", "[LIMIT]", "[UNAVAILABLE]"]
    static let phrases = [
        "too many simultaneous connections", "exceeded command or bandwidth limits",
        "request is throttled",
    ]

    /// The signal in one server response line; nil when the line is no throttling answer.
    static func classify(_ response: String) -> Signal? {
        let upper = response.uppercased()
        let lower = response.lowercased()
        guard codes.contains(where: upper.contains) || phrases.contains(where: lower.contains) else { return nil }
        return Signal(response: response.trimmingCharacters(in: .whitespacesAndNewlines), retryAfter: suggestedWait(lower))
    }

    /// The first throttling answer among `lines` (the last server lines of a failed login).
    static func classify(lines: [String]) -> Signal? {
        lines.lazy.compactMap(classify).first
    }

    /// Microsoft's `Suggested Backoff Time: 299785 milliseconds`, in seconds.
    static func suggestedWait(_ lower: String) -> Double? {
        guard let r = lower.range(of: "suggested backoff time:") else { return nil }
        let rest = lower[r.upperBound...].drop { $0 == " " }
        guard let ms = Double(rest.prefix { $0.isNumber }) else { return nil }
        return ms / 1000
    }

    /// The error a pull stops with: names the source, the server, what it said, and what happens next.
    static func error(_ signal: Signal, source: String, server: String, during step: String) -> ConnectorError {
        let wait = signal.retryAfter.map { "; it asked to wait \(Int($0.rounded())) s" } ?? ""
        var e = ConnectorError(.throttled, "\(source): \(server) is throttling this account (during \(step): "
            + "\(Redaction.text(signal.response))\(wait)); what was committed stays, the next pull resumes after it "
            + "(`switchboard serve` backs off first)")
        e.retryAfter = signal.retryAfter
        return e
    }
}
