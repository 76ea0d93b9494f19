import Foundation
import SwitchboardCore
import SwitchboardScan

/// The conversation state `serve` keeps current (docs/live.md): a ``Dataset`` as of ``now`` that takes in new
/// rows (``apply(_:)``) and later moments (``advance(to:)``) by rebuilding, with the one ``ConversationBuilder``,
/// only the conversations they touch, then the FCR verdicts of those conversations' customers and the links of
/// the surveys that could point at them. Every row is kept (grouped by conversation, in (occurredAt, storage)
/// order), so a conversation is rebuilt from all it holds, as a fresh scan would.
///
/// ``data`` equals a fresh `Dataset(scan:settings:now:)` of the same rows at the same `now` in everything a report
/// reads; only the numbering of conversations (and so their order in the list) may differ, which no report or
/// list depends on.
public struct LiveDataset: Sendable {
    public let settings: MetricsSettings
    /// The dataset as of ``now``.
    public private(set) var data: Dataset
    public private(set) var now: Date
    private var nowMs: Int64
    private var builder: ConversationBuilder
    /// Per stored customer number, the linked customer's number.
    private var canonical: [Int32]
    /// The initial scan's rows grouped by conversation number, each group in (at, order) order.
    private var base: KeptRows
    /// All rows of the conversations that received rows since the initial scan, in (at, order) order.
    private var moved: [Int32: [MetricsRow]] = [:]
    /// Per conversation number, its index in ``Dataset/conversations`` (-1: it builds to nothing as of now).
    private var position: [Int32]
    /// Per conversation number, an instant (seconds since 1970) at or before the first moment after ``now`` at
    /// which its build can change: a row becoming known, an idle resolution, a call ending.
    private var wake: [Double]
    /// Customer conversations by key and by customer (indices in ``Dataset/conversations``).
    private var lists: SurveyCandidates
    /// Every survey read, known by now or not, in read order, each with its link.
    private var surveys: [SurveyAnswer] = []
    private var surveyAt: [Int64] = []
    /// ``surveys`` indices in storage order (a fresh scan's order; a PostgreSQL row may arrive after a later one),
    /// and whether that is read order.
    private var surveyRank: [Int32] = []
    private var surveyOrders: [Int64] = []
    private var surveysInReadOrder = true
    /// Surveys by key and by (linked) customer: linked lists over ``surveys`` indices.
    private var surveyKeyHead: [Int32] = [], surveyKeyNext: [Int32] = []
    private var surveyCustomerHead: [Int32] = [], surveyCustomerNext: [Int32] = []
    /// Surveys dated after ``now``.
    private var futureSurveys = 0
    /// The report walk kept between reports, and the stamp of each block of ``Dataset/conversations`` it is kept by:
    /// a block gets the current ``stamp`` when one of its conversations, their FCR verdicts or their customers' other
    /// conversations change (recovery looks at those).
    private let memo: WalkMemo
    private var stamps: [UInt64] = []
    private var stamp: UInt64

    /// Builds the state from a full scan, as `Dataset(scan:settings:now:)` does, keeping every row. `walkBlock`:
    /// conversations per block of the kept report walk (``WalkMemo``).
    public init(scan: consuming MetricsScan, settings: MetricsSettings, now: Date, walkBlock: Int = 8192) {
        var scan = scan
        memo = WalkMemo(blockSize: walkBlock)
        stamp = WalkMemo.newStamp()
        self.settings = settings
        self.now = now
        nowMs = Timestamp.milliseconds(now)
        canonical = Dataset.canonicalCustomers(&scan, links: settings.links)
        builder = ConversationBuilder(idleAfter: settings.idleAfter, shortAbandon: settings.shortAbandon, now: now)
        builder.blankActor = scan.names.find("") ?? -1
        var grouped = ConversationRows(scan: &scan, now: .max)
        let conversations = grouped.build(builder: builder, canonical: canonical, sources: scan.conversationSource, known: nowMs)
        base = KeptRows(grouped.rows, starts: grouped.starts)
        grouped = ConversationRows()
        let read = scan.surveys
        scan.surveys = []
        data = Dataset(tables: scan, conversations: conversations, surveys: [], settings: settings)
        let n = data.tables.conversationCount
        position = [Int32](repeating: -1, count: n)
        for (i, c) in data.conversations.enumerated() { position[Int(c.number)] = Int32(i) }
        stamps = [UInt64](repeating: stamp, count: (data.conversations.count + walkBlock - 1) / walkBlock)
        wake = [Double](repeating: .infinity, count: n)
        lists = SurveyCandidates(keyHead: [], keyNext: [], customerHead: [], customerNext: [])
        growTables()
        for i in data.conversations.indices { link(i, data.conversations[i]) }
        for c in 0..<n { wake[c] = nextWake(Int32(c)) }
        let order = data.keyOrder
        for s in read { addSurvey(s) }
        for s in surveys.indices { surveys[s].conversation = lists.link(surveys[s], conversations: data.conversations, order: order, window: settings.surveyWindow) }
        attach()
    }

