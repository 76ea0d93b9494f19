import Foundation
import SwitchboardScheduler

/// The alerts part of `switchboard status` (empty without alerts): when the rules were last evaluated, how many
/// alerts are open, and each notice still waiting for a retry with why.
enum AlertStatusTable {
    static func render(_ alerts: AlertsStatus?, timeZone: TimeZone) -> String {
        guard let alerts else { return "" }
        var out = "\n\nalerts: \(alerts.rules.count) rule(s), \(alerts.open.count) open, last evaluated "
            + (alerts.evaluatedAt.map { StatusTable.time($0, timeZone) } ?? "never")
        if let error = alerts.lastError { out += "\nlast error: \(error)" }
        guard !alerts.pending.isEmpty else { return out }
        let header = ["ALERT", "SUBJECT", "STATE", "DESTINATION", "ATTEMPTS", "NEXT TRY", "LAST ERROR"]
        var rows = [header]
        for p in alerts.pending {
            rows.append([p.alert, p.subject, p.state, p.destination, "\(p.attempts)", StatusTable.time(p.nextAttemptAt, timeZone),
                         p.lastError.map { $0.count > 60 ? String($0.prefix(57)) + "..." : $0 } ?? "-"])
        }
        let widths = header.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        return out + "\n" + rows.map { row in
            row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
