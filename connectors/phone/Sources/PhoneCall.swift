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
    var inboundContexts: Set<String>
    /// Agent phones and their extension parts → agent id (the directory's rules, on bytes).
    private let phoneIndex: [String: String]

    init(source: String, platform: String, agents: AgentDirectory, defaultCountry: String?,
         inboundContexts: Set<String> = []) {
        self.source = source
        self.platform = platform
        self.agents = agents
        self.defaultCountry = defaultCountry
        self.inboundContexts = inboundContexts
        var index: [String: String] = [:]
        for a in agents.agents {
            for p in a.phones { index[p] = a.id }
        }
        for a in agents.agents {
            for p in a.phones where index[Self.extensionPart(p)] == nil { index[Self.extensionPart(p)] = a.id }
        }
        phoneIndex = index
    }

    /// The agent of an extension or channel (`301`, `SIP/301`, `SIP/301-0000002a`), nil when none.
    func agent(phone: String) -> String? {
        guard !phoneIndex.isEmpty, !phone.isEmpty else { return nil }
        return phoneIndex[phone] ?? phoneIndex[Self.extensionPart(phone)]
    }

    /// `SIP/301-0000002a` → `301`; `Local/301@from-queue-00000a;1` → `301`, on UTF-8 bytes.
    static func extensionPart(_ channel: String) -> String {
        let u = channel.utf8
        var lo = u.startIndex, hi = u.endIndex
        if let slash = u.lastIndex(of: UInt8(ascii: "/")) { lo = u.index(after: slash) }
        if let at = u[lo..<hi].firstIndex(of: UInt8(ascii: "@")) { hi = at }
        if let dash = u[lo..<hi].lastIndex(of: UInt8(ascii: "-")), dash != lo { hi = dash }
        return String(Substring(u[lo..<hi]))
    }

    /// The agent behind a channel, extension or member name, else the extension itself.
    func agentId(_ raw: String) -> String {
        // Channels (`SIP/…`) are never display names: skip the name lookup for them.
        agent(phone: raw) ?? (raw.utf8.contains(UInt8(ascii: "/")) ? nil : agents.agent(name: raw)) ?? Self.extensionPart(raw)
    }

    func direction(of call: PhoneCall) -> Direction {
        if let d = call.direction { return d }
        let callerAgent = agent(phone: call.caller) != nil || call.callerChannel.map { agent(phone: $0) != nil } == true
        if callerAgent {
            return agent(phone: call.callee) != nil ? .internal : .outbound
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
            actorId = agent(phone: call.caller) ?? call.callerChannel.flatMap { agent(phone: $0) } ?? call.caller
            agentId = actorId   // the agent who placed the call
        case .internal:
            actorRole = .agent
            actorId = agent(phone: call.caller) ?? call.caller
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
        let u = clid.utf8
        var end = u.endIndex
        if let lt = u.lastIndex(of: UInt8(ascii: "<")) { end = lt }
        var lo = u.startIndex, hi = end
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
        while lo < hi, isSpace(u[lo]) { lo = u.index(after: lo) }
        while hi > lo, isSpace(u[u.index(before: hi)]) { hi = u.index(before: hi) }
        if u.distance(from: lo, to: hi) >= 2, u[lo] == 0x22, u[u.index(before: hi)] == 0x22 {
            lo = u.index(after: lo)
            hi = u.index(before: hi)
            while lo < hi, isSpace(u[lo]) { lo = u.index(after: lo) }
            while hi > lo, isSpace(u[u.index(before: hi)]) { hi = u.index(before: hi) }
        }
        guard lo < hi else { return nil }
        let name = String(Substring(u[lo..<hi]))
        return name == number ? nil : name
    }
}

/// The Asterisk CDR call semantics pinned in connectors/phone/README.md.
enum AsteriskCallAssembly {
    /// One call from all legs sharing a linkedid (or uniqueid).
    static func call(from legs: [CDRLeg], shortAbandon: Double) -> PhoneCall {
        // The first leg: earliest start, then earliest in the file (legs arrive in file order).
        var first = legs[0]
        var start = first.start, end = first.end
        for leg in legs.dropFirst() {
            if leg.start < first.start { first = leg }
            start = min(start, leg.start)
            end = max(end, leg.end)
        }
        let toAgents = legs.filter { !$0.dstchannel.isEmpty }
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
