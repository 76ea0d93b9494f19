import Foundation
import GRDB
import GRDBSQLite
import SwitchboardCore

/// Row ⇄ Interaction mapping of the SQLite store (column order of ``SQLiteSchema/columns``).
extension SQLiteStore {
    /// Inserts interactions with one prepared statement, binding values through
    /// the C API (the hot path of every import), and counts stored vs duplicate.
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
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        func text(_ index: Int32, _ value: String?) {
            guard var value else { sqlite3_bind_null(stmt, index); return }
            value.withUTF8 { p in
                p.withMemoryRebound(to: CChar.self) { c in
                    if let base = c.baseAddress {
                        _ = sqlite3_bind_text(stmt, index, base, Int32(c.count), transient)
                    } else {
                        _ = sqlite3_bind_text(stmt, index, "", 0, transient)
                    }
                }
            }
        }
        func real(_ index: Int32, _ value: Double?) {
            if let value { sqlite3_bind_double(stmt, index, value) } else { sqlite3_bind_null(stmt, index) }
        }
        for (n, i) in interactions.enumerated() {
            text(1, i.id); text(2, i.source); text(3, i.externalId); text(4, i.channel.rawValue); text(5, i.platform)
            text(6, i.conversationKey); text(7, i.kind.rawValue); text(8, i.direction.rawValue); text(9, i.actorRole.rawValue)
            text(10, i.actorId); text(11, i.actorName); text(12, i.customerKey)
            sqlite3_bind_int64(stmt, 13, Timestamp.milliseconds(i.occurredAt))
            text(14, i.call?.queue); text(15, i.call?.agentId); real(16, i.call?.waitSeconds); real(17, i.call?.talkSeconds)
            text(18, i.call?.outcome.rawValue); text(19, i.survey?.metric.rawValue); real(20, i.survey?.score)
            real(21, i.survey?.scaleMin); real(22, i.survey?.scaleMax); text(23, i.status?.to.rawValue)
            text(24, i.subject); text(25, i.text); sqlite3_bind_int64(stmt, 26, Int64(i.attachments)); text(27, i.provenance)
            sqlite3_bind_int64(stmt, 28, given[n] ? 1 : 0)
            let rc = sqlite3_step(stmt)
            guard rc == SQLITE_DONE else {
                let message = String(cString: sqlite3_errmsg(connection))
                sqlite3_reset(stmt)
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message)
            }
            if sqlite3_changes(connection) > 0 { result.stored += 1 } else { result.duplicates += 1 }
            sqlite3_reset(stmt)
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
