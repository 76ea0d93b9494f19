import Foundation
import SwitchboardCore
import SwitchboardScan

/// One listed conversation: its key, who and when, every clock as `explain` computes it, and its FCR verdict.
public struct ConversationRow: Sendable {
    public var source: String
    public var key: String
    public var channel: Channel
    public var platform: String
    /// The customer identity after `customers.links`; hashed when `privacy.hash_identities` is on.
    public var customer: String?
    public var openedAt: Date
    public var firstResponseAt: Date?
    /// Last resolution, when resolved as of now.
    public var resolvedAt: Date?
    /// FRT in calendar and business seconds (nil without a first response).
    public var frt: Double?
    public var frtBusiness: Double?
    /// Resolution time (last resolution − open) in calendar and business seconds (nil while unresolved).
    public var resolution: Double?
    public var resolutionBusiness: Double?
    /// The owner: the agent of the first response, else the last agent (nil: none).
    public var agent: String?
    /// Every agent that took part, in order ("" for agent interactions without an id).
    public var agents: [String]
    public var topics: [String]
    public var reopens: Int
    public var fcr: FCRVerdict
    /// Why it is not first-contact resolved, in a few words (nil when FCR or not resolved).
    public var fcrWhy: String?
    /// Calls: the outcome and the queue.
    public var callOutcome: CallOutcome?
    public var queue: String?
    /// Survey answers attached to the conversation: metric, score, scale maximum.
    public var surveys: [(metric: SurveyMetric, score: Double, scaleMax: Double)]

    /// `yes` (first-contact resolved), `no` (resolved, not FCR) or empty (not resolved: not FCR-eligible).
    public var fcrText: String {
        if fcr.isFCR { return "yes" }
        return resolvedAt == nil ? "" : "no"
    }
}

/// A conversation list: the rows (sorted, limited), how many matched, and the period they were selected in.
public struct ConversationList: Sendable {
    public var rows: [ConversationRow]
    /// Conversations that matched before `limit`.
    public var total: Int
    public var from: Date
    public var to: Date
    public var now: Date
}

extension MetricsEngine {
    /// The conversations behind a report's numbers: the counted conversations of `request`'s period (by
    /// open time) and filters — the report's own selection, through the same ``GroupWalk`` — that meet
    /// every condition, sorted and limited.
    public func conversations(_ data: Dataset, request: ReportRequest, conditions: ConversationConditions,
                              sort: ConversationSort = ConversationSort(), limit: Int? = nil) -> ConversationList {
        let (from, to) = period(data, request: request)
        let walk = GroupWalk(data: data, request: request, settings: settings, from: from, to: to)
        let calendar = BusinessCalendar(hours: settings.businessHours)
        var surveysOf: [Int: [SurveyAnswer]] = [:]
        for s in data.surveys { if let c = s.conversation { surveysOf[c, default: []].append(s) } }
        var unions: [Int64: [Int32]] = [:]
        var picked: [Int] = []
        for i in data.conversations.indices {
            let c = data.conversations[i]
            guard c.counts, let open = c.openedAt, open >= from, open < to else { continue }
            if !walk.filter.isEmpty && !walk.filter.passes(walk.subject(c, agent: c.owner, day: nil, cache: &unions)) { continue }
            if conditions.neverReached && !(walk.recovery[i]?.isNeverReached ?? false) { continue }
            if matches(c, verdict: data.fcr[i], surveys: surveysOf[i] ?? [], conditions) { picked.append(i) }
        }
        if conditions.neverReached { picked = Self.lastPerCustomer(picked, data) }
        var rows = picked.map { row(data, $0, calendar: calendar, surveys: surveysOf[$0] ?? []) }
        rows.sort { a, b in
            func tie() -> Bool { a.source != b.source ? Array(a.source.utf8).lexicographicallyPrecedes(b.source.utf8)
                : Array(a.key.utf8).lexicographicallyPrecedes(b.key.utf8) }
            let order: (Bool, Bool)?
            switch sort.field {
            case .opened: order = a.openedAt == b.openedAt ? nil : (a.openedAt < b.openedAt, true)
            case .frt: order = Self.compare(a.frt, b.frt)
            case .resolution: order = Self.compare(a.resolution, b.resolution)
            case .source: order = a.source == b.source ? nil : (Array(a.source.utf8).lexicographicallyPrecedes(b.source.utf8), true)
            case .customer: order = Self.compare(a.customer, b.customer)
            case .agent: order = Self.compare(a.agent, b.agent)
            }
            guard let (less, bothPresent) = order else { return tie() }
            // Missing values (no response, unresolved, no agent) go last in either direction.
            return bothPresent && sort.descending ? !less : less
        }
        let total = rows.count
        if let limit, limit < rows.count { rows.removeLast(rows.count - max(0, limit)) }
        return ConversationList(rows: rows, total: total, from: from, to: to, now: request.now)
    }

