import Foundation
import SwitchboardCore

/// Rebuilds one conversation from its interactions (same source and conversationKey,
/// in occurredAt then storage order), following DESIGN §5 and docs/metrics.md.
public struct ConversationBuilder: Sendable {
    /// Quiet time after an agent's last reply that infers a resolution (`resolution.idle_after`).
    public var idleAfter: Double
    /// Abandoned calls that waited less than this are `short_abandon` (`phone.short_abandon`).
    public var shortAbandon: Double
    /// Interactions after this instant are not yet known.
    public var now: Date

    public init(idleAfter: Double = 72 * 3600, shortAbandon: Double = 5, now: Date) {
        self.idleAfter = idleAfter
        self.shortAbandon = shortAbandon
        self.now = now
    }

    /// Customer side: a customer message, or an inbound call (its caller is the customer).
    static func isCustomer(_ i: Interaction) -> Bool {
        switch i.kind {
        case .message: return i.actorRole == .customer
        case .call: return i.direction == .inbound
        default: return false
        }
    }

    /// An agent reply to the customer: the only thing that responds or (when inferred) resolves.
    static func isAgentReply(_ i: Interaction) -> Bool {
        (i.kind == .message || i.kind == .call) && i.actorRole == .agent && i.direction == .outbound
    }

    /// Any agent participation (replies, internal notes, outbound calls).
    static func isAgent(_ i: Interaction) -> Bool {
        (i.kind == .message || i.kind == .call) && i.actorRole == .agent
    }

    /// Builds the conversation; nil when it holds no message or call known by `now`.
    /// - Parameter trace: receives every clock movement when given (for `explain`).
    public func build(_ all: [Interaction], customerKey canonical: (String) -> String = { $0 },
                      trace: ((ClockEvent) -> Void)? = nil) -> Conversation? {
        let items = all.filter { $0.occurredAt <= now && $0.kind != .survey }
        guard let first = items.first(where: { $0.kind == .message || $0.kind == .call }) else { return nil }
        let openIndex = items.firstIndex(where: Self.isCustomer)
        var conv = Conversation(
            source: first.source, key: first.conversationKey, channel: first.channel, platform: first.platform,
            customerKey: nil, firstAt: first.occurredAt, openedAt: nil, customerInitiated: false,
            firstResponseAt: nil, resolutions: [], reopens: [], resolved: false, explicitStatus: false,
            agents: [], firstResponder: nil, lastAgent: nil, call: nil)
        let keyed = items.first { Self.isCustomer($0) && $0.customerKey != nil } ?? items.first { $0.customerKey != nil }
        conv.customerKey = keyed?.customerKey.map(canonical)
        var agents: [String] = []
        for i in items where Self.isAgent(i) {
            let id = i.actorId ?? ""
            if !agents.contains(id) { agents.append(id) }
            conv.lastAgent = i.actorId ?? conv.lastAgent
        }
        conv.agents = agents
        guard let oi = openIndex else {
            trace?(ClockEvent(at: first.occurredAt, what: "no customer interaction: outbound/internal only, not a customer conversation"))
            return conv
        }
        let open = items[oi]
        conv.openedAt = open.occurredAt
        conv.customerInitiated = !items[..<oi].contains(where: Self.isAgent)
        trace?(ClockEvent(at: open.occurredAt, what: "open: first customer interaction"
            + (conv.customerInitiated ? " (customer-initiated)" : " (agent-initiated: an agent acted first, no FRT)")))
        if open.kind == .call {
            buildCall(&conv, open: open, calls: items[oi...].filter { $0.kind == .call && $0.direction == .inbound }, trace: trace)
        } else {
            buildMessages(&conv, items: Array(items[oi...]), explicit: items.contains { $0.kind == .status }, trace: trace)
        }
        return conv
    }

