import Foundation
import GRDB
import GRDBSQLite
import SwitchboardCore

/// Row ⇄ Interaction mapping of the SQLite store (column order of ``SQLiteSchema/columns``).
extension SQLiteStore {
    /// Inserts interactions with multi-row statements (``SQLiteSchema/insertSQL(rows:)``), binding
    /// values through the C API (the hot path of every import), and counts stored vs duplicate.
    ///
    /// One statement stores up to ``rowsPerStatement`` rows: its cursors stay open from row to row,
    /// so an index key that follows the previous one (time-ordered imports) is placed without a
    /// search from the root, and the per-statement work is paid once per block. Rows are stored in
    /// order, each with its own conflict check, exactly as one statement per row would.
    /// A block's text values are copied once into a reused buffer and bound in place.
    static func insert(_ interactions: [Interaction], in db: Database) throws -> IngestBatchResult {
        var result = IngestBatchResult(stored: 0, duplicates: 0)
        let given = SQLiteDedupe.givenIds(interactions)
        if given.contains(true) { try db.execute(sql: SQLiteDedupe.idIndexSQL) }
        guard let connection = db.sqliteConnection else { throw StoreError(.unavailable, "the database is closed") }
        let parameters = Int32(SQLiteSchema.columns.count + 1)
        let limit = Int(sqlite3_limit(connection, SQLITE_LIMIT_VARIABLE_NUMBER, -1) / parameters)
        let perStatement = max(1, min(rowsPerStatement, limit))
        // Statements of 2^k rows only, kept in the connection's statement cache: a block of n rows is stored
        // by the powers of two that sum to n (19 = 16 + 2 + 1), so that small groups — a webhook group commit
        // — are not parsed anew each time, and the cache holds at most eight statements.
        // Found in the cache once per call: the cache is keyed by the statement's text, 25 KB for 128 rows.
        var found: [OpaquePointer?] = Array(repeating: nil, count: insertSQL.count)
        func statement(rows: Int) throws -> OpaquePointer {
            let k = rows.trailingZeroBitCount
            if let stmt = found[k] { return stmt }
            do {
                let stmt = try db.cachedStatement(sql: insertSQL[k]).sqliteStatement
                found[k] = stmt
                return stmt
            } catch {
                throw StoreError(.query, "cannot prepare the insert: \(String(cString: sqlite3_errmsg(connection)))")
            }
        }
        var text = RowText()
        try interactions.withUnsafeBufferPointer { rows in
            var start = 0
            while start < rows.count {
                let left = min(perStatement, rows.count - start)
                let count = left >= rowsPerStatement ? left : 1 << (Int.bitWidth - 1 - left.leadingZeroBitCount)
                let stmt = try statement(rows: count)
                text.removeAll()
                for r in 0..<count { text.add(rows.baseAddress! + start + r, firstParameter: Int32(r) * parameters + 1) }
                let rc = text.bindText(to: stmt) {
                    for r in 0..<count {
                        let i = start + r
                        let base = Int32(r) * parameters
                        let row = rows.baseAddress! + i
                        for c in InteractionColumn.realColumns {
                            if let value = c.real(of: row.pointee) {
                                sqlite3_bind_double(stmt, base + c.parameter, value)
                            } else {
                                sqlite3_bind_null(stmt, base + c.parameter)
                            }
                        }
                        for c in InteractionColumn.integerColumns { sqlite3_bind_int64(stmt, base + c.parameter, c.integer(of: row.pointee)) }
                        sqlite3_bind_int64(stmt, base + SQLiteSchema.idGivenParameter, given[i] ? 1 : 0)
                    }
                    return sqlite3_step(stmt)
                }
                // The statement stays cached: reset it and drop the bindings into `text`'s buffer.
                defer { sqlite3_reset(stmt); sqlite3_clear_bindings(stmt) }
                guard rc == SQLITE_DONE else {
                    let message = String(cString: sqlite3_errmsg(connection))
                    throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message)
                }
                let stored = Int(sqlite3_changes(connection))
                result.stored += stored
                result.duplicates += count - stored
                start += count
            }
        }
        return result
    }

    /// The insert of 2^k rows at index k, up to ``rowsPerStatement`` (made once: the statement cache looks them up by text).
    static let insertSQL = (0...rowsPerStatement.trailingZeroBitCount).map { SQLiteSchema.insertSQL(rows: 1 << $0) }

    /// Rows per insert statement, a power of two (41 parameters each, well under SQLite's 32,766).
    static let rowsPerStatement = 128

    static func interaction(_ r: Row) throws -> Interaction {
        typealias C = InteractionColumn
        func enumValue<E: RawRepresentable>(_ c: C) throws -> E where E.RawValue == String {
            let raw: String = r[c.index]
            guard let e = E(rawValue: raw) else {
                throw StoreError(.corrupt, "stored value '\(raw)' of column \(c.name) is not a known \(E.self)")
            }
            return e
        }
        let callOutcome: String? = r[C.callOutcome.index]
        let surveyMetric: String? = r[C.surveyMetric.index]
        let statusTo: String? = r[C.statusTo.index]
        var i = Interaction(
            id: r[C.id.index], source: r[C.source.index], externalId: r[C.externalId.index], channel: try enumValue(.channel),
            platform: r[C.platform.index], conversationKey: r[C.conversationKey.index], kind: try enumValue(.kind),
            direction: try enumValue(.direction), actorRole: try enumValue(.actorRole), actorId: r[C.actorId.index],
            actorName: r[C.actorName.index], customerKey: r[C.customerKey.index], occurredAt: date(r[C.occurredAt.index]),
            call: try callOutcome.map { _ in
                CallInfo(queue: r[C.callQueue.index], agentId: r[C.callAgentId.index], waitSeconds: r[C.callWait.index],
                         talkSeconds: r[C.callTalk.index], outcome: try enumValue(.callOutcome))
            },
            survey: try surveyMetric.map { _ in
                SurveyInfo(metric: try enumValue(.surveyMetric), score: r[C.surveyScore.index], scaleMin: r[C.surveyScaleMin.index],
                           scaleMax: r[C.surveyScaleMax.index])
            },
            status: try statusTo.map { _ in StatusInfo(to: try enumValue(.statusTo)) },
            subject: r[C.subject.index], text: r[C.text.index], attachments: r[C.attachments.index],
            provenance: r[C.provenance.index], topics: Topics.decode(r[C.topics.index]))
        i.ruleTopics = Topics.decode(r[C.ruleTopics.index])
        i.topicRules = r[C.topicRules.index]
        if i.call != nil {
            let entry: Int = r[C.callEntryPosition.index], exit: Int = r[C.callExitPosition.index]
            i.callDetails = CallDetails(
                context: r[C.callContext.index], lastApp: r[C.callLastApp.index], lastData: r[C.callLastData.index],
                entryPosition: entry, exitPosition: exit, exitKey: r[C.callExitKey.index], holdSeconds: r[C.callHold.index],
                durationSeconds: r[C.callDuration.index]).normalized
        }
        return i
    }
}

