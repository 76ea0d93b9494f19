import CPrefetch
import SwitchboardCore
import SwitchboardScan

/// The columns every store's metrics scan reads, by position: `seq` (the insertion order), then these. Both
/// stores select exactly this list, so ``MetricsRowReader`` reads them by the positions below.
enum MetricsScanColumns {
    static let columns: [InteractionColumn] = [
        .source, .channel, .platform, .conversationKey, .kind, .direction, .actorRole, .actorId, .customerKey, .occurredAt,
        .callQueue, .callAgentId, .callWait, .callTalk, .callOutcome, .surveyMetric, .surveyScore, .surveyScaleMin,
        .surveyScaleMax, .statusTo, .topics, .ruleTopics, .topicRules,
        .callContext, .callLastApp, .callExitPosition, .callDuration,
    ]
    /// The SQL names in statement order.
    static let names = ["seq"] + columns.map(\.name)
}

/// How a metrics scan splits the stored rows: `parts` ranges of `seq` read concurrently, then appended in
/// `seq` order (``join(_:)``). Any number of parts gives the same scan.
struct MetricsScanPlan {
    let ranges: [ClosedRange<Int64>]
    /// The number of seqs in all ranges; 0 when the span does not fit comfortably.
    let span: Int64

    /// `parts` nil: two, or one below `splitRows` rows. Seqs count up from 1; a span that does not fit comfortably
    /// (explicit huge or negative seqs written by another program) is read as one range.
    init(lo: Int64, hi: Int64, parts: Int?, splitRows: Int64) {
        let (gap, overflow) = hi.subtractingReportingOverflow(lo)
        let sane = !overflow && gap < 1 << 53
        let n = sane ? Int64(max(1, parts ?? (gap < splitRows ? 1 : 2))) : 1
        span = sane ? gap + 1 : 0
        let span = self.span
        ranges = n == 1 ? [lo...hi] : (0..<n).map { k in (lo + span * k / n, lo + span * (k + 1) / n - 1) }
            .filter { $0.0 <= $0.1 }.map { $0.0...$0.1 }
    }

    /// The table size to reserve for a part: the first part's tables take in every later part's values when the
    /// parts are appended; sized for the whole table up front, they are normally not rebuilt then.
    func tableRows(part: Int) -> Int? { part == 0 && span > 0 ? Int(min(span, 8_000_000)) : nil }

    /// The parts appended in order, each moved out of the list first so appending renumbers rows in place without copies.
    static func join(_ scans: inout [MetricsScan?]) -> MetricsScan {
        guard !scans.isEmpty else { return MetricsScan() }
        var scan = scans[0] ?? MetricsScan()
        scans[0] = nil
        for k in scans.indices.dropFirst() {
            guard var part = scans[k] else { continue }
            scans[k] = nil
            scan.append(&part)
        }
        return scan
    }
}

/// One range of a metrics scan being read: the reader and the scan it fills.
struct MetricsPart<Cells: MetricsCells> {
    var reader: MetricsRowReader<Cells>
    var scan = MetricsScan()
    var rows: [MetricsRow] = []

    /// A part for the rows with `lo <= seq <= hi`, its tables sized for `tableRows` rows (nil: the range's own).
    init(_ cells: Cells, from lo: Int64, to hi: Int64, tableRows: Int?) {
        reader = MetricsRowReader(cells)
        // Sized from the seq range, capped: seqs may have gaps; beyond the cap the arrays grow as needed.
        let (gap, overflow) = hi.subtractingReportingOverflow(lo)
        let expected = overflow ? 1 << 16 : Int(min(max(gap, 0), 4_000_000)) + 1
        rows.reserveCapacity(expected)
        // Typical stores hold a few interactions per conversation and per customer.
        scan.keys.reserve((tableRows ?? expected) / 4)
        scan.customers.reserve((tableRows ?? expected) / 6)
    }

    /// Reads the cells' current row.
    @inline(__always) mutating func read() throws { try reader.read(into: &scan, rows: &rows) }

