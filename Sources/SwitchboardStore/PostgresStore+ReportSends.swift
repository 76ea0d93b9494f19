import Foundation
import PostgresNIO
import SwitchboardCore

/// The sent log of scheduled reports (table `report_sends`, migration v7), shared by every instance.
extension PostgresStore: ReportSendLog {
    public func recordReportSend(_ send: ReportSend) async throws -> Bool {
        let logger = logger
        return try await withConnection("record a send of report '\(send.report)'") { conn in
            var inserted = 0
            let rows = try await conn.query("""
                WITH inserted AS (
                    INSERT INTO report_sends (report, slot, destination, period_from, period_to, sent_at)
                    VALUES (\(send.report), \(Timestamp.milliseconds(send.slot)), \(send.destination),
                            \(Timestamp.milliseconds(send.periodFrom)), \(Timestamp.milliseconds(send.periodTo)),
                            \(Timestamp.milliseconds(send.sentAt)))
                    ON CONFLICT DO NOTHING RETURNING 1
                ) SELECT count(*)::bigint FROM inserted
                """, logger: logger)
            for try await n in rows.decode(Int64.self) { inserted = Int(n) }
            return inserted > 0
        }
    }

    public func reportSends(report: String, limit: Int) async throws -> [ReportSend] {
        let logger = logger
        return try await withConnection("read the sends of report '\(report)'") { conn in
            var out: [ReportSend] = []
            let rows = try await conn.query("""
                SELECT slot, destination, period_from, period_to, sent_at FROM report_sends
                WHERE report = \(report) ORDER BY slot DESC, destination LIMIT \(limit)
                """, logger: logger)
            for try await (slot, destination, from, to, sent) in rows.decode((Int64, String, Int64, Int64, Int64).self) {
                out.append(ReportSend(report: report, slot: Self.sentLogDate(slot), destination: destination, periodFrom: Self.sentLogDate(from),
                                      periodTo: Self.sentLogDate(to), sentAt: Self.sentLogDate(sent)))
            }
            return out
        }
    }

    private static func sentLogDate(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
}