    /// Number of conversations held (built or not yet) and of rows kept.
    public var conversationCount: Int { position.count }
    public var rowCount: Int { base.count + moved.values.reduce(0) { $0 + $1.count } - movedFromBase }
    private var movedFromBase = 0

    // MARK: new rows and later moments

    /// Takes in the rows of a tail read of the store (rows not read before), at ``now``. `scan` is emptied.
    public mutating func apply(_ scan: inout MetricsScan) {
        detach()
        defer { attach() }
        let topicSets = data.tables.topicSets.count
        data.tables.append(&scan)
        let chunks = data.tables.chunks
        data.tables.chunks = []
        let read = data.tables.surveys
        data.tables.surveys = []
        growTables()
        // An actor id "" first read now is the unknown agent from here on (its rows are all new).
        builder.blankActor = data.tables.names.find("") ?? -1
        if data.tables.topicSets.count != topicSets { (data.topicNames, data.setTopics) = Dataset.topicTables(data.tables.topicSets) }
        var dirty = Set<Int32>()
        for chunk in chunks {
            for r in chunk {
                insert(r)
                dirty.insert(r.conversation)
            }
        }
        let firstNew = surveys.count
        for s in read { addSurvey(s) }
        settle(dirty, surveys: Set(firstNew..<surveys.count))
    }

    /// Moves the state to a later `now`, rebuilding the conversations whose build can change in between.
    /// - Returns: false (nothing changed) when `now` is earlier than ``now``: the caller rebuilds from scratch.
    public mutating func advance(to later: Date) -> Bool {
        guard later >= now else { return false }
        guard later > now else { return true }
        detach()
        defer { attach() }
        now = later
        nowMs = Timestamp.milliseconds(later)
        builder.now = later
        let t = later.timeIntervalSince1970
        var dirty = Set<Int32>()
        wake.withUnsafeBufferPointer { w in for c in w.indices where w[c] <= t { dirty.insert(Int32(c)) } }
        if futureSurveys > 0 { futureSurveys = surveyAt.reduce(0) { $0 + ($1 > nowMs ? 1 : 0) } }
        settle(dirty, surveys: [])
        return true
    }

    // MARK: rebuilding

    /// Rebuilds `dirty` conversations as of ``now``, then the verdicts of their customers and the links of the
    /// surveys that could point at them (and of `newSurveys`).
    private mutating func settle(_ dirty: Set<Int32>, surveys newSurveys: Set<Int>) {
        stamp = WalkMemo.newStamp()
        var keys = Set<Int32>(), customers = Set<Int32>()
        func mark(_ c: Conversation) {
            keys.insert(data.tables.conversationKey[Int(c.number)])
            if c.customer >= 0 { customers.insert(c.customer) }
        }
        for c in dirty.sorted() {
            let built = build(c)
            wake[Int(c)] = nextWake(c)
            let p = Int(position[Int(c)])
            if p >= 0 {
                let old = data.conversations[p]
                // Rows are only added and now only moves forward: a conversation that built never builds to nothing.
                guard let conv = built, conv != old else { continue }
                if old.isCustomer != conv.isCustomer || old.customer != conv.customer {
                    unlink(p, old)
                    data.conversations[p] = conv
                    link(p, conv)
                } else {
                    data.conversations[p] = conv
                }
                mark(old)
                mark(conv)
                touch(p)
                let verdict = data.conversations.withUnsafeBufferPointer { data.verdict($0, p, next: -1, window: settings.repeatWindow) }
                data.fcr[p] = verdict
            } else if let conv = built {
                let p = data.conversations.count
                position[Int(c)] = Int32(p)
                data.conversations.append(conv)
                let verdict = data.conversations.withUnsafeBufferPointer { data.verdict($0, p, next: -1, window: settings.repeatWindow) }
                data.fcr.append(verdict)
                lists.keyNext.append(-1)
                lists.customerNext.append(-1)
                link(p, conv)
                mark(conv)
                touch(p)
            }
        }
        guard !keys.isEmpty || !customers.isEmpty || !newSurveys.isEmpty else { return }
        let order = data.keyOrder
        for k in customers { verdicts(customer: k, order: order) }
        var touched = newSurveys
        for k in keys where Int(k) < surveyKeyHead.count {
            var s = surveyKeyHead[Int(k)]
            while s >= 0 { touched.insert(Int(s)); s = surveyKeyNext[Int(s)] }
        }
        for k in customers where Int(k) < surveyCustomerHead.count {
            var s = surveyCustomerHead[Int(k)]
            while s >= 0 { touched.insert(Int(s)); s = surveyCustomerNext[Int(s)] }
        }
        for s in touched {
            surveys[s].conversation = lists.link(surveys[s], conversations: data.conversations, order: order, window: settings.surveyWindow)
        }
    }

