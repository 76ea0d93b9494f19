import Foundation
import SwitchboardCore

/// One stored message, call or status event reduced to the numbers the metrics read: text columns
/// are numbers into the tables of its ``MetricsScan`` (-1 for NULL), enums are one byte each.
public struct MetricsRow: Sendable {
    /// Storage order: of two rows of one conversation with the same time, the one stored first is smaller.
    public var order: Int64
    /// occurredAt in milliseconds since 1970.
    public var at: Int64
    /// Call wait and talk seconds; NaN when absent.
    public var wait: Double
    public var talk: Double
    /// Conversation number (``MetricsScan/conversationSource`` / ``MetricsScan/conversationKey``).
    public var conversation: Int32
    /// ``MetricsScan/customers`` number of the customerKey as stored (before links), -1 when absent.
    public var customer: Int32
    /// ``MetricsScan/names`` numbers (-1 when absent).
    public var actor: Int32
    public var callAgent: Int32
    public var queue: Int32
    public var platform: Int32
    public var kind: InteractionKind
    public var direction: Direction
    public var role: ActorRole
    public var channel: Channel
    public var outcome: CallOutcome?
    public var status: ConversationState?
    /// ``MetricsScan/topicSets`` numbers of the native topics and of the rule topics (-1: none).
    public var topics: Int32
    public var ruleTopics: Int32
    /// Where a call ended (``CallDetails``): ``MetricsScan/names`` numbers of its context and last
    /// application (-1 when absent), its exit queue position (0: none) and its duration in seconds (NaN: absent;
    /// single precision keeps rows small: a millisecond up to hours).
    public var context: Int32 = -1
    public var app: Int32 = -1
    public var duration: Float = .nan
    public var exitPosition: Int16 = 0

    public init(order: Int64, at: Int64, wait: Double, talk: Double, conversation: Int32, customer: Int32, actor: Int32,
                callAgent: Int32, queue: Int32, platform: Int32, kind: InteractionKind, direction: Direction, role: ActorRole,
                channel: Channel, outcome: CallOutcome?, status: ConversationState?, topics: Int32 = -1, ruleTopics: Int32 = -1) {
        self.order = order
        self.at = at
        self.wait = wait
        self.talk = talk
        self.conversation = conversation
        self.customer = customer
        self.actor = actor
        self.callAgent = callAgent
        self.queue = queue
        self.platform = platform
        self.kind = kind
        self.direction = direction
        self.role = role
        self.channel = channel
        self.outcome = outcome
        self.status = status
        self.topics = topics
        self.ruleTopics = ruleTopics
    }

    public var occurredAt: Date { Date(timeIntervalSince1970: Double(at) / 1000) }
}

/// One survey answer reduced to numbers.
public struct MetricsSurveyRow: Sendable {
    public var at: Int64
    /// Storage order (the store's seq; the generic scan's position), as ``MetricsRow/order``.
    public var order: Int64 = 0
    public var score: Double
    public var scaleMin: Double
    public var scaleMax: Double
    /// ``MetricsScan/names`` number of the source.
    public var source: Int32
    /// ``MetricsScan/keys`` number of the conversationKey.
    public var key: Int32
    public var customer: Int32
    public var actor: Int32
    public var channel: Channel
    public var metric: SurveyMetric

    public init(at: Int64, score: Double, scaleMin: Double, scaleMax: Double, source: Int32, key: Int32, customer: Int32,
                actor: Int32, channel: Channel, metric: SurveyMetric) {
        self.at = at
        self.score = score
        self.scaleMin = scaleMin
        self.scaleMax = scaleMax
        self.source = source
        self.key = key
        self.customer = customer
        self.actor = actor
        self.channel = channel
        self.metric = metric
    }

    public var occurredAt: Date { Date(timeIntervalSince1970: Double(at) / 1000) }
}

/// What ``InteractionStore/scanMetrics()`` returns: every interaction as numbers plus the tables
/// that turn the numbers back into text. Conversations are numbered in the order first seen.
public struct MetricsScan: Sendable {
    /// Sources, platforms, actor ids, call agents and queues (short, few distinct values).
    public var names = ByteInterner()
    /// Conversation keys (shared by all sources).
    public var keys = ByteInterner()
    /// customerKeys as stored.
    public var customers = ByteInterner()
    /// Topic lists in their stored form (``Topics/encode(_:)``), native and rule topics alike.
    public var topicSets = ByteInterner()
    /// Rows whose rule topics were given by a rule set, by its fingerprint (``names`` number).
    public var ruleSets: [Int32: Int] = [:]
    /// Per conversation number: its source (``names``) and key (``keys``).
    public var conversationSource: [Int32] = []
    public var conversationKey: [Int32] = []
    /// Messages, calls and status events, in chunks (each in the order read).
    public var chunks: [[MetricsRow]] = []
    public var surveys: [MetricsSurveyRow] = []
    /// Rows read per source (``names`` number), every stored row counted, surveys without an answer too.
    public var storedBySource: [Int] = []

