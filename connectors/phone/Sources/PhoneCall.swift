import Foundation
import SwitchboardCore

/// One assembled call, whatever PBX it came from: the step between rows and an ``Interaction``.
struct PhoneCall: Sendable, Hashable {
    /// linkedid / uuid / call id: the conversationKey and externalId.
    var key: String
    var start: Double
    var end: Double
    /// The calling number as the PBX wrote it.
    var caller: String
    var callerName: String?
    /// The dialled number.
    var callee: String
    var callerChannel: String?
    var context: String?
    var outcome: CallOutcome
    var wait: Double?
    var talk: Double?
    /// The answering agent's channel, extension or queue member name.
    var agent: String?
    var queue: String?
    /// Set when the source says the direction itself (mapped CSV).
    var direction: Direction?
    var provenance: String
}

/// Makes the one `kind: call` ``Interaction`` of a ``PhoneCall`` (same rules for every PBX).
struct PhoneCallBuilder: Sendable {
    var source: String
    var platform: String
    var agents: AgentDirectory
    var defaultCountry: String?
    /// Dialplan contexts that receive customer calls; empty: every call not from an agent is inbound.
    var inboundContexts: Set<String> = []

    /// The agent behind a channel, extension or member name, else the extension itself.
    func agentId(_ raw: String) -> String {
        agents.agent(phone: raw) ?? agents.agent(name: raw) ?? AgentDirectory.extensionPart(of: raw)
    }

    func direction(of call: PhoneCall) -> Direction {
        if let d = call.direction { return d }
        let callerAgent = !call.caller.isEmpty && agents.agent(phone: call.caller) != nil
            || call.callerChannel.map { agents.agent(phone: $0) != nil } == true
        if callerAgent {
            return !call.callee.isEmpty && agents.agent(phone: call.callee) != nil ? .internal : .outbound
        }
        if !inboundContexts.isEmpty, let ctx = call.context, !inboundContexts.contains(ctx) { return .internal }
        return .inbound
    }

    func interaction(_ call: PhoneCall) -> Interaction {
        let direction = direction(of: call)
        var agentId = call.agent.map(agentId)
        var actorRole = ActorRole.customer
        var actorId: String?
        var actorName: String?
        var customerKey: String?
        switch direction {
        case .inbound:
            customerKey = PhoneNumber.e164(call.caller, defaultCountry: defaultCountry)
            actorId = customerKey ?? (call.caller.isEmpty ? nil : call.caller)
            actorName = call.callerName
        case .outbound:
            actorRole = .agent
            customerKey = PhoneNumber.e164(call.callee, defaultCountry: defaultCountry)
            actorId = agents.agent(phone: call.caller) ?? call.callerChannel.flatMap { agents.agent(phone: $0) } ?? call.caller
            agentId = actorId   // the agent who placed the call
        case .internal:
            actorRole = .agent
            actorId = agents.agent(phone: call.caller) ?? call.caller
        }
        return Interaction(
            source: source, externalId: call.key, channel: .phone, platform: platform, conversationKey: call.key,
            kind: .call, direction: direction, actorRole: actorRole, actorId: actorId, actorName: actorName,
            customerKey: customerKey, occurredAt: Date(timeIntervalSince1970: call.start),
            call: CallInfo(queue: call.queue, agentId: agentId, waitSeconds: call.wait, talkSeconds: call.talk,
                           outcome: call.outcome),
            provenance: call.provenance)
    }

    /// `"Anna" <301>` → `Anna`; nil when the name is only the number again.
    static func callerName(fromClid clid: String, number: String) -> String? {
        var name = clid
        if let lt = clid.lastIndex(of: "<") { name = String(clid[..<lt]) }
        name = name.trimmingCharacters(in: .whitespaces)
        if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
        name = name.trimmingCharacters(in: .whitespaces)
        return name.isEmpty || name == number ? nil : name
    }
}

/// The Asterisk CDR call semantics pinned in connectors/phone/README.md.
enum AsteriskCallAssembly {
    /// One call from all legs sharing a linkedid (or uniqueid).
    static func call(from legs: [CDRLeg], shortAbandon: Double) -> PhoneCall {
        let ordered = legs.sorted { ($0.start, $0.provenance.count, $0.provenance) < ($1.start, $1.provenance.count, $1.provenance) }
        let first = ordered[0]
        let start = ordered.map(\.start).min()!
        let end = ordered.map(\.end).max()!
        let toAgents = ordered.filter { !$0.dstchannel.isEmpty }
        var call = PhoneCall(key: first.key, start: start, end: end, caller: first.src,
                             callerName: PhoneCallBuilder.callerName(fromClid: first.clid, number: first.src),
                             callee: first.dst, callerChannel: first.channel, context: first.dcontext,
                             outcome: .abandoned, provenance: first.provenance)
        if toAgents.isEmpty {
            call.outcome = .ivr
            return call
        }
        let answered = toAgents.filter { $0.disposition == "ANSWERED" && $0.billsec > 0 }
        if let leg = answered.min(by: { ($0.answer ?? $0.end - Double($0.billsec)) < ($1.answer ?? $1.end - Double($1.billsec)) }) {
            let answerAt = leg.answer ?? leg.end - Double(leg.billsec)
            call.outcome = .answered
            call.wait = max(0, answerAt - start)
            call.talk = Double(leg.billsec)
            call.agent = leg.dstchannel
            return call
        }
        if toAgents.allSatisfy({ $0.disposition == "BUSY" }) {
            call.outcome = .busy
        } else if toAgents.allSatisfy({ $0.disposition == "FAILED" || $0.disposition == "CONGESTION" }) {
            call.outcome = .failed
        } else {
            call.outcome = end - start < shortAbandon ? .shortAbandon : .abandoned
            call.wait = end - start
        }
        return call
    }
}
