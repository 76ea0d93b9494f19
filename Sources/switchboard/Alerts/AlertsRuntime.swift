import Foundation
import Logging
import SwitchboardCore
import SwitchboardMetrics
import SwitchboardScan
import SwitchboardScheduler

/// The CLI side of alerts: the rules evaluated on the metrics loader's dataset and the store's runs and dead
/// letters (``AlertEvaluating``), handing each dataset to the gauges.
struct StoreAlertEvaluation: AlertEvaluating {
    let loader: any MetricsLoader
    let store: any MetricsStore
    let evaluator: AlertEvaluator
    /// Sources whose runs `source_failing` reads.
    let pullSources: [String]
    let gauges: LiveGauges?

    func evaluate(now: Date, open: [AlertRecord]) async throws -> AlertEvaluation {
        let loaded = try await loader.load(now: now)
        await gauges?.update(loaded.data, at: now)
        var facts = AlertStoreFacts()
        let failing = evaluator.rules.filter { $0.rule == .sourceFailing }
        if let most = failing.map(\.failures).max() {
            for source in pullSources where failing.contains(where: { $0.source == nil || $0.source == source }) {
                facts.runs[source] = try await store.runs(source: source, limit: most + 10)
            }
        }
        // The newest threshold + 1 letters tell whether more than threshold fall in the window.
        for rule in evaluator.rules where rule.rule == .deadLettersAbove {
            let key = rule.source ?? "", limit = Int(rule.threshold) + 1
            if (facts.deadLetters[key]?.count ?? -1) >= limit { continue }
            facts.deadLetters[key] = try await store.deadLetters(source: rule.source, limit: limit).map(\.at)
        }
        return evaluator.evaluate(loaded.data, facts: facts, now: now, open: open)
    }
}

enum AlertsRuntime {
    /// The monitor of `alerts:`, nil without alerts.
    static func monitor(_ rt: Runtime, store: any MetricsStore, loader: any MetricsLoader, gauges: LiveGauges?,
                        clock: any SchedulerClock) throws -> AlertMonitor? {
        guard !rt.config.alerts.isEmpty else { return nil }
        let destinations = try ReportsRuntime.destinations(rt.config, names: rt.config.alerts.flatMap(\.notify))
        guard let log = store as? any AlertLog else {
            throw RunFailure("this store keeps no alert state; alerts need the SQLite or PostgreSQL store")
        }
        let settings = try MetricsRun.publisher(rt.config).engine.settings
        let pull = rt.config.connectors.filter { $0.enabled && $0.scheduleRule != nil }.map(\.name)
        let evaluation = StoreAlertEvaluation(loader: loader, store: store, evaluator: AlertEvaluator(rules: rt.config.alerts, settings: settings),
                                              pullSources: pull, gauges: gauges)
        let interval = ProcessInfo.processInfo.environment["SWITCHBOARD_ALERT_INTERVAL"].flatMap(Double.init) ?? 1
        return AlertMonitor(rules: rt.config.alerts, evaluator: evaluation, log: log, locks: (store as? any SourceLocking) ?? ProcessSourceLocks(),
                            destinations: destinations, timeZone: rt.config.timeZone, clock: clock, interval: max(0.05, interval),
                            redactor: SecretRedactor(secrets: rt.config.secretValues), logger: Logger(label: "switchboard.alerts"))
    }

    /// `{"alerts":[…]}`: the open alerts, as `GET /alerts` and `switchboard alerts --json` give them.
    static func json(_ alerts: [AlertRecord]) -> String {
        let items = alerts.map { a -> String in
            var fields: [(String, String)] = [
                ("alert", JSONString.quoted(a.alert)), ("rule", JSONString.quoted(a.rule)), ("state", JSONString.quoted(a.state.rawValue)),
                ("subject", JSONString.quoted(a.subject)), ("opened_at", JSONString.quoted(Timestamp.formatISO8601(a.openedAt))),
                ("changed_at", JSONString.quoted(Timestamp.formatISO8601(a.changedAt))),
            ]
            let f = a.facts
            func text(_ s: String?) -> String { s.map(JSONString.quoted) ?? "null" }
            func number(_ d: Double?) -> String { d.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int64($0)) : String($0) } ?? "null" }
            fields += [("source", text(f.source)), ("conversation_key", text(f.conversationKey)), ("customer", text(f.customer)),
                       ("channel", text(f.channel)), ("waiting_since", text(f.waitingSince.map(Timestamp.formatISO8601))),
                       ("agent", text(f.agent)), ("target_seconds", number(f.targetSeconds)), ("value", number(f.value)),
                       ("threshold", number(f.threshold)), ("detail", text(f.detail))]
            return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        }
        return "{\"alerts\":[" + items.joined(separator: ",") + "]}\n"
    }
}
