import Foundation
import SwitchboardCore
import SwitchboardScan

/// A survey answer as the metrics need it (text as ``MetricsScan`` numbers).
public struct SurveyAnswer: Sendable, Hashable {
    public var at: Date
    /// ``MetricsScan/names`` number of the source.
    public var source: Int32
    public var channel: Channel
    /// ``MetricsScan/keys`` number of the conversationKey.
    public var key: Int32
    /// Linked customer (``MetricsScan/customers``), -1 when absent.
    public var customer: Int32
    /// ``MetricsScan/names`` number of the actor, -1 when absent.
    public var actor: Int32
    public var info: SurveyInfo
    /// Index of the conversation it belongs to in ``Dataset/conversations``.
    public var conversation: Int?
}

/// Why a conversation is or is not first-contact-resolved.
public enum FCRVerdict: Sendable, Hashable {
    case notResolved
    case agents(Int)
    case reopened(Int)
    case repeated(source: String, key: String, at: Date)
    case resolvedFirstContact

    public var isFCR: Bool { self == .resolvedFirstContact }

    /// One sentence for `explain`.
    public var explanation: String {
        switch self {
        case .notResolved: return "not FCR: not resolved"
        case .agents(let n): return "not FCR: \(n) distinct agents took part (exactly one is required)"
        case .reopened(let n): return "not FCR: reopened \(n) time(s)"
        case .repeated(let s, let k, let at):
            return "not FCR: the customer came back in \(s)/\(k) at \(Timestamp.formatISO8601(at)) within fcr.repeat_window"
        case .resolvedFirstContact: return "FCR: resolved, one agent, never reopened, no repeat contact within fcr.repeat_window"
        }
    }
}

/// Every conversation and survey of the store, rebuilt as of `now`, with FCR verdicts and survey links.
/// Text values are numbers into ``tables`` (one String per distinct value, made only for output).
public struct Dataset: Sendable {
    /// Names, keys and customers of the scan (its rows are released once conversations are built).
    public var tables: MetricsScan
    /// In conversation-number order (the order the store's scan first met them), unless ``indexByNumber`` is set.
    public var conversations: [Conversation] { didSet { recovery = nil } }
    /// Per conversation number, its index in ``conversations`` (-1: none) when they are not in number order (the
    /// live state adds conversations as they first build: docs/live.md); nil: in number order.
    public var indexByNumber: [Int32]?
    public var fcr: [FCRVerdict] { didSet { recovery = nil } }
    public var surveys: [SurveyAnswer]
    /// Every topic label, numbered (the `topic` breakdown's keys).
    public var topicNames: [String] = []
    /// Per ``MetricsScan/topicSets`` number, its topics' numbers in ``topicNames``.
    public var setTopics: [[Int32]] = []
    /// Agents logged in per local hour, for the staffing grid (nil: unknown).
    public var loggedInAgents: (any LoggedInAgents)?
    /// The store's agent activity (``AgentEvent``), every source, in (time, storage) order: agent time.
    public var agentEvents: [AgentEvent] = []
    /// The live state's walk kept between reports (nil: every report walks every conversation), and the stamp of
    /// each of its blocks of conversations (``WalkMemo``).
    public var walkMemo: WalkMemo?
    public var blockStamps: [UInt64] = []
    /// The lost calls' recovery verdicts as of a moment and with a window (``recoveryAsOf``), judged while the dataset
    /// was made (nil: judged by the report that needs them); dropped when the conversations or verdicts change.
    var recovery: RecoveryVerdicts?
    var recoveryAsOf: (now: Date, window: Double)?

    /// The same data without the kept walk: for a one-off walk (a comparison period moves with every request, so
    /// keeping it would only push a report's kept walk out).
    var unkept: Dataset {
        var d = self
        d.walkMemo = nil
        return d
    }

    /// Rebuilds conversations from a scan: rows grouped by conversation (counting sort), ordered by
    /// (occurredAt, storage order), built in two halves concurrently.
    public init(scan: consuming MetricsScan, settings: MetricsSettings, now: Date) {
        var scan = scan
        let canonical = Self.canonicalCustomers(&scan, links: settings.links)
        var builder = ConversationBuilder(idleAfter: settings.idleAfter, shortAbandon: settings.shortAbandon, now: now)
        builder.blankActor = scan.names.find("") ?? -1
        var grouped = ConversationRows(scan: &scan, now: Timestamp.milliseconds(now))
        Timing.mark("group")
        let conversations = grouped.build(builder: builder, canonical: canonical, sources: scan.conversationSource)
        grouped = ConversationRows()
        Timing.mark("build")
        let nowMs = Timestamp.milliseconds(now)
        var surveys: [SurveyAnswer] = []
        surveys.reserveCapacity(scan.surveys.count)
        for s in scan.surveys where s.at <= nowMs {
            surveys.append(SurveyAnswer(
                at: s.occurredAt, source: s.source, channel: s.channel, key: s.key,
                customer: s.customer >= 0 ? canonical[Int(s.customer)] : -1, actor: s.actor,
                info: SurveyInfo(metric: s.metric, score: s.score, scaleMin: s.scaleMin, scaleMax: s.scaleMax)))
        }
        scan.surveys = []
        self.init(tables: scan, conversations: conversations, surveys: surveys, settings: settings, recoveryAt: now)
    }

