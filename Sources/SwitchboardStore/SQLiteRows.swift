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
        var prepared: [Int: OpaquePointer] = [:]
        defer { for stmt in prepared.values { sqlite3_finalize(stmt) } }
        func statement(rows: Int) throws -> OpaquePointer {
            if let stmt = prepared[rows] { return stmt }
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(connection, SQLiteSchema.insertSQL(rows: rows), -1, &statement, nil) == SQLITE_OK,
                  let stmt = statement else {
                throw StoreError(.query, "cannot prepare the insert: \(String(cString: sqlite3_errmsg(connection)))")
            }
            prepared[rows] = stmt
            return stmt
        }
        var text = RowText()
        try interactions.withUnsafeBufferPointer { rows in
            var start = 0
            while start < rows.count {
                let count = min(perStatement, rows.count - start)
                let stmt = try statement(rows: count)
                text.removeAll()
                for r in 0..<count { text.add(rows.baseAddress! + start + r, firstParameter: Int32(r) * parameters + 1) }
                let rc = text.bindText(to: stmt) {
                    for r in 0..<count {
                        let i = start + r
                        let base = Int32(r) * parameters
                        func real(_ index: Int32, _ value: Double?) {
                            if let value { sqlite3_bind_double(stmt, base + index, value) } else { sqlite3_bind_null(stmt, base + index) }
                        }
                        sqlite3_bind_int64(stmt, base + 13, Timestamp.milliseconds(rows[i].occurredAt))
                        real(16, rows[i].call?.waitSeconds); real(17, rows[i].call?.talkSeconds)
                        real(20, rows[i].survey?.score); real(21, rows[i].survey?.scaleMin); real(22, rows[i].survey?.scaleMax)
                        sqlite3_bind_int64(stmt, base + 26, Int64(rows[i].attachments))
                        sqlite3_bind_int64(stmt, base + 28, given[i] ? 1 : 0)
                    }
                    return sqlite3_step(stmt)
                }
                guard rc == SQLITE_DONE else {
                    let message = String(cString: sqlite3_errmsg(connection))
                    sqlite3_reset(stmt)
                    throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message)
                }
                let stored = Int(sqlite3_changes(connection))
                result.stored += stored
                result.duplicates += count - stored
                sqlite3_reset(stmt)
                start += count
            }
        }
        return result
    }

    /// Rows per insert statement (28 parameters each, well under SQLite's 32,766).
    static let rowsPerStatement = 128

    static func interaction(_ r: Row) throws -> Interaction {
        func enumValue<E: RawRepresentable>(_ index: Int) throws -> E where E.RawValue == String {
            let raw: String = r[index]
            guard let e = E(rawValue: raw) else {
                throw StoreError(.corrupt, "stored value '\(raw)' of column \(SQLiteSchema.columns[index]) is not a known \(E.self)")
            }
            return e
        }
        let callOutcome: String? = r[17]
        let surveyMetric: String? = r[18]
        let statusTo: String? = r[22]
        return Interaction(
            id: r[0], source: r[1], externalId: r[2], channel: try enumValue(3), platform: r[4], conversationKey: r[5],
            kind: try enumValue(6), direction: try enumValue(7), actorRole: try enumValue(8), actorId: r[9], actorName: r[10],
            customerKey: r[11], occurredAt: date(r[12]),
            call: try callOutcome.map { _ in
                CallInfo(queue: r[13], agentId: r[14], waitSeconds: r[15], talkSeconds: r[16], outcome: try enumValue(17))
            },
            survey: try surveyMetric.map { _ in
                SurveyInfo(metric: try enumValue(18), score: r[19], scaleMin: r[20], scaleMax: r[21])
            },
            status: try statusTo.map { _ in StatusInfo(to: try enumValue(22)) },
            subject: r[23], text: r[24], attachments: r[25], provenance: r[26])
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
        add(b + 1, p.pointee.id); add(b + 2, p.pointee.source); add(b + 3, p.pointee.externalId)
        add(b + 4, p.pointee.channel.rawValue); add(b + 5, p.pointee.platform); add(b + 6, p.pointee.conversationKey)
        add(b + 7, p.pointee.kind.rawValue); add(b + 8, p.pointee.direction.rawValue); add(b + 9, p.pointee.actorRole.rawValue)
        add(b + 10, p.pointee.actorId); add(b + 11, p.pointee.actorName); add(b + 12, p.pointee.customerKey)
        add(b + 14, p.pointee.call?.queue); add(b + 15, p.pointee.call?.agentId); add(b + 18, p.pointee.call?.outcome.rawValue)
        add(b + 19, p.pointee.survey?.metric.rawValue); add(b + 23, p.pointee.status?.to.rawValue)
        add(b + 24, p.pointee.subject); add(b + 25, p.pointee.text); add(b + 27, p.pointee.provenance)
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
