import Foundation

/// The rules an entry of `alerts:` can use (`rule:`).
public enum AlertRuleKind: String, CaseIterable, Sendable, Hashable {
    /// A customer-initiated conversation still without an agent reply after `warn_at` of its channel's FRT
    /// target: `warning`, escalated to `breached` once the target passes, `resolved` at the reply.
    case frtAtRisk = "frt_at_risk"
    /// The same conversation once its target has passed: `breached`, `resolved` at the reply.
    case frtBreached = "frt_breached"
    /// More open conversations (the backlog) than `threshold`.
    case backlogAbove = "backlog_above"
    /// Abandoned ÷ offered calls opened in the last `window` above `threshold`, with at least `min_offered` offered.
    case abandonmentAbove = "abandonment_above"
    /// A pull source whose last `failures` runs all failed.
    case sourceFailing = "source_failing"
    /// More than `threshold` dead letters written in the last `window`.
    case deadLettersAbove = "dead_letters_above"

    /// One alert per conversation (the FRT rules); the others watch a condition.
    public var perConversation: Bool { self == .frtAtRisk || self == .frtBreached }

    /// The keys of an entry besides name, rule, notify and business_hours_only.
    public var keys: [String] {
        switch self {
        case .frtAtRisk: ["channel", "source", "warn_at"]
        case .frtBreached: ["channel", "source"]
        case .backlogAbove: ["channel", "source", "topic", "threshold", "clear_below"]
        case .abandonmentAbove: ["source", "threshold", "clear_below", "min_offered", "window"]
        case .sourceFailing: ["source", "failures"]
        case .deadLettersAbove: ["source", "threshold", "clear_below", "window"]
        }
    }

    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Where an alert stands: `warning` (a conversation at risk), `breached` (its target passed, or a condition
/// holds), `resolved` (it cleared; the last notice of an alert).
public enum AlertState: String, Sendable, Hashable, Codable, CaseIterable {
    case warning, breached, resolved

    /// warning < breached: an alert only escalates.
    public var severity: Int { self == .warning ? 1 : self == .breached ? 2 : 0 }
}

/// One entry of `alerts:` — a rule watched by `switchboard serve`, notifying `notifications:` destinations:
///
/// ```yaml
/// alerts:
///   - {name: chat-frt, rule: frt_at_risk, channel: chat, warn_at: 80%, notify: [ops, team]}
///   - {name: backlog, rule: backlog_above, threshold: 50, notify: [lead], business_hours_only: true}
/// ```
public struct AlertRule: Sendable, Hashable {
    /// Unique among the alerts; letters, digits, `-`, `_` and `.`.
    public var name: String
    public var rule: AlertRuleKind
    /// Only conversations (or calls) of these channels; empty: every channel (FRT rules: every channel with a target).
    public var channels: [Channel]
    /// Only this source (a `connectors:` name); nil: every source.
    public var source: String?
    /// `backlog_above`: only conversations with this topic.
    public var topic: String?
    /// `frt_at_risk`: the share of the FRT target after which a waiting conversation is at risk (default 0.8).
    public var warnAt: Double
    /// `backlog_above`, `dead_letters_above`: a count; `abandonment_above`: a rate 0…1.
    public var threshold: Double
    /// The same rules: once breached, the alert resolves only when the value is at or below this (nil: `threshold`),
    /// so a value hovering at the threshold does not send a breach and a resolution at every crossing.
    public var clearBelow: Double?
    /// `abandonment_above`: fewest calls offered in the window for the rate to count (default 10).
    public var minOffered: Int
    /// `abandonment_above`, `dead_letters_above`: how far back the rule looks, in seconds (default 1 h).
    public var window: Double
    /// `source_failing`: failed runs in a row (default 3).
    public var failures: Int
    /// Names of `notifications:` destinations.
    public var notify: [String]
    /// Evaluated only while `business_hours:` are open.
    public var businessHoursOnly: Bool
    /// Where the entry is in the config file.
    public var index: Int
    public var line: Int?

    public init(name: String, rule: AlertRuleKind, channels: [Channel] = [], source: String? = nil, topic: String? = nil,
                warnAt: Double = 0.8, threshold: Double = 0, clearBelow: Double? = nil, minOffered: Int = 10, window: Double = 3600,
                failures: Int = 3, notify: [String], businessHoursOnly: Bool = false, index: Int = 0, line: Int? = nil) {
        self.name = name
        self.rule = rule
        self.channels = channels
        self.source = source
        self.topic = topic
        self.warnAt = warnAt
        self.threshold = threshold
        self.clearBelow = clearBelow
        self.minOffered = minOffered
        self.window = window
        self.failures = failures
        self.notify = notify
        self.businessHoursOnly = businessHoursOnly
        self.index = index
        self.line = line
    }

    /// `alerts[i].key`.
    public func keyPath(_ key: String) -> String { "alerts[\(index)].\(key)" }
}
