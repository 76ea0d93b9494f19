import Foundation
import SwitchboardScheduler

/// The scheduled reports part of `switchboard status` (empty without reports).
enum ReportStatusTable {
    static func render(_ reports: [ReportStatus]?, timeZone: TimeZone) -> String {
        guard let reports, !reports.isEmpty else { return "" }
        let header = ["REPORT", "SCHEDULE", "PERIOD", "NOTIFY", "LAST SLOT", "SENT", "NEXT RUN", "FAILS", "LAST ERROR"]
        var rows = [header]
        for r in reports {
            rows.append([
                r.report, r.schedule, r.period, r.notify.joined(separator: ","),
                r.lastSlot.map { StatusTable.time($0, timeZone) } ?? "-",
                r.lastSentAt.map { StatusTable.time($0, timeZone) } ?? "-",
                r.nextRunAt.map { StatusTable.time($0, timeZone) } ?? "-",
                "\(r.consecutiveFailures)",
                r.lastError.map { $0.count > 60 ? String($0.prefix(57)) + "..." : $0 } ?? "-",
            ])
        }
        let widths = header.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        return "\n\n" + rows.map { row in
            row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