    /// The FCR verdicts of one customer's counted conversations (as the full computation orders them).
    private mutating func verdicts(customer k: Int32, order: KeyOrder) {
        guard Int(k) < lists.customerHead.count else { return }
        var list: [Int32] = []
        var i = lists.customerHead[Int(k)]
        while i >= 0 {
            touch(Int(i))   // its FCR verdict or its lost call's recovery may change
            if data.conversations[Int(i)].counts { list.append(i) }
            i = lists.customerNext[Int(i)]
        }
        guard !list.isEmpty else { return }
        let convs = data.conversations
        var following: [(Int32, Int32)] = []
        list.withUnsafeMutableBufferPointer { slice in
            Dataset.following(slice, open: { convs[Int($0)].openedAt?.timeIntervalSince1970 ?? 0 }, source: { convs[Int($0)].source },
                              number: { convs[Int($0)].number }, order: order) { following.append(($0, $1)) }
        }
        convs.withUnsafeBufferPointer { convs in
            for (c, next) in following { data.fcr[Int(c)] = data.verdict(convs, Int(c), next: Int(next), window: settings.repeatWindow) }
        }
    }

    /// Conversation `c` built from its rows known by now (nil when it holds no message or call yet).
    private func build(_ c: Int32) -> Conversation? {
        let canonical = self.canonical
        return withRows(c) { rows in
            let shown = ConversationRows.knownCount(rows, by: nowMs)
            guard var conv = builder.build(UnsafeBufferPointer(rebasing: rows[..<shown]), canonical: { canonical[Int($0)] }) else { return nil }
            conv.source = data.tables.conversationSource[Int(c)]
            return conv
        }
    }

    /// The earliest instant after ``now`` at which the build of `c` can change (a little early: a rebuild that
    /// changes nothing costs only time), +∞ when none. The builder reads `now` in three places only: which rows
    /// are known, the idle resolution after an agent reply, and the end of an answered call.
    private func nextWake(_ c: Int32) -> Double {
        let idle = settings.idleAfter, now = self.now, nowMs = self.nowMs
        let early = 0.002
        return withRows(c) { rows in
            var w = Double.infinity
            for r in rows {
                if r.at > nowMs { w = min(w, Double(r.at) / 1000 - early) }
                if ConversationBuilder.isAgentReply(r) {
                    let t = r.occurredAt.addingTimeInterval(idle)
                    if !(t <= now) { w = min(w, t.timeIntervalSince1970 - early) }
                }
                if r.kind == .call && r.outcome != nil {
                    let end = r.occurredAt.addingTimeInterval(r.wait.isNaN ? 0 : r.wait).addingTimeInterval(r.talk.isNaN ? 0 : r.talk)
                    if !(end <= now) { w = min(w, end.timeIntervalSince1970 - early) }
                }
            }
            return w
        }
    }

    private func withRows<T>(_ c: Int32, _ body: (UnsafeBufferPointer<MetricsRow>) -> T) -> T {
        if let rows = moved[c] { return rows.withUnsafeBufferPointer(body) }
        return base.withRows(c, body)
    }

    /// Adds a new row to its conversation's rows, keeping (at, order) order.
    private mutating func insert(_ r: MetricsRow) {
        let c = r.conversation
        var rows: [MetricsRow]
        if let known = moved.removeValue(forKey: c) {
            rows = known
        } else {
            rows = withRows(c) { Array($0) }
            movedFromBase += rows.count
        }
        rows.append(r)
        var j = rows.count - 1
        while j > 0 && ConversationRows.before(rows[j], rows[j - 1]) {
            rows.swapAt(j, j - 1)
            j -= 1
        }
        moved[c] = rows
    }

    // MARK: tables and lists

