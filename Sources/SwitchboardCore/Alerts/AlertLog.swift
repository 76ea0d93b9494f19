import Foundation

/// What an alert is about, as its notices and `GET /alerts` show it. Conversation alerts name the
/// conversation; condition alerts their measured `value` against `threshold`.
public struct AlertFacts: Sendable, Hashable, Codable {
    public var source: String?
    public var conversationKey: String?
    public var customer: String?
    public var channel: String?
    /// When the customer began waiting (the conversation's open).
    public var waitingSince: Date?
    /// The conversation's agent (who took part last), nil while none did.
    public var agent: String?
    /// The FRT target, seconds.
    public var targetSeconds: Double?
    /// What a condition measured (open conversations, an abandonment rate, failed runs, dead letters).
    public var value: Double?
    public var threshold: Double?
    /// A condition's scope or detail in words (`channel chat`, the last run's error).
    public var detail: String?

    public init(source: String? = nil, conversationKey: String? = nil, customer: String? = nil, channel: String? = nil,
                waitingSince: Date? = nil, agent: String? = nil, targetSeconds: Double? = nil, value: Double? = nil,
                threshold: Double? = nil, detail: String? = nil) {
        self.source = source
        self.conversationKey = conversationKey
        self.customer = customer
        self.channel = channel
        self.waitingSince = waitingSince
        self.agent = agent
        self.targetSeconds = targetSeconds
        self.value = value
        self.threshold = threshold
        self.detail = detail
    }

    /// JSON text for the store (ISO 8601 times, snake_case keys).
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { d, e in
            var c = e.singleValueContainer()
            try c.encode(Timestamp.formatISO8601(d))
        }
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }

    /// Reads what ``encoded()`` wrote; empty facts when unreadable.
    public static func decoded(_ text: String) -> AlertFacts {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { d in
            let c = try d.singleValueContainer()
            let s = try c.decode(String.self)
            guard let date = Timestamp.parseISO8601(s) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not ISO 8601")
            }
            return date
        }
        return (try? decoder.decode(AlertFacts.self, from: Data(text.utf8))) ?? AlertFacts()
    }
}

/// What a rule finds at one evaluation: an alert that should be open in `state`.
public struct AlertFinding: Sendable, Hashable {
    /// The `alerts:` entry's name.
    public var alert: String
    public var rule: AlertRuleKind
    /// A conversation (`source/key`) or a condition's scope (`all`, a source name).
    public var subject: String
    /// Conversation alerts: the conversation's open time (one alert per conversation ever); conditions: nil (the
    /// alert's episode is the moment it opens).
    public var episode: Date?
    public var state: AlertState
    public var facts: AlertFacts

    public init(alert: String, rule: AlertRuleKind, subject: String, episode: Date?, state: AlertState, facts: AlertFacts) {
        self.alert = alert
        self.rule = rule
        self.subject = subject
        self.episode = episode
        self.state = state
        self.facts = facts
    }
}

/// One evaluation of every rule: what should be open, and which rules were looked at (a `business_hours_only`
/// rule outside business hours is not, so its open alerts stay as they are).
public struct AlertEvaluation: Sendable {
    public var findings: [AlertFinding]
    public var evaluated: Set<String>
    /// Facts of alerts that clear now, by ``key(_:_:)``: a conversation's (who replied, and when), a condition's
    /// value as measured now.
    public var clearing: [String: AlertFacts]
    /// Keys of open conversation alerts that close without a notice: the conversation still waits, but longer
    /// than it is watched (a "resolved" would be untrue).
    public var silent: Set<String>

    /// The key of an alert in ``clearing`` and ``silent``.
    public static func key(_ alert: String, _ subject: String) -> String { alert + "\u{1F}" + subject }

    public init(findings: [AlertFinding], evaluated: Set<String>, clearing: [String: AlertFacts] = [:], silent: Set<String> = []) {
        self.findings = findings
        self.evaluated = evaluated
        self.clearing = clearing
        self.silent = silent
    }
}

/// One alert as stored (table `alerts`): its identity (alert name, subject, episode), state and facts.
public struct AlertRecord: Sendable, Hashable {
    public var alert: String
    public var rule: String
    public var subject: String
    /// Conversation alerts: the conversation's open; conditions: when the condition was first seen.
    public var episode: Date
    public var state: AlertState
    /// When it opened, last changed state, and resolved.
    public var openedAt: Date
    public var changedAt: Date
    public var resolvedAt: Date?
    public var facts: AlertFacts

    public init(alert: String, rule: String, subject: String, episode: Date, state: AlertState, openedAt: Date, changedAt: Date,
                resolvedAt: Date? = nil, facts: AlertFacts) {
        self.alert = alert
        self.rule = rule
        self.subject = subject
        self.episode = episode
        self.state = state
        self.openedAt = openedAt
        self.changedAt = changedAt
        self.resolvedAt = resolvedAt
        self.facts = facts
    }
}

/// A state change to record, with the destinations its notice goes to.
public struct AlertChange: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A new alert (skipped, with its notices, when the same alert, subject and episode is already stored).
        case open
        /// An open alert moves to `record.state` (warning → breached).
        case escalate
        /// An open alert clears.
        case resolve
    }

    public var kind: Kind
    /// The alert after the change.
    public var record: AlertRecord
    public var notify: [String]

    public init(kind: Kind, record: AlertRecord, notify: [String]) {
        self.kind = kind
        self.record = record
        self.notify = notify
    }
}

/// A notice of one state change to one destination (table `alert_notices`), kept until delivered.
public struct AlertNotice: Sendable, Hashable {
    public var id: Int64
    public var alert: String
    public var rule: String
    public var subject: String
    public var episode: Date
    /// The state the alert moved to.
    public var state: AlertState
    public var destination: String
    public var createdAt: Date
    public var facts: AlertFacts
    public var sentAt: Date?
    public var attempts: Int
    public var nextAttemptAt: Date
    /// Why the last attempt failed (secrets removed).
    public var lastError: String?

    public init(id: Int64, alert: String, rule: String, subject: String, episode: Date, state: AlertState, destination: String,
                createdAt: Date, facts: AlertFacts, sentAt: Date? = nil, attempts: Int = 0, nextAttemptAt: Date, lastError: String? = nil) {
        self.id = id
        self.alert = alert
        self.rule = rule
        self.subject = subject
        self.episode = episode
        self.state = state
        self.destination = destination
        self.createdAt = createdAt
        self.facts = facts
        self.sentAt = sentAt
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
    }
}

/// The alerts' state and outbox (migration `v9-alerts`), so a restart of `serve` neither repeats nor loses a
/// notice. Both stores implement it; on PostgreSQL every instance shares it (writes happen under the lock `alerts:monitor`).
public protocol AlertLog: Sendable {
    /// Alerts not resolved, by alert name then opening.
    func openAlerts() async throws -> [AlertRecord]
    /// Applies `changes` in one transaction, queueing one notice per change and destination; a change that no
    /// longer applies (an alert already stored, or no longer open) is skipped with its notices. Returns how many applied.
    func recordAlertChanges(_ changes: [AlertChange]) async throws -> Int
    /// Notices not yet delivered, oldest first, at most `limit` per destination; only those due by `dueBy` when given.
    func pendingAlertNotices(dueBy: Date?, limit: Int) async throws -> [AlertNotice]
    /// Marks a notice delivered.
    func markAlertNoticeSent(id: Int64, at: Date) async throws
    /// Records a failed attempt and when to try again.
    func markAlertNoticeFailed(id: Int64, attempts: Int, nextAttemptAt: Date, error: String) async throws
}
