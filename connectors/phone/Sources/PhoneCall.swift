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
    /// The number the caller dialled when it is not ``callee`` (queue_log `DID` lines), for `topics.dids`.
    var did: String? = nil
    /// Labels the source gave the call itself (phone-csv `topics` column), not yet normalised.
    var topics: [String] = []
    /// Where the call ended (context, last application, queue positions, key, hold time); the builder adds the duration.
    var details = CallDetails()
}

/// Makes the one `kind: call` ``Interaction`` of a ``PhoneCall`` (same rules for every PBX).
struct PhoneCallBuilder: Sendable {
    var source: String
    var platform: String
    var agents: AgentDirectory
    var defaultCountry: String?
    /// Dialplan contexts that receive customer calls; empty: every call not from an agent is inbound.
    var inboundContexts: Set<String>
    /// Agent phones and their extension parts → agent id (the directory's rules).
    private let phoneIndex: [String: String]
    /// The same index looked up on bytes.
    private let phoneBytes: AgentPhoneIndex
    /// `defaultCountry`, resolved once.
    private let normalizer: PhoneNumber.Normalizer
    /// What gives a call its topics (the kind's `topics:` setting).
    var topics: PhoneTopics

    init(source: String, platform: String, agents: AgentDirectory, defaultCountry: String?,
         inboundContexts: Set<String> = [], topics: PhoneTopics? = nil) {
        self.topics = topics ?? PhoneTopics(defaultCountry: defaultCountry)
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
        phoneBytes = AgentPhoneIndex(index)
        normalizer = PhoneNumber.Normalizer(defaultCountry: defaultCountry)
    }

    /// The agent of an extension or channel (`301`, `SIP/301`, `SIP/301-0000002a`), nil when none.
    func agent(phone: String) -> String? {
        guard !phoneIndex.isEmpty, !phone.isEmpty else { return nil }
        var p = phone
        return p.withUTF8 { b in
            // Byte equality is String equality for ASCII; anything else takes the String path.
            guard phoneBytes.isASCII, !b.contains(where: { $0 >= 0x80 }) else {
                return phoneIndex[phone] ?? phoneIndex[Self.extensionPart(phone)]
            }
            return phoneBytes[b] ?? phoneBytes[Self.extensionPart(bytes: b)]
        }
    }

    /// The customerKey of a caller or dialled number: E.164 or `tel-local:<digits>` (``PhoneNumber``
    /// with the default country), else `sip:<name>` for a SIP account whose caller id is its own name
    /// (`client1` on channel `SIP/client1-00000001` or `PJSIP/client1-…`). A channel alone gives no
    /// key: a trunk's name (`SIP/trunk-…` under an anonymous caller) is not a customer.
    func customerKey(_ number: String, channel: String? = nil) -> String? {
        var n = number
        if let key = n.withUTF8({ normalizer.customerKey($0) }) { return key }
        guard let channel, !number.isEmpty, channel.hasPrefix("SIP/") || channel.hasPrefix("PJSIP/"),
              Self.extensionPart(channel) == number else { return nil }
        return "sip:" + number
    }

    /// Whether `key` is `tel-local:` with fewer than 6 digits (an extension or short number).
    static func isShortLocal(_ key: String) -> Bool {
        key.hasPrefix(PhoneNumber.localPrefix) && key.utf8.count < PhoneNumber.localPrefix.utf8.count + 6
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

    /// ``extensionPart(_:)`` on bytes: the part of `b` that is the extension.
    static func extensionPart(bytes b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lo = 0, hi = b.count
        if let slash = b.lastIndex(of: UInt8(ascii: "/")) { lo = slash + 1 }
        if let at = b[lo..<hi].firstIndex(of: UInt8(ascii: "@")) { hi = at }
        if let dash = b[lo..<hi].lastIndex(of: UInt8(ascii: "-")), dash != lo { hi = dash }
        return UnsafeBufferPointer(rebasing: b[lo..<hi])
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
            customerKey = self.customerKey(call.caller, channel: call.callerChannel)
            actorId = customerKey ?? (call.caller.isEmpty ? nil : call.caller)
            actorName = call.callerName
        case .outbound:
            actorRole = .agent
            // A short dialled number (under 6 digits) is a queue, a service or a colleague, not a customer.
            customerKey = self.customerKey(call.callee).flatMap { Self.isShortLocal($0) ? nil : $0 }
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
            callDetails: details(of: call),
            provenance: call.provenance,
            topics: topics.labels(queue: call.queue, dialled: call.did ?? call.callee, context: call.context,
                                  outbound: direction == .outbound, extra: call.topics))
    }

