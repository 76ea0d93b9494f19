import Foundation
import GRDB
import GRDBSQLite
import SwitchboardCore

/// Row ⇄ Interaction mapping of the SQLite store (column order of ``SQLiteSchema/columns``).
extension SQLiteStore {
    /// Inserts interactions with one prepared statement, binding values through
    /// the C API (the hot path of every import), and counts stored vs duplicate.
    /// A row's text values are copied once into a reused buffer and bound in
    /// place (no copy and no allocation per value inside SQLite).
    static func insert(_ interactions: [Interaction], in db: Database) throws -> IngestBatchResult {
        var result = IngestBatchResult(stored: 0, duplicates: 0)
        let given = SQLiteDedupe.givenIds(interactions)
        if given.contains(true) { try db.execute(sql: SQLiteDedupe.idIndexSQL) }
        guard let connection = db.sqliteConnection else { throw StoreError(.unavailable, "the database is closed") }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(connection, SQLiteSchema.insertSQL, -1, &statement, nil) == SQLITE_OK, let stmt = statement else {
            throw StoreError(.query, "cannot prepare the insert: \(String(cString: sqlite3_errmsg(connection)))")
        }
        defer { sqlite3_finalize(stmt) }
        var row = RowText()
        try interactions.withUnsafeBufferPointer { rows in
            for k in rows.indices {
                row.fill(rows[k])
                let rc = row.bindText(to: stmt) {
                    func real(_ index: Int32, _ value: Double?) {
                        if let value { sqlite3_bind_double(stmt, index, value) } else { sqlite3_bind_null(stmt, index) }
                    }
                    sqlite3_bind_int64(stmt, 13, Timestamp.milliseconds(rows[k].occurredAt))
                    real(16, rows[k].call?.waitSeconds); real(17, rows[k].call?.talkSeconds)
                    real(20, rows[k].survey?.score); real(21, rows[k].survey?.scaleMin); real(22, rows[k].survey?.scaleMax)
                    sqlite3_bind_int64(stmt, 26, Int64(rows[k].attachments))
                    sqlite3_bind_int64(stmt, 28, given[k] ? 1 : 0)
                    return sqlite3_step(stmt)
                }
                guard rc == SQLITE_DONE else {
                    let message = String(cString: sqlite3_errmsg(connection))
                    sqlite3_reset(stmt)
                    throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message)
                }
                if sqlite3_changes(connection) > 0 { result.stored += 1 } else { result.duplicates += 1 }
                sqlite3_reset(stmt)
            }
        }
        return result
    }

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

/// The text columns of one row, copied into one reused byte buffer.
struct RowText {
    /// (statement parameter, offset, length or -1 for NULL).
    private var slots: [(Int32, Int, Int)] = []
    private var bytes: [UInt8] = []

    init() {
        slots.reserveCapacity(20)
        bytes.reserveCapacity(4096)
    }

    mutating func fill(_ i: Interaction) {
        slots.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
        add(1, i.id); add(2, i.source); add(3, i.externalId); add(4, i.channel.rawValue); add(5, i.platform)
        add(6, i.conversationKey); add(7, i.kind.rawValue); add(8, i.direction.rawValue); add(9, i.actorRole.rawValue)
        add(10, i.actorId); add(11, i.actorName); add(12, i.customerKey)
        add(14, i.call?.queue); add(15, i.call?.agentId); add(18, i.call?.outcome.rawValue)
        add(19, i.survey?.metric.rawValue); add(23, i.status?.to.rawValue)
        add(24, i.subject); add(25, i.text); add(27, i.provenance)
    }

    private mutating func add(_ index: Int32, _ value: String?) {
        guard var value else { slots.append((index, 0, -1)); return }
        let offset = bytes.count
        value.withUTF8 { bytes.append(contentsOf: $0) }
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