    private func buildCall(_ conv: inout Conversation, open: Interaction, calls: [Interaction], trace: ((ClockEvent) -> Void)?) {
        let chosen = calls.first { $0.call?.outcome == .answered } ?? open
        let info = chosen.call ?? CallInfo(outcome: .failed)
        var outcome = info.outcome
        if outcome == .abandoned, let w = info.waitSeconds, w < shortAbandon { outcome = .shortAbandon }
        conv.call = Conversation.Call(outcome: outcome, queue: info.queue ?? open.call?.queue, agentId: info.agentId,
                                      waitSeconds: info.waitSeconds, talkSeconds: info.talkSeconds)
        trace?(ClockEvent(at: chosen.occurredAt, what: "call outcome \(outcome.rawValue)"
            + (outcome != info.outcome ? " (abandoned after \(info.waitSeconds ?? 0)s < phone.short_abandon)" : "")))
        guard outcome == .answered else {
            conv.agents = []
            conv.lastAgent = nil
            trace?(ClockEvent(at: chosen.occurredAt, what: "never responded, never resolved"))
            return
        }
        let agent = info.agentId ?? ""
        conv.agents = [agent]
        conv.firstResponder = info.agentId
        conv.lastAgent = info.agentId
        let start = chosen.occurredAt
        let answered = start.addingTimeInterval(info.waitSeconds ?? 0)
        if conv.customerInitiated {
            conv.firstResponseAt = answered
            trace?(ClockEvent(at: answered, what: "first response: answered by \(info.agentId ?? "an unknown agent") after \(info.waitSeconds ?? 0)s"))
        }
        let end = answered.addingTimeInterval(info.talkSeconds ?? 0)
        if end <= now {
            conv.resolutions = [end]
            conv.resolved = true
            trace?(ClockEvent(at: end, what: "resolved: the answered call ended"))
        }
    }

    private func buildMessages(_ conv: inout Conversation, items: [Interaction], explicit: Bool, trace: ((ClockEvent) -> Void)?) {
        let open = items[0]
        if conv.customerInitiated, let reply = items.dropFirst().first(where: Self.isAgentReply) {
            conv.firstResponseAt = reply.occurredAt
            conv.firstResponder = reply.actorId
            trace?(ClockEvent(at: reply.occurredAt, what: "first response by \(reply.actorId ?? "an unknown agent")"))
        } else if conv.customerInitiated {
            trace?(ClockEvent(at: open.occurredAt, what: "no agent reply yet: not in FRT"))
        }
        if explicit {
            conv.explicitStatus = true
            var resolved = false
            for i in items.dropFirst() {
                if let s = i.status?.to, i.kind == .status {
                    switch s {
                    case .resolved where !resolved:
                        resolved = true
                        conv.resolutions.append(i.occurredAt)
                        trace?(ClockEvent(at: i.occurredAt, what: "resolved (status)"))
                    case .open, .reopened:
                        if resolved {
                            resolved = false
                            conv.reopens.append(i.occurredAt)
                            trace?(ClockEvent(at: i.occurredAt, what: "reopened (status \(s.rawValue))"))
                        }
                    default: break
                    }
                } else if Self.isCustomer(i) && resolved {
                    resolved = false
                    conv.reopens.append(i.occurredAt)
                    trace?(ClockEvent(at: i.occurredAt, what: "reopened: customer wrote after the resolution"))
                }
            }
            conv.resolved = resolved
            return
        }
        // Inferred: the last agent reply before a customer interaction that comes idle_after later (or never, by now).
        var lastReply: Date?
        var resolved = false
        for i in items.dropFirst() {
            if Self.isAgentReply(i) {
                lastReply = i.occurredAt
                resolved = false
            } else if Self.isCustomer(i) {
                if let r = lastReply, i.occurredAt.timeIntervalSince(r) >= idleAfter {
                    conv.resolutions.append(r)
                    conv.reopens.append(i.occurredAt)
                    trace?(ClockEvent(at: r, what: "resolved (inferred: customer silent for resolution.idle_after)"))
                    trace?(ClockEvent(at: i.occurredAt, what: "reopened: customer wrote after the resolution"))
                }
                lastReply = nil
            }
        }
        if let r = lastReply, r.addingTimeInterval(idleAfter) <= now {
            conv.resolutions.append(r)
            resolved = true
            trace?(ClockEvent(at: r, what: "resolved (inferred: no customer reply within resolution.idle_after by now)"))
        } else if let r = lastReply {
            trace?(ClockEvent(at: r, what: "last agent reply; not resolved yet (idle_after not elapsed by now)"))
        }
        conv.resolved = resolved
    }
}