    /// Sizes the per-number arrays for the tables' current counts; extends the customer links to new customers.
    private mutating func growTables() {
        let customers = data.tables.customers
        var table = customers
        var i = canonical.count
        // Linking a customer may intern its linked key, which needs an entry of its own.
        while i < table.count {
            let key = table.string(Int32(i))
            let linked = settings.links.customer(key)
            canonical.append(linked != key ? table.intern(linked) : Int32(i))
            i += 1
        }
        if table.count != customers.count { data.tables.customers = table }
        let n = data.tables.conversationCount
        if position.count < n {
            position += repeatElement(-1, count: n - position.count)
            wake += repeatElement(.infinity, count: n - wake.count)
        }
        let keys = data.tables.keys.count, people = data.tables.customers.count
        if lists.keyHead.count < keys { lists.keyHead += repeatElement(-1, count: keys - lists.keyHead.count) }
        if lists.customerHead.count < people { lists.customerHead += repeatElement(-1, count: people - lists.customerHead.count) }
        if lists.keyNext.count < data.conversations.count {
            lists.keyNext += repeatElement(-1, count: data.conversations.count - lists.keyNext.count)
            lists.customerNext += repeatElement(-1, count: data.conversations.count - lists.customerNext.count)
        }
        if surveyKeyHead.count < keys { surveyKeyHead += repeatElement(-1, count: keys - surveyKeyHead.count) }
        if surveyCustomerHead.count < people { surveyCustomerHead += repeatElement(-1, count: people - surveyCustomerHead.count) }
    }

    /// Puts conversation `p` on its key's and its customer's lists (customer conversations only).
    private mutating func link(_ p: Int, _ c: Conversation) {
        guard c.isCustomer else { return }
        let k = Int(data.tables.conversationKey[Int(c.number)])
        lists.keyNext[p] = lists.keyHead[k]
        lists.keyHead[k] = Int32(p)
        guard c.customer >= 0 else { return }
        lists.customerNext[p] = lists.customerHead[Int(c.customer)]
        lists.customerHead[Int(c.customer)] = Int32(p)
    }

    /// Takes conversation `p` off the lists ``link(_:_:)`` put it on.
    private mutating func unlink(_ p: Int, _ c: Conversation) {
        guard c.isCustomer else { return }
        Self.remove(Int32(p), head: &lists.keyHead[Int(data.tables.conversationKey[Int(c.number)])], next: &lists.keyNext)
        if c.customer >= 0 { Self.remove(Int32(p), head: &lists.customerHead[Int(c.customer)], next: &lists.customerNext) }
    }

    private static func remove(_ p: Int32, head: inout Int32, next: inout [Int32]) {
        if head == p {
            head = next[Int(p)]
        } else {
            var i = head
            while i >= 0 && next[Int(i)] != p { i = next[Int(i)] }
            if i >= 0 { next[Int(i)] = next[Int(p)] }
        }
        next[Int(p)] = -1
    }

    /// Adds a survey read from the store (its link is set by the caller).
    private mutating func addSurvey(_ s: MetricsSurveyRow) {
        let index = Int32(surveys.count)
        let customer = s.customer >= 0 ? canonical[Int(s.customer)] : -1
        surveys.append(SurveyAnswer(at: s.occurredAt, source: s.source, channel: s.channel, key: s.key, customer: customer, actor: s.actor,
                                    info: SurveyInfo(metric: s.metric, score: s.score, scaleMin: s.scaleMin, scaleMax: s.scaleMax)))
        surveyAt.append(s.at)
        surveyOrders.append(s.order)
        if let last = surveyRank.last, surveyOrders[Int(last)] > s.order {
            var lo = 0, hi = surveyRank.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if surveyOrders[Int(surveyRank[mid])] <= s.order { lo = mid + 1 } else { hi = mid }
            }
            surveyRank.insert(index, at: lo)
            surveysInReadOrder = false
        } else {
            surveyRank.append(index)
        }
        if s.at > nowMs { futureSurveys += 1 }
        surveyKeyNext.append(surveyKeyHead[Int(s.key)])
        surveyKeyHead[Int(s.key)] = index
        surveyCustomerNext.append(customer >= 0 ? surveyCustomerHead[Int(customer)] : -1)
        if customer >= 0 { surveyCustomerHead[Int(customer)] = index }
    }

    /// Drops the dataset's references to the arrays the state changes (its surveys, the index by number), so
    /// that changing them does not copy them; ``attach()`` gives them back.
    private mutating func detach() {
        data.surveys = []
        data.indexByNumber = nil
    }

    private mutating func attach() {
        refreshSurveys()
        data.indexByNumber = position
        data.walkMemo = memo
        data.blockStamps = stamps
    }

    /// Gives the walk block of conversation `p` the current stamp.
    private mutating func touch(_ p: Int) {
        let b = p / memo.blockSize
        if b >= stamps.count { stamps += repeatElement(0, count: b + 1 - stamps.count) }
        stamps[b] = stamp
    }

    /// The dataset's surveys: those known by now, in storage order.
    private mutating func refreshSurveys() {
        if futureSurveys == 0 && surveysInReadOrder {
            data.surveys = surveys
        } else {
            let nowMs = self.nowMs
            data.surveys = surveyRank.compactMap { surveyAt[Int($0)] <= nowMs ? surveys[Int($0)] : nil }
        }
    }
}