/// The text columns of a block of rows, copied into one reused byte buffer.
struct RowText {
    /// (statement parameter, offset, length or -1 for NULL).
    private var slots: [(Int32, Int, Int)] = []
    private var bytes: [UInt8] = []

    init() {
        slots.reserveCapacity(20 * 128)
        bytes.reserveCapacity(64 << 10)
    }

    mutating func removeAll() {
        slots.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Adds the text values of the interaction at `p` (read in place, not copied), whose first
    /// column is parameter `first` of the statement.
    mutating func add(_ p: UnsafePointer<Interaction>, firstParameter first: Int32) {
        let b = first - 1
        for c in InteractionColumn.textColumns { add(b + c.parameter, c.text(of: p.pointee)) }
    }

    private mutating func add(_ index: Int32, _ value: String?) {
        guard let value else { slots.append((index, 0, -1)); return }
        let offset = bytes.count
        if value.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
            bytes.append(contentsOf: value.utf8)
        }
        slots.append((index, offset, bytes.count - offset))
    }

    /// Binds every text slot to its parameter in place (SQLITE_STATIC: valid while `body`
    /// runs; the caller resets the statement before the buffer changes), then runs `body`.
    func bindText(to stmt: OpaquePointer, _ body: () -> Int32) -> Int32 {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                // A non-nil base even for an empty buffer: SQLite reads a NULL pointer as SQL NULL.
                let empty: StaticString = ""
                let base = chars.baseAddress ?? UnsafeRawPointer(empty.utf8Start).assumingMemoryBound(to: CChar.self)
                for (index, offset, count) in slots {
                    if count < 0 {
                        sqlite3_bind_null(stmt, index)
                    } else {
                        _ = sqlite3_bind_text(stmt, index, base + offset, Int32(count), nil)
                    }
                }
                return body()
            }
        }
    }
}