    /// The scan of every row read.
    mutating func finish() -> MetricsScan {
        reader.complete(into: &scan, rows: &rows)
        reader.countRuleSet(into: &scan)
        scan.chunks = [rows]
        rows = []
        return scan
    }
}

/// The current row of a store's metrics read, cell by cell, by position in ``MetricsScanColumns/names``.
/// The SQLite statement and PostgreSQL's binary rows answer these the same way, so both stores turn
/// stored rows into scan rows with one reader.
protocol MetricsCells {
    /// The store as named in errors ("SQLite store PATH", "PostgreSQL store HOST/DB").
    var storeName: String { get }
    func isNull(_ column: Int32) -> Bool
    /// An integer column's value (not NULL).
    func int64(_ column: Int32) -> Int64
    /// A real column's value (not NULL).
    func real(_ column: Int32) -> Double
    /// A text column's bytes, nil for NULL (an empty text has an address); valid until the next row.
    func text(_ column: Int32) throws -> UnsafeBufferPointer<UInt8>?
}

/// Decodes the current row of a metrics read into numbers.
struct MetricsRowReader<Cells: MetricsCells> {
    var cells: Cells
    let channels = EnumBytes<Channel>(), kinds = EnumBytes<InteractionKind>(), directions = EnumBytes<Direction>()
    let roles = EnumBytes<ActorRole>(), outcomes = EnumBytes<CallOutcome>(), metrics = EnumBytes<SurveyMetric>()
    let states = EnumBytes<ConversationState>()
    /// Last name number per name column (source, platform, actor, call agent, queue): rows repeat them.
    var last: (Int32, Int32, Int32, Int32, Int32) = (-1, -1, -1, -1, -1)
    /// Last name numbers of the call context and last application columns.
    var lastStop: (Int32, Int32) = (-1, -1)
    /// Recent topic set numbers (native and rule topics share them; a few combinations alternate).
    var recentTopics: (Int32, Int32, Int32, Int32) = (-1, -1, -1, -1)
    /// Last rule set name number, and the rows counted for it since it last changed.
    var lastRuleSet: Int32 = -1
    var ruleSetRows = 0
    /// Per conversation number, the customer record of its last row: a conversation's rows nearly always share it.
    var lastCustomer: [Int] = []

    init(_ cells: Cells) {
        self.cells = cells
    }

    @inline(__always) func isNull(_ column: Int32) -> Bool { cells.isNull(column) }

    @inline(__always) func double(_ column: Int32) -> Double { cells.isNull(column) ? .nan : cells.real(column) }

    @inline(__always) func text(_ column: Int32) throws -> UnsafeBufferPointer<UInt8>? { try cells.text(column) }

    /// "column NAME (seq N)", for errors.
    func cellName(_ column: Int32) -> String {
        "column \(MetricsScanColumns.names[Int(column)]) (seq \(cells.int64(0)))"
    }

    /// A name column through its last-value cache.
    @inline(__always) func name(_ column: Int32, _ table: inout ByteInterner, _ last: inout Int32) throws -> Int32 {
        guard let b = try text(column) else { return -1 }
        if table.matches(last, b) { return last }
        last = table.intern(b)
        return last
    }

    /// A topic list column through the small cache of recent sets.
    @inline(__always) mutating func topicSet(_ column: Int32, _ table: inout ByteInterner) throws -> Int32 {
        guard let b = try text(column) else { return -1 }
        let r = recentTopics
        if r.0 >= 0 && table.matches(r.0, b) { return r.0 }
        if r.1 >= 0 && table.matches(r.1, b) { return r.1 }
        if r.2 >= 0 && table.matches(r.2, b) { return r.2 }
        if r.3 >= 0 && table.matches(r.3, b) { return r.3 }
        let id = table.intern(b)
        recentTopics = (id, r.0, r.1, r.2)
        return id
    }

    /// Adds the rows counted for the last rule set to the scan's totals.
    mutating func countRuleSet(into scan: inout MetricsScan) {
        if lastRuleSet >= 0 && ruleSetRows > 0 { scan.ruleSets[lastRuleSet, default: 0] += ruleSetRows }
        ruleSetRows = 0
    }

