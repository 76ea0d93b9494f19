import Foundation

/// A connector that can try its connection for `switchboard check`: connect, log in, and say what
/// it would read — or, in words a user can act on, what is wrong.
///
/// ```swift
/// extension ImapSource: ConnectivityCheck {
///     public func checkConnectivity() async -> [CheckLine] {
///         [.ok("logged in to imaps://mail.example.com:993 as support@example.com"),
///          .ok("reads INBOX: 42 messages")]
///     }
/// }
/// ```
public protocol ConnectivityCheck: Sendable {
    /// The findings, in order; never throws — a problem is a ``CheckLine`` with status `.problem`,
    /// and lines after it may still report what could be checked.
    func checkConnectivity() async -> [CheckLine]
}

/// One finding of a connectivity check.
public struct CheckLine: Sendable, Hashable, CustomStringConvertible {
    public enum Status: String, Sendable, Hashable {
        /// Works.
        case ok
        /// Works, but maybe not as the user meant (only INBOX read because no folder is flagged \Sent).
        case warning
        /// Does not work; `switchboard check` exits 1.
        case problem
    }

    public var status: Status
    /// What was found, secrets removed.
    public var text: String

    public init(_ status: Status, _ text: String) {
        self.status = status
        self.text = text
    }

    public static func ok(_ text: String) -> CheckLine { CheckLine(.ok, text) }
    public static func warning(_ text: String) -> CheckLine { CheckLine(.warning, text) }
    public static func problem(_ text: String) -> CheckLine { CheckLine(.problem, text) }

    /// `ok: text`, `warning: text`, `problem: text`.
    public var description: String { "\(status.rawValue): \(text)" }
}