    /// Builds the dataset from conversations and surveys already at hand. `recoveryAt`: also judge the lost calls'
    /// recovery as of that moment (beside the survey links, while the FCR verdicts are made).
    public init(tables: MetricsScan, conversations: [Conversation], surveys: [SurveyAnswer], settings: MetricsSettings,
                recoveryAt: Date? = nil) {
        self.tables = tables
        self.conversations = conversations
        self.surveys = surveys
        self.fcr = []
        (topicNames, setTopics) = Self.topicTables(tables.topicSets)
        // Independent of each other: FCR verdicts (themselves in parts) beside the survey links and the lost calls' recovery.
        let outcomes = Parallel.map(2) { k -> Linked in
            if k == 0 { return .verdicts(verdicts(window: settings.repeatWindow)) }
            return .surveys(surveyConversations(window: settings.surveyWindow),
                            recoveryAt.map { RecoveryVerdicts(self, window: settings.recoveryWindow, now: $0) })
        }
        for outcome in outcomes {
            switch outcome {
            case .verdicts(let v): self.fcr = v
            case .surveys(let links, let recovery):
                for (s, c) in links.enumerated() where c != nil { self.surveys[s].conversation = c }
                self.recovery = recovery
                recoveryAsOf = recoveryAt.map { ($0, settings.recoveryWindow) }
            }
        }
        Timing.mark("verdicts and surveys")
    }

    /// What each of the two jobs of the initializer returns.
    private enum Linked {
        case verdicts([FCRVerdict])
        case surveys([Int?], RecoveryVerdicts?)
    }

    /// Per stored customer number, the number of the linked customer (`customers.links`), interned in the same table.
    static func canonicalCustomers(_ scan: inout MetricsScan, links: CustomerLinks) -> [Int32] {
        let n = scan.customers.count
        var map = [Int32](unsafeUninitializedCapacity: n) { b, c in
            for i in 0..<n { b[i] = Int32(i) }
            c = n
        }
        guard links.count > 0 else { return map }
        for i in 0..<n {
            let key = scan.customers.string(Int32(i))
            let linked = links.customer(key)
            if linked != key { map[i] = scan.customers.intern(linked) }
        }
        return map
    }

    /// Splits each stored topic list into labels (in normal form) and numbers the labels.
    static func topicTables(_ sets: ByteInterner) -> ([String], [[Int32]]) {
        var names: [String] = []
        var number: [String: Int32] = [:]
        var lists: [[Int32]] = []
        lists.reserveCapacity(sets.count)
        for s in 0..<sets.count {
            let labels = Topics.normalize(Topics.decode(sets.string(Int32(s))))
            lists.append(labels.map { label in
                if let n = number[label] { return n }
                let n = Int32(names.count)
                names.append(label)
                number[label] = n
                return n
            })
        }
        return (names, lists)
    }

    /// A conversation's topic numbers, distinct (the union of its topic sets). Every topic set holds at
    /// least one topic, so a conversation has a topic exactly when it has a topic set.
    public func topics(of c: Conversation) -> [Int32] {
        switch c.topicSets.count {
        case 0: return []
        case 1: return setTopics[Int(c.topicSets.first)]
        default: return Self.union(c.topicSets.list, setTopics)
        }
    }

    /// ``topics(of:)`` with the unions of several sets kept in `cache` (conversations share few
    /// combinations: a native label set beside a rule topic set), so the walk does not build one per conversation.
    func topics(of c: Conversation, cache: inout [Int64: [Int32]]) -> [Int32] {
        guard c.topicSets.count == 2 else { return topics(of: c) }
        let key = Int64(c.topicSets.first) << 32 | Int64(UInt32(bitPattern: c.topicSets.second))
        if let known = cache[key] { return known }
        let merged = Self.union(c.topicSets.list, setTopics)
        cache[key] = merged
        return merged
    }

    static func union(_ sets: [Int32], _ setTopics: [[Int32]]) -> [Int32] {
        var out: [Int32] = []
        for s in sets { for t in setTopics[Int(s)] where !out.contains(t) { out.append(t) } }
        return out
    }

    // MARK: text of numbers

    /// The source of a conversation.
    public func source(of c: Conversation) -> String { tables.names.string(c.source) }
    /// The conversationKey of a conversation.
    public func key(of c: Conversation) -> String { tables.keys.string(tables.conversationKey[Int(c.number)]) }
    /// A ``MetricsScan/names`` value (sources, platforms, agents, queues); nil for -1.
    public func name(_ id: Int32) -> String? { id >= 0 ? tables.names.string(id) : nil }
    /// A customer number as text; nil for -1.
    public func customerName(_ id: Int32) -> String? { id >= 0 ? tables.customers.string(id) : nil }
    /// The agents of a conversation as text ("" for agent interactions without an actorId).
    public func agentNames(_ c: Conversation) -> [String] { c.agents.map { name($0) ?? "" } }

    /// (source, key) order of conversations: the explicit tie-break wherever times are equal.
    var keyOrder: KeyOrder { KeyOrder(names: tables.names, keys: tables.keys, conversationKey: tables.conversationKey) }
}

/// (source, key) byte-wise order of conversations given by source and conversation number; made once
/// per job (a class: the tables are referenced, not copied).
final class KeyOrder: Sendable {
    let names: ByteInterner, keys: ByteInterner
    let conversationKey: [Int32]

    init(names: ByteInterner, keys: ByteInterner, conversationKey: [Int32]) {
        self.names = names
        self.keys = keys
        self.conversationKey = conversationKey
    }

    func less(_ sa: Int32, _ na: Int32, _ sb: Int32, _ nb: Int32) -> Bool {
        if sa != sb { return names.less(sa, sb) }
        let ka = conversationKey[Int(na)], kb = conversationKey[Int(nb)]
        return ka != kb && keys.less(ka, kb)
    }
}