    /// Per key number: the first source seen with it (high 32 bits) and its conversation (low 32 bits),
    /// -1 for none; conversations of other sources with the same key in `more`.
    private var byKey: [Int64] = []
    private var more: [Int64: Int32] = [:]

    public init() {}

    /// Counts `rows` stored rows of a source.
    @inline(__always) public mutating func countStored(source: Int32, rows: Int = 1) {
        let s = Int(source)
        if s >= storedBySource.count { storedBySource.append(contentsOf: repeatElement(0, count: s + 1 - storedBySource.count)) }
        storedBySource[s] += rows
    }

    /// Rows read per source name.
    public var storedCounts: [String: Int] {
        var out: [String: Int] = [:]
        for (s, n) in storedBySource.enumerated() where n > 0 { out[names.string(Int32(s)), default: 0] += n }
        return out
    }

    /// Number of conversations.
    public var conversationCount: Int { conversationSource.count }

    /// Number of message, call and status rows.
    public var rowCount: Int { chunks.reduce(0) { $0 + $1.count } }

    /// The conversation number of (source, key), adding it when new.
    public mutating func conversation(source: Int32, key: Int32) -> Int32 {
        let k = Int(key)
        if k >= byKey.count { byKey.append(contentsOf: repeatElement(-1, count: max(k + 1 - byKey.count, byKey.count / 2))) }
        let first = byKey[k]
        if first < 0 {
            let c = Int32(conversationSource.count)
            conversationSource.append(source)
            conversationKey.append(key)
            byKey[k] = Int64(source) << 32 | Int64(c)
            return c
        }
        if Int32(truncatingIfNeeded: first >> 32) == source { return Int32(truncatingIfNeeded: first) }
        let packed = Int64(source) << 32 | Int64(key)
        if let c = more[packed] { return c }
        let c = Int32(conversationSource.count)
        conversationSource.append(source)
        conversationKey.append(key)
        more[packed] = c
        return c
    }

    /// The conversation number of (source, key) when known.
    public func findConversation(source: String, key: String) -> Int32? {
        guard let s = names.find(source), let k = keys.find(key), Int(k) < byKey.count else { return nil }
        let first = byKey[Int(k)]
        if first >= 0 && Int32(truncatingIfNeeded: first >> 32) == s { return Int32(truncatingIfNeeded: first) }
        return more[Int64(s) << 32 | Int64(k)]
    }

    /// Source and key of a conversation as text.
    public func describe(_ conversation: Int32) -> (source: String, key: String) {
        (names.string(conversationSource[Int(conversation)]), keys.string(conversationKey[Int(conversation)]))
    }

    /// Adds an interaction (the generic path: stores without a cheaper scan, tests, `explain`).
    public mutating func add(_ i: Interaction, order: Int64) {
        let at = Timestamp.milliseconds(i.occurredAt)
        let source = names.intern(i.source)
        countStored(source: source)
        let key = keys.intern(i.conversationKey)
        let customer = i.customerKey.map { customers.intern($0) } ?? -1
        let actor = i.actorId.map { names.intern($0) } ?? -1
        if let fingerprint = i.topicRules { ruleSets[names.intern(fingerprint), default: 0] += 1 }
        if i.kind == .survey {
            guard let s = i.survey else { return }
            surveys.append(MetricsSurveyRow(at: at, score: s.score, scaleMin: s.scaleMin, scaleMax: s.scaleMax, source: source, key: key,
                                            customer: customer, actor: actor, channel: i.channel, metric: s.metric))
            surveys[surveys.count - 1].order = order
            return
        }
        var row = MetricsRow(
            order: order, at: at, wait: i.call?.waitSeconds ?? .nan, talk: i.call?.talkSeconds ?? .nan,
            conversation: conversation(source: source, key: key), customer: customer, actor: actor,
            callAgent: i.call?.agentId.map { names.intern($0) } ?? -1, queue: i.call?.queue.map { names.intern($0) } ?? -1,
            platform: names.intern(i.platform), kind: i.kind, direction: i.direction, role: i.actorRole, channel: i.channel,
            outcome: i.call?.outcome, status: i.kind == .status ? i.status?.to : nil,
            topics: Topics.encode(i.topics).map { topicSets.intern($0) } ?? -1,
            ruleTopics: Topics.encode(i.ruleTopics).map { topicSets.intern($0) } ?? -1)
        if i.call != nil, let d = i.callDetails {
            row.context = d.context.map { names.intern($0) } ?? -1
            row.app = d.lastApp.map { names.intern($0) } ?? -1
            row.exitPosition = Self.position(d.exitPosition)
            row.duration = d.durationSeconds.map { Float($0) } ?? .nan
        }
        if chunks.isEmpty { chunks.append([]) }
        chunks[chunks.count - 1].append(row)
    }

