import Foundation
import SwitchboardCore

/// One reconstructed conversation (DESIGN §5): the clocks and facts every metric reads.
public struct Conversation: Sendable, Hashable {
    /// How the conversation's call went, for call conversations.
    public struct Call: Sendable, Hashable {
        public var outcome: CallOutcome
        public var queue: String?
        public var agentId: String?
        public var waitSeconds: Double?
        public var talkSeconds: Double?
    }

    public var source: String
    public var key: String
    public var channel: Channel
    public var platform: String
    /// The customer identity after `customers.links` (nil: the conversation cannot repeat).
    public var customerKey: String?
    /// First message or call of the conversation (customer or not).
    public var firstAt: Date
    /// First customer interaction; nil for outbound-only and internal conversations.
    public var openedAt: Date?
    /// No agent interaction came before the open.
    public var customerInitiated: Bool
    /// First outbound agent interaction after the open (customer-initiated only); for calls open + wait.
    public var firstResponseAt: Date?
    /// Times the conversation became resolved, in order.
    public var resolutions: [Date]
    /// Times a resolved conversation became open again, in order.
    public var reopens: [Date]
    /// Resolved as of now.
    public var resolved: Bool
    /// Resolution driven by `status` interactions (else inferred; calls: by outcome).
    public var explicitStatus: Bool
    /// Distinct agents that took part; "" stands for agent interactions without an actorId.
    public var agents: [String]
    /// Agent of the first response.
    public var firstResponder: String?
    /// Last agent who took part.
    public var lastAgent: String?
    /// Set for call conversations.
    public var call: Call?

    /// A conversation opened by a customer (counts in volume).
    public var isCustomer: Bool { openedAt != nil }

    /// A customer conversation that counts in `conversations` (ivr and short_abandon calls do not).
    public var counts: Bool {
        guard isCustomer else { return false }
        if let c = call, c.outcome == .ivr || c.outcome == .shortAbandon { return false }
        return true
    }

    /// The agent the conversation belongs to: who gave its first response, else its last agent.
    public var owner: String? { firstResponder ?? lastAgent }

    /// Last resolution as of now, when resolved.
    public var resolvedAt: Date? { resolved ? resolutions.last : nil }

    /// Message conversations that are open: [open, first resolution), [reopen, next resolution)…;
    /// the last end is nil while unresolved. Calls are never in the backlog.
    public var backlogIntervals: [(start: Date, end: Date?)] {
        guard let open = openedAt, call == nil else { return [] }
        var out: [(Date, Date?)] = []
        var start: Date? = open
        var ri = 0, oi = 0
        // Walk resolutions and reopens in time order; both lists alternate by construction.
        while let s = start {
            let end = ri < resolutions.count ? resolutions[ri] : nil
            out.append((s, end))
            ri += 1
            guard end != nil else { break }
            start = oi < reopens.count ? reopens[oi] : nil
            oi += 1
        }
        return out
    }
}

/// Why a clock moved, for `switchboard explain`.
public struct ClockEvent: Sendable, Hashable {
    public var at: Date
    public var what: String
}
