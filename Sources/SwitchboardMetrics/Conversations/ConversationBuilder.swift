import Foundation
import SwitchboardCore
import SwitchboardScan

/// Rebuilds one conversation from its rows (same source and conversationKey, surveys excluded,
/// only rows known by `now`, in occurredAt then storage order), following DESIGN §5 and docs/metrics.md.
/// The only implementation of the rules: reports, `explain` and tests all go through it.
public struct ConversationBuilder: Sendable {
    /// Quiet time after an agent's last reply that infers a resolution (`resolution.idle_after`).
    public var idleAfter: Double
    /// Abandoned calls that waited less than this are `short_abandon` (`phone.short_abandon`).
    public var shortAbandon: Double
    /// Interactions after this instant are not yet known.
    public var now: Date
    /// The name number of the empty actor id in the scan (-1 when absent): an agent interaction with
    /// actorId "" and one without actorId are the same unknown agent.
    public var blankActor: Int32 = -1

    public init(idleAfter: Double = 72 * 3600, shortAbandon: Double = 5, now: Date) {
        self.idleAfter = idleAfter
        self.shortAbandon = shortAbandon
        self.now = now
    }

    /// Customer side: a customer message, or an inbound call (its caller is the customer).
    @inline(__always) static func isCustomer(_ i: MetricsRow) -> Bool {
        switch i.kind {
        case .message: return i.role == .customer
        case .call: return i.direction == .inbound
        default: return false
        }
    }

    /// An agent reply to the customer: the only thing that responds or (when inferred) resolves.
    @inline(__always) static func isAgentReply(_ i: MetricsRow) -> Bool {
        (i.kind == .message || i.kind == .call) && i.role == .agent && i.direction == .outbound
    }

    /// Any agent participation (replies, internal notes, outbound calls).
    @inline(__always) static func isAgent(_ i: MetricsRow) -> Bool {
        (i.kind == .message || i.kind == .call) && i.role == .agent
    }

    /// Builds the conversation; nil when it holds no message or call.
    /// - Parameters:
    ///   - items: the conversation's rows known by `now`, without surveys, in (occurredAt, order) order.
    ///   - canonical: maps a row's customer number to the linked customer's number.
    ///   - agentName: names agents in trace messages.
    ///   - trace: receives every clock movement when given (for `explain`).
    public func build(_ items: UnsafeBufferPointer<MetricsRow>, canonical: (Int32) -> Int32 = { $0 },
                      agentName: (Int32) -> String = { "\($0)" }, trace: ((ClockEvent) -> Void)? = nil) -> Conversation? {
        guard let firstIndex = items.firstIndex(where: { $0.kind == .message || $0.kind == .call }) else { return nil }
        let first = items[firstIndex]
        let openIndex = items.firstIndex(where: Self.isCustomer)
        var conv = Conversation(
            number: first.conversation, source: -1, channel: first.channel, platform: first.platform,
            customer: -1, firstAt: first.occurredAt, openedAt: nil, customerInitiated: false,
            firstResponseAt: nil, resolved: false, explicitStatus: false, firstResponder: -1, lastAgent: -1, call: nil)
        let keyed = items.first { Self.isCustomer($0) && $0.customer >= 0 } ?? items.first { $0.customer >= 0 }
        if let k = keyed { conv.customer = canonical(k.customer) }
        for i in items where i.topics >= 0 { conv.topicSets.insert(i.topics) }
        for i in items where Self.isAgent(i) {
            conv.agentSet.insert(i.actor == blankActor ? -1 : i.actor)
            if i.actor >= 0 { conv.lastAgent = i.actor }
        }
        guard let oi = openIndex else {
            if first.kind == .call && first.direction == .outbound { conv.outboundOutcome = first.outcome }
            trace?(ClockEvent(at: first.occurredAt, what: "no customer interaction: outbound/internal only, not a customer conversation"))
            return conv
        }
        let open = items[oi]
        if open.ruleTopics >= 0 { conv.topicSets.insert(open.ruleTopics) }
        conv.openedAt = open.occurredAt
        conv.customerInitiated = !items[..<oi].contains(where: Self.isAgent)
        trace?(ClockEvent(at: open.occurredAt, what: "open: first customer interaction"
            + (conv.customerInitiated ? " (customer-initiated)" : " (agent-initiated: an agent acted first, no FRT)")))
        let rest = UnsafeBufferPointer(rebasing: items[oi...])
        if open.kind == .call {
            buildCall(&conv, open: open, rest: rest, agentName: agentName, trace: trace)
        } else {
            buildMessages(&conv, items: rest, explicit: items.contains { $0.kind == .status }, agentName: agentName, trace: trace)
        }
        return conv
    }