    /// A queue position as a row holds it: 0 for none, capped at `Int16.max`.
    @inline(__always) public static func position(_ p: Int?) -> Int16 {
        guard let p, p > 0 else { return 0 }
        return Int16(clamping: p)
    }

    /// Appends the rows of another scan (of other rows of the same store), renumbering its values
    /// into this scan's tables. Row order: this scan's chunks, then the other's. `other` is emptied.
    /// Keys and customers are merged at the same time, and the rows renumbered in two halves at once.
    public mutating func append(_ other: inout MetricsScan) {
        let nameMap = (0..<other.names.count).map { id in other.names.withBytes(Int32(id)) { names.intern($0) } }
        let topicMap = topicSets.merge(other.topicSets)
        var keyMap: [Int32] = [], customerMap: [Int32] = []
        var keys = ByteInterner(), customers = ByteInterner()
        swap(&keys, &self.keys)
        swap(&customers, &self.customers)
        let theirs = (other.keys, other.customers)
        _ = Parallel.map(2) { k in
            if k == 0 { keyMap = keys.merge(theirs.0) } else { customerMap = customers.merge(theirs.1) }
        }
        swap(&keys, &self.keys)
        swap(&customers, &self.customers)
        var convMap = [Int32](repeating: 0, count: other.conversationCount)
        for c in 0..<other.conversationCount {
            convMap[c] = conversation(source: nameMap[Int(other.conversationSource[c])], key: keyMap[Int(other.conversationKey[c])])
        }
        @inline(__always) func name(_ v: Int32) -> Int32 { v < 0 ? v : nameMap[Int(v)] }
        var moved = other.chunks
        other.chunks = []
        for k in moved.indices {
            moved[k].withUnsafeMutableBufferPointer { all in
                func renumber(_ rows: Range<Int>) {
                    for r in rows {
                        all[r].conversation = convMap[Int(all[r].conversation)]
                        if all[r].customer >= 0 { all[r].customer = customerMap[Int(all[r].customer)] }
                        all[r].actor = name(all[r].actor)
                        all[r].callAgent = name(all[r].callAgent)
                        all[r].queue = name(all[r].queue)
                        all[r].platform = name(all[r].platform)
                        all[r].context = name(all[r].context)
                        all[r].app = name(all[r].app)
                        if all[r].topics >= 0 { all[r].topics = topicMap[Int(all[r].topics)] }
                        if all[r].ruleTopics >= 0 { all[r].ruleTopics = topicMap[Int(all[r].ruleTopics)] }
                    }
                }
                let halves = Parallel.ranges(all.count, parts: 2)
                _ = Parallel.map(2) { renumber(halves[$0]) }
            }
        }
        chunks += moved
        for (s, n) in other.storedBySource.enumerated() where n > 0 { countStored(source: nameMap[s], rows: n) }
        for (f, n) in other.ruleSets { ruleSets[nameMap[Int(f)], default: 0] += n }
        for var s in other.surveys {
            s.source = nameMap[Int(s.source)]
            s.key = keyMap[Int(s.key)]
            if s.customer >= 0 { s.customer = customerMap[Int(s.customer)] }
            s.actor = name(s.actor)
            surveys.append(s)
        }
        other = MetricsScan()
    }
}

/// A store the metrics can read: every store that holds interactions for reports implements both
/// requirements itself (no default: a store, or a wrapper around one, that has no fast scan says so
/// by calling ``InteractionStore/scanMetricsGeneric()`` explicitly).
public protocol MetricsStore: InteractionStore {
    /// Every interaction reduced to what the metrics read (``MetricsScan``), in any order.
    func scanMetrics() async throws -> MetricsScan
    /// ``InteractionStore/sourceStats()`` without counting stored interactions (a full read of the table;
    /// the report counts them in its own scan): `stored` is 0 and a source with nothing but stored rows may be missing.
    func sourceStats(countingStored: Bool) async throws -> [String: SourceStats]
}

/// Counts rows for ``InteractionStore/scanMetricsGeneric()`` (the scan body runs synchronously).
private final class ScanBox: @unchecked Sendable {
    var scan = MetricsScan()
    var next: Int64 = 0
}

extension InteractionStore {
    /// The metrics scan on ``scan(_:)``: the conversation-order scan without content; `order` is the row's
    /// position in that scan (storage order among equal times of one conversation). Correct for every
    /// store; the SQLite store has a cheaper table-order scan of its own.
    public func scanMetricsGeneric() async throws -> MetricsScan {
        let box = ScanBox()
        try await scan(InteractionQuery(order: .conversation, content: false)) { i in
            box.scan.add(i, order: box.next)
            box.next += 1
        }
        return box.scan
    }

    /// ``sourceStats()`` with `stored` set to 0 (for stores that cannot skip the counting).
    public func sourceStatsGeneric(countingStored: Bool) async throws -> [String: SourceStats] {
        var stats = try await sourceStats()
        if !countingStored { for k in stats.keys { stats[k]?.stored = 0 } }
        return stats
    }
}
