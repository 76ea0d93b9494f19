import Foundation
import PostgresNIO
import SwitchboardCore

/// The sent log of scheduled reports (table `report_sends`, migration v7), shared by every instance.
extension PostgresStore: ReportSendLog {
    public func recordReportSend(_ send: ReportSend) async throws -> Bool {
        let logger = logger
        return try await withConnection("record a send of report '\(send.report)'") { conn in
            let rows = try await PostgresReader(conn, logger: logger).rows("""
                WITH inserted AS (
                    INSERT INTO report_sends (report, slot, destination, period_from, period_to, sent_at)
                    VALUES (\(send.report), \(Timestamp.milliseconds(send.slot)), \(send.destination),
                            \(Timestamp.milliseconds(send.periodFrom)), \(Timestamp.milliseconds(send.periodTo)),
                            \(Timestamp.milliseconds(send.sentAt)))
                    ON CONFLICT DO NOTHING RETURNING 1
                ) SELECT count(*)::bigint FROM inserted
                """)
            return try (rows.first?.decode(Int64.self) ?? 0) > 0
        }
    }

    public func reportSends(report: String, limit: Int) async throws -> [ReportSend] {
        return try await read("read the sends of report '\(report)'") { reader in
            var out: [ReportSend] = []
            let rows = try await reader.rows("""
                SELECT slot, destination, period_from, period_to, sent_at FROM report_sends
                WHERE report = \(report) ORDER BY slot DESC, destination LIMIT \(limit)
                """)
            for row in rows {
                let (slot, destination, from, to, sent) = try row.decode((Int64, String, Int64, Int64, Int64).self)
                out.append(ReportSend(report: report, slot: Self.sentLogDate(slot), destination: destination, periodFrom: Self.sentLogDate(from),
                                      periodTo: Self.sentLogDate(to), sentAt: Self.sentLogDate(sent)))
            }
            return out
        }
    }

    private static func sentLogDate(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
}
