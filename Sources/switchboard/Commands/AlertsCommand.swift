import ArgumentParser
import Foundation
import SwitchboardCore

/// `switchboard alerts [--json]` — the open alerts, read from the store (what `serve` recorded).
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List the open alerts (alerts: in the config) from the store: rule, state, conversation or condition.",
        discussion: "serve evaluates the alerts: rules and records every alert in the store; this lists those not resolved. --json prints the body of GET /alerts (docs/alerts.md).")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let rt = try Runtime(options: global)
        guard let log = try await rt.openStore() as? any AlertLog else {
            throw RunFailure("this store keeps no alert state; alerts need the SQLite or PostgreSQL store")
        }
        let open = try await log.openAlerts()
        if global.json { return print(AlertsRuntime.json(open), terminator: "") }
        if open.isEmpty { return print("no open alerts") }
        var rows = [["ALERT", "RULE", "STATE", "OPENED", "SUBJECT", "CUSTOMER", "WAITING SINCE", "AGENT", "VALUE"]]
        for a in open {
            let f = a.facts
            rows.append([a.alert, a.rule, a.state.rawValue, Timestamp.formatISO8601(a.openedAt), a.subject, f.customer ?? "-",
                         f.waitingSince.map(Timestamp.formatISO8601) ?? "-", f.agent ?? "-",
                         f.value.map { v in f.threshold.map { "\(Self.number(v)) > \(Self.number($0))" } ?? Self.number(v) } ?? "-"])
        }
        let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        for row in rows {
            print(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
    }

    static func number(_ v: Double) -> String { v == v.rounded() ? String(Int64(v)) : String(format: "%.3f", v) }
}
