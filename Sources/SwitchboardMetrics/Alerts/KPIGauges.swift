import Foundation
import SwitchboardCore

/// The live KPIs as Prometheus gauges (text exposition format), appended to `GET /metrics` by `serve`.
/// Labels stay bounded: `channel` (the six channels), `bucket` (fixed age ranges), `quantile`, `rule` (the six
/// rules) — never a customer, agent or conversation.
///
/// - `switchboard_backlog_open{channel,bucket}`: open message conversations now by age (the report's backlog).
/// - `switchboard_awaiting_first_response{channel,bucket}`: customer-initiated conversations, not resolved, still
///   without an agent reply, by how long they have waited.
/// - `switchboard_frt_today_seconds{channel,quantile}`: FRT (calendar) of conversations opened today (business
///   timezone) and answered; nearest-rank median (0.5) and p90 (0.9).
/// - `switchboard_phone_offered_last_hour`, `switchboard_phone_abandonment_rate_last_hour`,
///   `switchboard_phone_service_level_last_hour`: inbound calls opened in the last hour (rates NaN without calls).
/// - `switchboard_alerts_open{rule}` (``alertsGauge(_:)``): open alerts per rule.
public enum KPIGauges {
    /// Age ranges of the backlog gauge: upper bounds in seconds and labels.
    public static let backlogBuckets: [(Double, String)] = [(3600, "under_1h"), (86400, "1h_1d"), (3 * 86400, "1d_3d"),
                                                            (7 * 86400, "3d_7d"), (.infinity, "over_7d")]
    /// Wait ranges of the first-response gauge.
    public static let waitBuckets: [(Double, String)] = [(300, "under_5m"), (900, "5m_15m"), (3600, "15m_1h"),
                                                         (4 * 3600, "1h_4h"), (86400, "4h_1d"), (.infinity, "over_1d")]

    public static func render(_ data: Dataset, settings: MetricsSettings, now: Date) -> String {
        var backlog: [Channel: [Int]] = [:], waiting: [Channel: [Int]] = [:], frt: [Channel: [Double]] = [:]
        let today = startOfDay(now, settings.timeZone)
        for c in data.conversations where c.call == nil {
            guard let opened = c.openedAt, opened <= now else { continue }
            var isOpen = false
            c.forEachBacklogInterval { start, end in if start <= now && (end.map { $0 > now } ?? true) { isOpen = true } }
            if isOpen { backlog[c.channel, default: Array(repeating: 0, count: backlogBuckets.count)][bucket(now.timeIntervalSince(opened), backlogBuckets)] += 1 }
            guard c.customerInitiated else { continue }
            if let reply = c.firstResponseAt {
                if opened >= today { frt[c.channel, default: []].append(reply.timeIntervalSince(opened)) }
            } else if !c.resolved {
                waiting[c.channel, default: Array(repeating: 0, count: waitBuckets.count)][bucket(now.timeIntervalSince(opened), waitBuckets)] += 1
            }
        }
        var out = ""
        func header(_ name: String, _ help: String) { out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n" }
        header("switchboard_backlog_open", "Open message conversations now, by channel and age")
        for (channel, counts) in backlog.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            for (i, b) in backlogBuckets.enumerated() { out += "switchboard_backlog_open{channel=\"\(channel.rawValue)\",bucket=\"\(b.1)\"} \(counts[i])\n" }
        }
        header("switchboard_awaiting_first_response", "Customer conversations without an agent reply yet, by channel and wait")
        for (channel, counts) in waiting.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            for (i, b) in waitBuckets.enumerated() { out += "switchboard_awaiting_first_response{channel=\"\(channel.rawValue)\",bucket=\"\(b.1)\"} \(counts[i])\n" }
        }
        header("switchboard_frt_today_seconds", "First response time of conversations opened today, by channel (nearest-rank quantiles)")
        for (channel, values) in frt.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let sorted = values.sorted()
            for q in [0.5, 0.9] {
                out += "switchboard_frt_today_seconds{channel=\"\(channel.rawValue)\",quantile=\"\(q)\"} \(number(nearestRank(sorted, q)))\n"
            }
        }
        let calls = AlertEvaluator.calls(data, from: now.addingTimeInterval(-3600), to: now, source: nil,
                                         answerWithin: settings.targets.phoneAnswerWithin)
        header("switchboard_phone_offered_last_hour", "Inbound calls offered (answered, abandoned, missed, timeout) opened in the last hour")
        out += "switchboard_phone_offered_last_hour \(calls.offered)\n"
        header("switchboard_phone_abandonment_rate_last_hour", "Abandoned / offered calls opened in the last hour (NaN without calls)")
        out += "switchboard_phone_abandonment_rate_last_hour \(rate(calls.abandoned, calls.offered))\n"
        header("switchboard_phone_service_level_last_hour", "Calls answered within targets.phone.answer_within / offered in the last hour")
        out += "switchboard_phone_service_level_last_hour \(rate(calls.withinTarget, calls.offered))\n"
        return out
    }

    /// `switchboard_alerts_open{rule}` for every rule.
    public static func alertsGauge(_ openAlerts: [String: Int]) -> String {
        var out = "# HELP switchboard_alerts_open Open alerts, by rule\n# TYPE switchboard_alerts_open gauge\n"
        for rule in AlertRuleKind.allCases { out += "switchboard_alerts_open{rule=\"\(rule.rawValue)\"} \(openAlerts[rule.rawValue] ?? 0)\n" }
        return out
    }

    /// The ⌈q·n⌉-th smallest value.
    static func nearestRank(_ sorted: [Double], _ q: Double) -> Double {
        sorted[max(0, min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }

    static func bucket(_ age: Double, _ buckets: [(Double, String)]) -> Int {
        buckets.firstIndex { age < $0.0 } ?? buckets.count - 1
    }

    static func rate(_ part: Int, _ whole: Int) -> String { whole == 0 ? "NaN" : number(Double(part) / Double(whole)) }

    static func number(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v) }

    static func startOfDay(_ t: Date, _ timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.startOfDay(for: t)
    }
}