    /// (a before b ascending, both present); nil when equal. A missing value sorts after a present one.
    static func compare<T: Comparable>(_ a: T?, _ b: T?) -> (Bool, Bool)? {
        switch (a, b) {
        case (nil, nil): return nil
        case (nil, _): return (false, false)
        case (_, nil): return (true, false)
        case let (x?, y?): return x == y ? nil : (x < y, true)
        }
    }

    /// Whether a counted conversation meets every condition.
    func matches(_ c: Conversation, verdict: FCRVerdict, surveys: [SurveyAnswer], _ k: ConversationConditions) -> Bool {
        guard let open = c.openedAt else { return false }
        let frt = c.firstResponseAt.map { $0.timeIntervalSince(open) }
        let resolution = c.resolvedAt.map { $0.timeIntervalSince(open) }
        if k.unresolved && c.resolvedAt != nil { return false }
        if let limit = k.frtOver, !(frt.map { $0 > limit } ?? false) { return false }
        if k.frtMissed {
            guard let target = settings.targets.frt[c.channel], let v = frt, v > target else { return false }
        }
        if let limit = k.resolutionOver, !(resolution.map { $0 > limit } ?? false) { return false }
        if k.notFCR && (c.resolvedAt == nil || verdict.isFCR) { return false }
        if k.abandoned && c.call?.outcome != .abandoned { return false }
        if k.reopened && c.reopenCount == 0 { return false }
        if let t = k.inBacklogAt {
            var open = false
            c.forEachBacklogInterval { start, end in if start <= t && (end.map { $0 > t } ?? true) { open = true } }
            if !open { return false }
        }
        if let n = k.surveyBelow, !surveys.contains(where: { $0.info.score < n }) { return false }
        return true
    }

    func row(_ data: Dataset, _ i: Int, calendar: BusinessCalendar, surveys: [SurveyAnswer]) -> ConversationRow {
        let c = data.conversations[i]
        let open = c.openedAt!
        var customer = data.customerName(c.customer)
        if settings.hashIdentities { customer = customer.map(PrivacySettings.hashIdentity) }
        return ConversationRow(
            source: data.source(of: c), key: data.key(of: c), channel: c.channel, platform: data.name(c.platform) ?? "",
            customer: customer, openedAt: open, firstResponseAt: c.firstResponseAt, resolvedAt: c.resolvedAt,
            frt: c.firstResponseAt.map { $0.timeIntervalSince(open) },
            frtBusiness: c.firstResponseAt.map { calendar.seconds(from: open, to: $0) },
            resolution: c.resolvedAt.map { $0.timeIntervalSince(open) },
            resolutionBusiness: c.resolvedAt.map { calendar.seconds(from: open, to: $0) },
            agent: data.name(c.owner), agents: data.agentNames(c), topics: data.topics(of: c).map { data.topicNames[Int($0)] }.sorted(),
            reopens: c.reopenCount, fcr: data.fcr[i], fcrWhy: Self.why(data.fcr[i], data),
            callOutcome: c.call?.outcome, queue: c.call.flatMap { data.name($0.queue) },
            surveys: surveys.map { ($0.info.metric, $0.info.score, $0.info.scaleMax) })
    }

    /// Why a resolved conversation is not FCR: `second agent (2 agents took part)`, `no agent took part`,
    /// `reopened 1 time(s)`, `repeat on chat: tg/k5 at …`.
    static func why(_ verdict: FCRVerdict, _ data: Dataset) -> String? {
        switch verdict {
        case .agents(let n): return n == 0 ? "no agent took part" : "second agent (\(n) agents took part)"
        case .reopened(let n): return "reopened \(n) time(s)"
        case .repeated(let source, let key, let at):
            let channel = data.tables.findConversation(source: source, key: key).flatMap { data.conversation(number: $0) }?
                .channel.rawValue ?? "?"
            return "repeat on \(channel): \(source)/\(key) at \(Timestamp.formatISO8601(at))"
        case .notResolved, .resolvedFirstContact: return nil
        }
    }
}

extension Dataset {
    /// The conversation with this ``MetricsScan`` conversation number (conversations are kept in number order,
    /// or indexed by ``indexByNumber``).
    func conversation(number: Int32) -> Conversation? {
        if let index = indexByNumber {
            let i = Int(number) < index.count ? Int(index[Int(number)]) : -1
            return i >= 0 ? conversations[i] : nil
        }
        var lo = 0, hi = conversations.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if conversations[mid].number < number { lo = mid + 1 } else { hi = mid }
        }
        return lo < conversations.count && conversations[lo].number == number ? conversations[lo] : nil
    }
}