    func known<E: RawRepresentable>(_ column: Int32, _ table: EnumBytes<E>) throws -> E where E.RawValue == String {
        guard let b = try text(column) else { throw nullColumn(column) }
        if let e = table.value(b) { return e }
        let raw = String(decoding: b, as: UTF8.self)
        throw StoreError(.corrupt, "\(cells.storeName): stored value '\(raw)' of \(cellName(column)) is not a known \(E.self); "
            + "the store was written by another program or is damaged")
    }

    /// A NULL where a value is required (a NOT NULL column, a survey's score and scale): the store was edited by another program.
    func nullColumn(_ column: Int32) -> StoreError {
        StoreError(.corrupt, "\(cells.storeName): NULL in \(cellName(column)); the store was written by another program or is damaged")
    }

    func required(_ column: Int32) throws -> Double {
        guard !isNull(column) else { throw nullColumn(column) }
        return cells.real(column)
    }

    /// The row whose key and customer are still to be looked up (see ``read(into:rows:)``).
    var pending = Pending()

    struct Pending {
        var active = false
        var survey = false
        /// Index in the rows (or the surveys) to complete.
        var index = 0
        var source: Int32 = 0
        var hash: UInt64 = 0
        let key = ScratchBytes()
        var hasCustomer = false
        let customer = ScratchBytes()
    }

    /// Reads the current row. Its key and customer lookups (hash-table reads that usually miss the
    /// cache) are done one row later: the key's slot is prefetched now, and the store's work on the next
    /// row hides the wait.
    mutating func read(into scan: inout MetricsScan, rows: inout [MetricsRow]) throws {
        var l = last
        defer { last = l }
        let source = try name(1, &scan.names, &l.0)
        guard source >= 0 else { throw nullColumn(1) }
        scan.countStored(source: source)
        let channel = try known(2, channels)
        let platform = try name(3, &scan.names, &l.1)
        guard let key = try text(4) else { throw nullColumn(4) }
        let hash = ByteInterner.hash(key)
        sb_prefetch(scan.keys.slotAddress(hash: hash))
        let kind = try known(5, kinds)
        let actor = try name(8, &scan.names, &l.2)
        guard !isNull(10) else { throw nullColumn(10) }
        let at = cells.int64(10)
        // Rule topics are only ever set on messages: other rows skip both columns (mostly NULL, read once).
        let message = kind == .message
        var ruleSet = lastRuleSet
        let fingerprint = message && !isNull(23) ? try name(23, &scan.names, &ruleSet) : -1
        if fingerprint >= 0 {
            if fingerprint != lastRuleSet { countRuleSet(into: &scan) }
            lastRuleSet = fingerprint
            ruleSetRows += 1
        }
        let survey = kind == .survey
        if survey {
            guard !isNull(16) else { return }
            var row = MetricsSurveyRow(
                at: at, score: try required(17), scaleMin: try required(18), scaleMax: try required(19), source: source, key: -1,
                customer: -1, actor: actor, channel: channel, metric: try known(16, metrics))
            row.order = cells.int64(0)
            complete(into: &scan, rows: &rows)
            scan.surveys.append(row)
        } else {
            let hasCall = !isNull(15)
            var row = MetricsRow(
                order: cells.int64(0), at: at, wait: hasCall ? double(13) : .nan, talk: hasCall ? double(14) : .nan,
                conversation: -1, customer: -1, actor: actor,
                callAgent: hasCall ? try name(12, &scan.names, &l.3) : -1, queue: hasCall ? try name(11, &scan.names, &l.4) : -1, platform: platform,
                kind: kind, direction: try known(6, directions), role: try known(7, roles), channel: channel,
                outcome: hasCall ? try known(15, outcomes) : nil, status: kind == .status && !isNull(20) ? try known(20, states) : nil,
                topics: isNull(21) ? -1 : try topicSet(21, &scan.topicSets),
                ruleTopics: message && !isNull(22) ? try topicSet(22, &scan.topicSets) : -1)
            if hasCall {
                // Where the call ended (v10-call-details): NULL / 0 on calls stored before it.
                row.context = try name(24, &scan.names, &lastStop.0)
                row.app = try name(25, &scan.names, &lastStop.1)
                row.exitPosition = MetricsScan.position(Int(clamping: cells.int64(26)))
                row.duration = isNull(27) ? .nan : Float(cells.real(27))
            }
            complete(into: &scan, rows: &rows)
            rows.append(row)
        }
        pending.active = true
        pending.survey = survey
        pending.index = survey ? scan.surveys.count - 1 : rows.count - 1
        pending.source = source
        pending.hash = hash
        pending.key.set(key)
        let customer = try text(9)
        pending.hasCustomer = customer != nil
        if let customer { pending.customer.set(customer) }
    }

