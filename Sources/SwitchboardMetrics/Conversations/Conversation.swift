import Foundation
import SwitchboardCore

/// One reconstructed conversation (DESIGN §5): the clocks and facts every metric reads.
public struct Conversation: Sendable, Hashable {
    /// How the conversation's call went, for call conversations.
    public struct Call: Sendable, Hashable {
        public var outcome: CallOutcome
        /// ``MetricsScan/names`` numbers, -1 when absent.
        public var queue: Int32
        public var agentId: Int32
        public var waitSeconds: Double?
        public var talkSeconds: Double?
    }

    /// Conversation number in the dataset's ``MetricsScan`` (its source and key).
    public var number: Int32
    /// ``MetricsScan/names`` number of the source.
    public var source: Int32
    public var channel: Channel
    /// ``MetricsScan/names`` number of the platform.
    public var platform: Int32
    /// The customer identity after `customers.links` (``Dataset/customerName(_:)``); -1: the conversation cannot repeat.
    public var customer: Int32
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
    /// Distinct agents that took part (``MetricsScan/names`` numbers); -1 stands for agent interactions without an actorId.
    public var agents: [Int32]
    /// Agent of the first response (-1: none or unknown).
    public var firstResponder: Int32
    /// Last agent who took part (-1: none).
    public var lastAgent: Int32
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
    public var owner: Int32 { firstResponder >= 0 ? firstResponder : lastAgent }

    /// Last resolution as of now, when resolved.
    public var resolvedAt: Date? { resolved ? resolutions.last : nil }

    /// Message conversations that are open: [open, first resolution), [reopen, next resolution)…;
    /// the last end is nil while unresolved. Calls are never in the backlog.
    public var backlogIntervals: [(start: Date, end: Date?)] {
        var out: [(Date, Date?)] = []
        forEachBacklogInterval { out.append(($0, $1)) }
        return out
    }

    /// Calls `body` with each backlog interval (see ``backlogIntervals``) without building a list.
    @inline(__always)
    public func forEachBacklogInterval(_ body: (Date, Date?) -> Void) {
        guard let open = openedAt, call == nil else { return }
        var start: Date? = open
        var ri = 0, oi = 0
        // Walk resolutions and reopens in time order; both lists alternate by construction.
        while let s = start {
            let end = ri < resolutions.count ? resolutions[ri] : nil
            body(s, end)
            ri += 1
            guard end != nil else { break }
            start = oi < reopens.count ? reopens[oi] : nil
            oi += 1
        }
    }
}

/// Why a clock moved, for `switchboard explain`.
public struct ClockEvent: Sendable, Hashable {
    public var at: Date
    public var what: String
}
