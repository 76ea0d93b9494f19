import Foundation
import GRDB
import GRDBSQLite
import CPrefetch
import SwitchboardCore
import SwitchboardScan

/// The metrics scan of the SQLite store: the table in storage (rowid) order, only the metrics columns,
/// read straight from the statement into numbers (``MetricsScan``). The rowid range is split in two
/// halves read concurrently on two reader connections.
///
/// Snapshot: the store only appends interactions and rowids grow with every insert, so both halves are
/// bounded by the largest rowid committed when the scan starts; rows written by a concurrent import
/// after that moment are not read by either half.
extension SQLiteStore {
    /// The columns the scan reads, by position in its statement (the reader below uses these positions).
    static let metricsColumns = ["seq"] + ([
        .source, .channel, .platform, .conversationKey, .kind, .direction, .actorRole, .actorId, .customerKey, .occurredAt,
        .callQueue, .callAgentId, .callWait, .callTalk, .callOutcome, .surveyMetric, .surveyScore, .surveyScaleMin,
        .surveyScaleMax, .statusTo, .topics, .ruleTopics, .topicRules,
    ] as [InteractionColumn]).map(\.name)
    static let metricsSQL = "SELECT \(metricsColumns.joined(separator: ", ")) FROM interactions WHERE seq BETWEEN ? AND ?"
    /// The smallest and largest seq. Two subqueries: SQLite answers a lone min() or max() from the
    /// b-tree's edge, but one query holding both reads a whole index.
    static let metricsBoundsSQL = "SELECT (SELECT min(seq) FROM interactions), (SELECT max(seq) FROM interactions)"
    /// Below this many rows one connection reads everything.
    static let metricsSplitRows: Int64 = 200_000

    public func scanMetrics() async throws -> MetricsScan { try await scanMetrics(parts: nil) }

    /// The metrics scan in `parts` rowid ranges read concurrently (nil: two, or one below
    /// ``metricsSplitRows`` rows), appended in rowid order. Any number of parts gives the same scan.
    public func scanMetrics(parts: Int?) async throws -> MetricsScan {
        let path = self.path
        do {
            let bounds = try await pool.read { db -> (Int64, Int64)? in
                let row = try Row.fetchOne(db, sql: Self.metricsBoundsSQL)
                guard let lo: Int64 = row?[0], let hi: Int64 = row?[1] else { return nil }
                return (lo, hi)
            }
            guard let (lo, hi) = bounds else { return MetricsScan() }
            // Seqs are rowids from 1 up; a span that does not fit comfortably (explicit huge or negative
            // seqs written by another program) is read as one range.
            let (gap, overflow) = hi.subtractingReportingOverflow(lo)
            let sane = !overflow && gap < 1 << 53
            let n = sane ? Int64(max(1, parts ?? (gap < Self.metricsSplitRows ? 1 : 2))) : 1
            let span = sane ? gap + 1 : 0
            let ranges = n == 1 ? [(lo, hi)] : (0..<n).map { k in (lo + span * k / n, lo + span * (k + 1) / n - 1) }.filter { $0.0 <= $0.1 }
            let pool = self.pool
            var scans = try await withThrowingTaskGroup(of: (Int, MetricsScan).self) { group in
                for (k, r) in ranges.enumerated() {
                    // The first range's tables take in every later range's values when the parts are
                    // appended: sized for the whole table up front, they are normally not rebuilt then.
                    let tableRows = k == 0 && sane ? Int(min(span, 8_000_000)) : nil
                    group.addTask {
                        (k, try await pool.read { db in try Self.scanMetrics(db, from: r.0, to: r.1, path: path, tableRows: tableRows) })
                    }
                }
                var out = [MetricsScan?](repeating: nil, count: ranges.count)
                for try await (k, scan) in group { out[k] = scan }
                return out
            }
            // Moved out of the list one by one, so appending renumbers rows in place without copies.
            var scan = scans[0] ?? MetricsScan()
            scans[0] = nil
            for k in scans.indices.dropFirst() {
                guard var part = scans[k] else { continue }
                scans[k] = nil
                scan.append(&part)
            }
            return scan
        } catch let error as DatabaseError {
            let code: StoreError.Code = error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB ? .corrupt : .unavailable
            throw StoreError(code, "SQLite store \(path): cannot read interactions: \(error.message ?? "\(error.resultCode)")")
        }
    }

    /// Reads rows with `lo <= seq <= hi` into a fresh scan whose tables are sized for `tableRows` rows
    /// (nil: the range's own).
    static func scanMetrics(_ db: Database, from lo: Int64, to hi: Int64, path: String, tableRows: Int? = nil) throws -> MetricsScan {
        guard let connection = db.sqliteConnection else { throw StoreError(.unavailable, "SQLite store \(path): the database is closed") }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(connection, metricsSQL, -1, &statement, nil) == SQLITE_OK, let stmt = statement else {
            throw StoreError(.query, "SQLite store \(path): cannot prepare the metrics scan: \(String(cString: sqlite3_errmsg(connection)))")
        }
        defer { sqlite3_finalize(stmt) }
        sqlite3_bind_int64(stmt, 1, lo)
        sqlite3_bind_int64(stmt, 2, hi)
        var scan = MetricsScan()
        var rows: [MetricsRow] = []
        // Sized from the seq range, capped: seqs may have gaps; beyond the cap the arrays grow as needed.
        let (gap, overflow) = hi.subtractingReportingOverflow(lo)
        let expected = overflow ? 1 << 16 : Int(min(max(gap, 0), 4_000_000)) + 1
        rows.reserveCapacity(expected)
        // Typical stores hold a few interactions per conversation and per customer.
        scan.keys.reserve((tableRows ?? expected) / 4)
        scan.customers.reserve((tableRows ?? expected) / 6)
        var reader = MetricsColumns(stmt: stmt, path: path)
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(connection)))
            }
            try reader.read(into: &scan, rows: &rows)
        }
        reader.complete(into: &scan, rows: &rows)
        reader.countRuleSet(into: &scan)
        scan.chunks = [rows]
        return scan
    }
}