    /// The call's ``CallDetails`` with its duration (end − start), empty values left out.
    func details(of call: PhoneCall) -> CallDetails? {
        var d = call.details
        d.durationSeconds = max(0, call.end - call.start)
        return d.normalized
    }

    /// ``callerName(fromClid:number:)`` on the clid's bytes (same trimming; only the name becomes a String).
    static func callerName(fromClid u: UnsafeBufferPointer<UInt8>, number: String) -> String? {
        var end = u.count
        if let lt = u.lastIndex(of: UInt8(ascii: "<")) { end = lt }
        var lo = 0, hi = end
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
        while lo < hi, isSpace(u[lo]) { lo += 1 }
        while hi > lo, isSpace(u[hi - 1]) { hi -= 1 }
        if hi - lo >= 2, u[lo] == 0x22, u[hi - 1] == 0x22 {
            lo += 1
            hi -= 1
            while lo < hi, isSpace(u[lo]) { lo += 1 }
            while hi > lo, isSpace(u[hi - 1]) { hi -= 1 }
        }
        guard lo < hi else { return nil }
        let name = String(decoding: UnsafeBufferPointer(rebasing: u[lo..<hi]), as: UTF8.self)
        return name == number ? nil : name
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
        var firstIndex = 0
        var start = legs[0].start, end = legs[0].end
        for i in legs.indices.dropFirst() {
            if legs[i].start < legs[firstIndex].start { firstIndex = i }
            start = min(start, legs[i].start)
            end = max(end, legs[i].end)
        }
        let first = legs[firstIndex]
        // Where the call ended: the leg that ended last (of equal ends, the later in the file).
        var lastIndex = 0
        for i in legs.indices.dropFirst() where legs[i].end >= legs[lastIndex].end { lastIndex = i }
        let last = legs[lastIndex]
        let caller = first.src
        var call = PhoneCall(key: first.key, start: start, end: end, caller: caller,
                             callerName: first.withBytes(.clid) { PhoneCallBuilder.callerName(fromClid: $0, number: caller) },
                             callee: first.dst, callerChannel: first.channel, context: first.dcontext,
                             outcome: .abandoned, provenance: first.provenance)
        call.details = CallDetails(context: last.dcontext, lastApp: last.lastapp, lastData: last.lastdata)
        // Legs to an agent (non-empty dstchannel): the earliest answer, and whether all were busy / failed.
        var toAgents = false, allBusy = true, allFailed = true
        var answered: Int?
        var answeredAt = 0.0
        for i in legs.indices where !legs[i].isEmpty(.dstchannel) {
            let leg = legs[i]
            toAgents = true
            if leg.disposition == .answered && leg.billsec > 0 {
                let at = leg.answer ?? leg.end - Double(leg.billsec)
                if answered == nil || at < answeredAt { answered = i; answeredAt = at }
            }
            if leg.disposition != .busy { allBusy = false }
            if leg.disposition != .failed && leg.disposition != .congestion { allFailed = false }
        }
        if !toAgents {
            call.outcome = .ivr
            return call
        }
        if let i = answered {
            call.outcome = .answered
            call.wait = max(0, answeredAt - start)
            call.talk = Double(legs[i].billsec)
            call.agent = legs[i].dstchannel
            return call
        }
        if allBusy {
            call.outcome = .busy
        } else if allFailed {
            call.outcome = .failed
        } else {
            call.outcome = end - start < shortAbandon ? .shortAbandon : .abandoned
            call.wait = end - start
        }
        return call
    }
}

/// Agent phones → agent id, looked up on bytes (a hash of the bytes, then a byte comparison).
struct AgentPhoneIndex: Sendable {
    private var table: [UInt64: [(key: [UInt8], id: String)]] = [:]
    /// Whether every key is ASCII (then byte equality is String equality).
    private(set) var isASCII = true

    init(_ index: [String: String]) {
        for (k, id) in index {
            let bytes = Array(k.utf8)
            if bytes.contains(where: { $0 >= 0x80 }) { isASCII = false }
            let h = bytes.withUnsafeBufferPointer(Self.hash)
            table[h, default: []].append((bytes, id))
        }
    }

    var isEmpty: Bool { table.isEmpty }

    subscript(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        guard !table.isEmpty, let entries = table[Self.hash(b)] else { return nil }
        for e in entries where e.key.elementsEqual(b) { return e.id }
        return nil
    }

    /// FNV-1a, 64 bits.
    static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in b { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
        return h
    }
}
