import Foundation
import SwitchboardCore
import SwitchboardScan

/// One reconstructed conversation (DESIGN §5): the clocks and facts every metric reads.
public struct Conversation: Sendable, Hashable {
    /// How the conversation's call went, for call conversations.
    public struct Call: Sendable, Hashable {
        // Fields in this order pack into 52 bytes (each optional Double leaves room for a small field after it).
        public var waitSeconds: Double?
        public var outcome: CallOutcome
        /// Its exit queue position (0: none; ``CallDetails``).
        public var exitPosition: Int16 = 0
        /// ``MetricsScan/names`` numbers, -1 when absent.
        public var queue: Int32
        public var talkSeconds: Double?
        public var agentId: Int32
        /// Where the call ended (``CallDetails``): its duration (nil: absent), ``MetricsScan/names`` numbers of its
        /// context and last application (-1 when absent).
        public var durationSeconds: Double?
        public var context: Int32 = -1
        public var app: Int32 = -1

        public init(outcome: CallOutcome, queue: Int32, agentId: Int32, waitSeconds: Double?, talkSeconds: Double?) {
            self.outcome = outcome
            self.queue = queue
            self.agentId = agentId
            self.waitSeconds = waitSeconds
            self.talkSeconds = talkSeconds
        }
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
    /// Resolutions and reopens in time order: they alternate (resolved, reopened, resolved, …).
    public var transitions = TimeList()
    /// Resolved as of now.
    public var resolved: Bool
    /// Resolution driven by `status` interactions (else inferred; calls: by outcome).
    public var explicitStatus: Bool
    /// Distinct agents that took part (``MetricsScan/names`` numbers); -1 stands for agent interactions without an actorId.
    public var agentSet = AgentSet()
    /// Agent of the first response (-1: none or unknown).
    public var firstResponder: Int32
    /// Last agent who took part (-1: none).
    public var lastAgent: Int32
    /// Set for call conversations.
    public var call: Call?
    /// Outbound-only call conversations (the team calling a customer): the call's outcome (`answered`:
    /// the call reached them). Read by call recovery.
    public var outboundOutcome: CallOutcome?
    /// ``MetricsScan/topicSets`` numbers of the conversation's topics: the native topics of every
    /// interaction known by now and the rule topics of the first customer interaction
    /// (``Dataset/topics(of:)`` turns them into topic numbers).
    public var topicSets = IDSet()

    /// Times the conversation became resolved, in order.
    public var resolutions: [Date] { stride(from: 0, to: transitions.count, by: 2).map { transitions[$0] } }
    /// Times a resolved conversation became open again, in order.
    public var reopens: [Date] { stride(from: 1, to: transitions.count, by: 2).map { transitions[$0] } }
    /// Number of reopens.
    public var reopenCount: Int { transitions.count / 2 }
    /// Distinct agents in order of appearance.
    public var agents: [Int32] { agentSet.list }

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
    public var resolvedAt: Date? {
        guard resolved, transitions.count > 0 else { return nil }
        return transitions[(transitions.count - 1) & ~1]
    }

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
        var start = open
        var k = 0
        // Resolutions sit at even positions, reopens at odd ones.
        while true {
            let end: Date? = k < transitions.count ? transitions[k] : nil
            body(start, end)
            guard end != nil, k + 1 < transitions.count else { break }
            start = transitions[k + 1]
            k += 2
        }
    }
}

/// Instants in order, the first two held inline (most conversations have at most two).
public struct TimeList: Sendable, Hashable {
    private var a = 0.0, b = 0.0
    private var more: [Double]?
    public private(set) var count = 0

    public init() {}

    public subscript(i: Int) -> Date {
        Date(timeIntervalSince1970: i == 0 ? a : i == 1 ? b : more![i - 2])
    }

    public mutating func append(_ t: Date) {
        let v = t.timeIntervalSince1970
        switch count {
        case 0: a = v
        case 1: b = v
        default: if more == nil { more = [v] } else { more!.append(v) }
        }
        count += 1
    }
}

/// Distinct agents of a conversation.
public typealias AgentSet = IDSet

/// Distinct numbers in order of appearance, the first two held inline.
public struct IDSet: Sendable, Hashable {
    private var a: Int32 = 0, b: Int32 = 0
    private var more: [Int32]?
    public private(set) var count = 0

    public init() {}

    public init(_ one: Int32) {
        a = one
        count = 1
    }

    public func contains(_ id: Int32) -> Bool {
        (count > 0 && a == id) || (count > 1 && b == id) || (more?.contains(id) ?? false)
    }

    /// Adds `id` unless present.
    public mutating func insert(_ id: Int32) {
        guard !contains(id) else { return }
        switch count {
        case 0: a = id
        case 1: b = id
        default: if more == nil { more = [id] } else { more!.append(id) }
        }
        count += 1
    }

    public var list: [Int32] { Array([a, b].prefix(count)) + (more ?? []) }

    /// The first and second numbers (0 when absent).
    public var first: Int32 { a }
    public var second: Int32 { count > 1 ? b : 0 }
}

/// Why a clock moved, for `switchboard explain`.
public struct ClockEvent: Sendable, Hashable {
    public var at: Date
    public var what: String
}