/// Decodes the current row of the metrics statement into numbers.
struct MetricsColumns {
    let stmt: OpaquePointer
    let path: String
    let channels = EnumBytes<Channel>(), kinds = EnumBytes<InteractionKind>(), directions = EnumBytes<Direction>()
    let roles = EnumBytes<ActorRole>(), outcomes = EnumBytes<CallOutcome>(), metrics = EnumBytes<SurveyMetric>()
    let states = EnumBytes<ConversationState>()
    /// Last name number per name column (source, platform, actor, call agent, queue): rows repeat them.
    var last: (Int32, Int32, Int32, Int32, Int32) = (-1, -1, -1, -1, -1)
    /// Recent topic set numbers (native and rule topics share them; a few combinations alternate).
    var recentTopics: (Int32, Int32, Int32, Int32) = (-1, -1, -1, -1)
    /// Last rule set name number, and the rows counted for it since it last changed.
    var lastRuleSet: Int32 = -1
    var ruleSetRows = 0
    /// Per conversation number, the customer record of its last row: a conversation's rows nearly always share it.
    var lastCustomer: [Int] = []

    init(stmt: OpaquePointer, path: String) {
        self.stmt = stmt
        self.path = path
    }

    @inline(__always) func isNull(_ column: Int32) -> Bool { sqlite3_column_type(stmt, column) == SQLITE_NULL }

    @inline(__always) func double(_ column: Int32) -> Double { isNull(column) ? .nan : sqlite3_column_double(stmt, column) }

    /// The text of a column as bytes, nil for NULL (an empty text has an address); valid until the next step.
    /// SQLite also answers no address when it runs out of memory: that is an error, not a NULL.
    @inline(__always) func text(_ column: Int32) throws -> UnsafeBufferPointer<UInt8>? {
        guard let p = sqlite3_column_text(stmt, column) else {
            guard sqlite3_column_type(stmt, column) == SQLITE_NULL else {
                throw StoreError(.unavailable, "SQLite store \(path): cannot read column \(SQLiteStore.metricsColumns[Int(column)]) "
                    + "(seq \(sqlite3_column_int64(stmt, 0))): \(String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt))))")
            }
            return nil
        }
        // Text first, then its length (SQLite's documented order).
        return UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(stmt, column)))
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
        throw StoreError(.corrupt, "SQLite store \(path): stored value '\(raw)' of column \(SQLiteStore.metricsColumns[Int(column)]) "
            + "(seq \(sqlite3_column_int64(stmt, 0))) is not a known \(E.self); the store was written by another program or is damaged")
    }

    /// A NULL where a value is required (a NOT NULL column, a survey's score and scale): the store was edited by another program.
    func nullColumn(_ column: Int32) -> StoreError {
        StoreError(.corrupt, "SQLite store \(path): NULL in column \(SQLiteStore.metricsColumns[Int(column)]) "
            + "(seq \(sqlite3_column_int64(stmt, 0))); the store was written by another program or is damaged")
    }

    func required(_ column: Int32) throws -> Double {
        guard !isNull(column) else { throw nullColumn(column) }
        return sqlite3_column_double(stmt, column)
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
    /// cache) are done one row later: the key's slot is prefetched now, and SQLite's work on the next
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
        let at = sqlite3_column_int64(stmt, 10)
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
            let row = MetricsSurveyRow(
                at: at, score: try required(17), scaleMin: try required(18), scaleMax: try required(19), source: source, key: -1,
                customer: -1, actor: actor, channel: channel, metric: try known(16, metrics))
            complete(into: &scan, rows: &rows)
            scan.surveys.append(row)
        } else {
            let hasCall = !isNull(15)
            let row = MetricsRow(
                order: sqlite3_column_int64(stmt, 0), at: at, wait: hasCall ? double(13) : .nan, talk: hasCall ? double(14) : .nan,
                conversation: -1, customer: -1, actor: actor,
                callAgent: hasCall ? try name(12, &scan.names, &l.3) : -1, queue: hasCall ? try name(11, &scan.names, &l.4) : -1, platform: platform,
                kind: kind, direction: try known(6, directions), role: try known(7, roles), channel: channel,
                outcome: hasCall ? try known(15, outcomes) : nil, status: kind == .status && !isNull(20) ? try known(20, states) : nil,
                topics: isNull(21) ? -1 : try topicSet(21, &scan.topicSets),
                ruleTopics: message && !isNull(22) ? try topicSet(22, &scan.topicSets) : -1)
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