    private func buildCall(_ conv: inout Conversation, open: MetricsRow, rest: UnsafeBufferPointer<MetricsRow>,
                           agentName: (Int32) -> String, trace: ((ClockEvent) -> Void)?) {
        let chosen = rest.first { $0.kind == .call && $0.direction == .inbound && $0.outcome == .answered } ?? open
        let wait: Double? = chosen.outcome == nil || chosen.wait.isNaN ? nil : chosen.wait
        let talk: Double? = chosen.outcome == nil || chosen.talk.isNaN ? nil : chosen.talk
        let given = chosen.outcome ?? .failed
        var outcome = given
        if outcome == .abandoned, let w = wait, w < shortAbandon { outcome = .shortAbandon }
        let queue = chosen.outcome != nil && chosen.queue >= 0 ? chosen.queue : (open.outcome != nil ? open.queue : -1)
        let agentId = chosen.outcome != nil ? chosen.callAgent : -1
        conv.call = Conversation.Call(outcome: outcome, queue: queue, agentId: agentId, waitSeconds: wait, talkSeconds: talk)
        if chosen.outcome != nil {
            conv.call?.context = chosen.context
            conv.call?.app = chosen.app
            conv.call?.exitPosition = chosen.exitPosition
            conv.call?.durationSeconds = chosen.duration.isNaN ? nil : Double(chosen.duration)
            if trace != nil, chosen.context >= 0 || chosen.app >= 0 || chosen.exitPosition > 0 {
                var at: [String] = []
                if chosen.context >= 0 { at.append("context \(agentName(chosen.context))") }
                if chosen.app >= 0 { at.append("application \(agentName(chosen.app))") }
                if chosen.exitPosition > 0 { at.append("queue position \(chosen.exitPosition)") }
                trace?(ClockEvent(at: chosen.occurredAt, what: "the call ended in " + at.joined(separator: ", ") + " (phone.stages)"))
            }
        }
        trace?(ClockEvent(at: chosen.occurredAt, what: "call outcome \(outcome.rawValue)"
            + (outcome != given ? " (abandoned after \(wait ?? 0)s < phone.short_abandon)" : "")))
        guard outcome == .answered else {
            conv.agentSet = AgentSet()
            conv.lastAgent = -1
            trace?(ClockEvent(at: chosen.occurredAt, what: "never responded, never resolved"))
            return
        }
        conv.agentSet = AgentSet(agentId == blankActor ? -1 : agentId)
        conv.firstResponder = agentId
        conv.lastAgent = agentId
        let start = chosen.occurredAt
        let answered = start.addingTimeInterval(wait ?? 0)
        if conv.customerInitiated {
            conv.firstResponseAt = answered
            trace?(ClockEvent(at: answered, what: "first response: answered by \(agentId >= 0 ? agentName(agentId) : "an unknown agent") after \(wait ?? 0)s"))
        }
        let end = answered.addingTimeInterval(talk ?? 0)
        if end <= now {
            conv.transitions.append(end)
            conv.resolved = true
            trace?(ClockEvent(at: end, what: "resolved: the answered call ended"))
        }
    }

    private func buildMessages(_ conv: inout Conversation, items: UnsafeBufferPointer<MetricsRow>, explicit: Bool,
                               agentName: (Int32) -> String, trace: ((ClockEvent) -> Void)?) {
        let open = items[0]
        let later = UnsafeBufferPointer(rebasing: items[1...])
        if conv.customerInitiated, let reply = later.first(where: Self.isAgentReply) {
            conv.firstResponseAt = reply.occurredAt
            conv.firstResponder = reply.actor
            trace?(ClockEvent(at: reply.occurredAt, what: "first response by \(reply.actor >= 0 ? agentName(reply.actor) : "an unknown agent")"))
        } else if conv.customerInitiated {
            trace?(ClockEvent(at: open.occurredAt, what: "no agent reply yet: not in FRT"))
        }
        if explicit {
            conv.explicitStatus = true
            var resolved = false
            for i in later {
                if i.kind == .status, let s = i.status {
                    switch s {
                    case .resolved where !resolved:
                        resolved = true
                        conv.transitions.append(i.occurredAt)
                        trace?(ClockEvent(at: i.occurredAt, what: "resolved (status)"))
                    case .open, .reopened:
                        if resolved {
                            resolved = false
                            conv.transitions.append(i.occurredAt)
                            trace?(ClockEvent(at: i.occurredAt, what: "reopened (status \(s.rawValue))"))
                        }
                    default: break
                    }
                } else if Self.isCustomer(i) && resolved {
                    resolved = false
                    conv.transitions.append(i.occurredAt)
                    trace?(ClockEvent(at: i.occurredAt, what: "reopened: customer wrote after the resolution"))
                }
            }
            conv.resolved = resolved
            return
        }
        // Inferred: the last agent reply before a customer interaction that comes idle_after later (or never, by now).
        var lastReply: Date?
        var resolved = false
        for i in later {
            if Self.isAgentReply(i) {
                lastReply = i.occurredAt
                resolved = false
            } else if Self.isCustomer(i) {
                if let r = lastReply, i.occurredAt.timeIntervalSince(r) >= idleAfter {
                    conv.transitions.append(r)
                    conv.transitions.append(i.occurredAt)
                    trace?(ClockEvent(at: r, what: "resolved (inferred: customer silent for resolution.idle_after)"))
                    trace?(ClockEvent(at: i.occurredAt, what: "reopened: customer wrote after the resolution"))
                }
                lastReply = nil
            }
        }
        if let r = lastReply, r.addingTimeInterval(idleAfter) <= now {
            conv.transitions.append(r)
            resolved = true
            trace?(ClockEvent(at: r, what: "resolved (inferred: no customer reply within resolution.idle_after by now)"))
        } else if let r = lastReply {
            trace?(ClockEvent(at: r, what: "last agent reply; not resolved yet (idle_after not elapsed by now)"))
        }
        conv.resolved = resolved
    }
}
