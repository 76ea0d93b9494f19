import Foundation
import SwitchboardCore

/// The alerts in `GET /status` (under `alerts`).
public struct AlertsStatus: Sendable, Codable, Hashable {
    /// An open alert.
    public struct Open: Sendable, Codable, Hashable {
        public var alert: String
        public var rule: String
        public var subject: String
        public var state: String
        public var openedAt: Date

        public init(_ r: AlertRecord) {
            alert = r.alert
            rule = r.rule
            subject = r.subject
            state = r.state.rawValue
            openedAt = r.openedAt
        }
    }

    /// A notice not delivered yet.
    public struct Pending: Sendable, Codable, Hashable {
        public var alert: String
        public var subject: String
        public var state: String
        public var destination: String
        public var attempts: Int
        public var nextAttemptAt: Date
        /// Why the last attempt failed (secrets removed).
        public var lastError: String?

        enum CodingKeys: String, CodingKey { case alert, subject, state, destination, attempts, nextAttemptAt, lastError }

        /// Every key always present; an absent error is `null`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(alert, forKey: .alert)
            try c.encode(subject, forKey: .subject)
            try c.encode(state, forKey: .state)
            try c.encode(destination, forKey: .destination)
            try c.encode(attempts, forKey: .attempts)
            try c.encode(nextAttemptAt, forKey: .nextAttemptAt)
            try c.encode(lastError, forKey: .lastError)
        }

        public init(_ n: AlertNotice) {
            alert = n.alert
            subject = n.subject
            state = n.state.rawValue
            destination = n.destination
            attempts = n.attempts
            nextAttemptAt = n.nextAttemptAt
            lastError = n.lastError
        }
    }

    public var rules: [String]
    /// The "now" of the last finished tick (evaluation, changes recorded, notices due sent).
    public var evaluatedAt: Date?
    public var open: [Open] = []
    /// Notices waiting for a retry (with the reason of their last failure).
    public var pending: [Pending] = []
    /// Why the last tick failed (the store, the metrics), secrets removed.
    public var lastError: String?

    public init(rules: [String]) { self.rules = rules }

    enum CodingKeys: String, CodingKey { case rules, evaluatedAt, open, pending, lastError }

    /// Every key always present; absent values are `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rules, forKey: .rules)
        try c.encode(evaluatedAt, forKey: .evaluatedAt)
        try c.encode(open, forKey: .open)
        try c.encode(pending, forKey: .pending)
        try c.encode(lastError, forKey: .lastError)
    }

    /// Open alerts per rule.
    public var openByRule: [String: Int] { Dictionary(grouping: open, by: \.rule).mapValues(\.count) }
}
