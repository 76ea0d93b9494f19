import Foundation
import GRDB
import SwitchboardCore

/// The sent log of scheduled reports (table `report_sends`, migration v7).
extension SQLiteStore: ReportSendLog {
    public func recordReportSend(_ send: ReportSend) async throws -> Bool {
        try await guarded("record a report send") {
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT INTO report_sends (report, slot, destination, period_from, period_to, sent_at)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """, arguments: [send.report, Timestamp.milliseconds(send.slot), send.destination,
                                     Timestamp.milliseconds(send.periodFrom), Timestamp.milliseconds(send.periodTo),
                                     Timestamp.milliseconds(send.sentAt)])
                return db.changesCount > 0
            }
        }
    }

    public func reportSends(report: String, limit: Int) async throws -> [ReportSend] {
        try await guarded("read the report sends") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT slot, destination, period_from, period_to, sent_at FROM report_sends
                    WHERE report = ? ORDER BY slot DESC, destination LIMIT ?
                    """, arguments: [report, limit]).map { row in
                    ReportSend(report: report, slot: Self.sentLogDate(row[0]), destination: row[1], periodFrom: Self.sentLogDate(row[2]),
                               periodTo: Self.sentLogDate(row[3]), sentAt: Self.sentLogDate(row[4]))
                }
            }
        }
    }

    private static func sentLogDate(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
}