    /// Looks up the pending row's key (conversation) and customer.
    mutating func complete(into scan: inout MetricsScan, rows: inout [MetricsRow]) {
        guard pending.active else { return }
        pending.active = false
        let key = scan.keys.internRecord(pending.key.bytes, hash: pending.hash).id
        if pending.survey {
            scan.surveys[pending.index].key = key
            if pending.hasCustomer { scan.surveys[pending.index].customer = scan.customers.intern(pending.customer.bytes) }
            return
        }
        let conversation = scan.conversation(source: pending.source, key: key)
        rows[pending.index].conversation = conversation
        guard pending.hasCustomer else { return }
        let c = Int(conversation)
        if c >= lastCustomer.count {
            lastCustomer.append(contentsOf: repeatElement(-1, count: max(c + 1 - lastCustomer.count, lastCustomer.count / 2)))
        }
        let seen = lastCustomer[c]
        let b = pending.customer.bytes
        if let id = scan.customers.matches(record: seen, b) {
            rows[pending.index].customer = id
        } else {
            let (id, record) = scan.customers.internRecord(b)
            lastCustomer[c] = record
            rows[pending.index].customer = id
        }
    }
}

/// A reusable copy of one text value, kept past the statement's next step.
final class ScratchBytes {
    private var base = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    private var capacity = 256
    private var count = 0

    deinit { base.deallocate() }

    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    func set(_ b: UnsafeBufferPointer<UInt8>) {
        if b.count > capacity {
            base.deallocate()
            capacity = max(b.count, capacity * 2)
            base = .allocate(capacity: capacity)
        }
        if let from = b.baseAddress, b.count > 0 { UnsafeMutableRawPointer(base).copyMemory(from: from, byteCount: b.count) }
        count = b.count
    }
}

/// The cases of a String-backed enum by their UTF-8 bytes.
struct EnumBytes<E: RawRepresentable & CaseIterable> where E.RawValue == String {
    /// Each case's bytes as two little-endian words, zero-filled (every stored enum name is at most 16 bytes).
    let cases: [(lo: UInt64, hi: UInt64, count: Int, value: E)] = E.allCases.compactMap { e in
        let b = Array(e.rawValue.utf8)
        guard b.count <= 16 else { return nil }
        let (lo, hi) = b.withUnsafeBufferPointer(enumWords)
        return (lo, hi, b.count, e)
    }

    init() {
        precondition(cases.count == E.allCases.count, "an enum name of more than 16 bytes")
    }

    @inline(__always) func value(_ b: UnsafeBufferPointer<UInt8>) -> E? {
        guard b.count <= 16 else { return nil }
        let (lo, hi) = enumWords(b)
        for c in cases where c.count == b.count && c.lo == lo && c.hi == hi { return c.value }
        return nil
    }
}

/// The bytes (at most 16) as two little-endian words, zero-filled.
@inline(__always) func enumWords(_ b: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
    var lo: UInt64 = 0, hi: UInt64 = 0
    for i in 0..<b.count {
        let v = UInt64(b[i]) << UInt64((i & 7) * 8)
        if i < 8 { lo |= v } else { hi |= v }
    }
    return (lo, hi)
}
