import Foundation
import SwitchboardCore

/// Renders a ``Report`` as aligned terminal tables that fit in 100 columns,
/// with every target marked met or MISSED.
public enum TextReportRenderer {
    public static func render(_ r: Report) -> String {
        var out = "Switchboard report  \(Timestamp.formatISO8601(r.from)) → \(Timestamp.formatISO8601(r.to))\n"
            + "business timezone \(r.timeZone.identifier), now \(Timestamp.formatISO8601(r.now))\n\n"
        let g = r.overall
        var rows: [[String]] = [["metric", "value", "business time"]]
        rows.append(["conversations", "\(g.conversations)", ""])
        rows.append(["resolved / unresolved", "\(g.resolved) / \(g.unresolved)", ""])
        rows.append(["resolution rate", pct(g.resolutionRate), ""])
        if let f = g.frt {
            rows.append(["FRT mean / median / p90", "\(dur(f.mean)) / \(dur(f.median)) / \(dur(f.p90))",
                         "\(dur(f.businessMean)) / \(dur(f.businessMedian)) / \(dur(f.businessP90))"])
        } else { rows.append(["FRT", "–", ""]) }
        if let t = g.resolutionTime {
            rows.append(["resolution time (TTR) mean / median / p90", "\(dur(t.mean)) / \(dur(t.median)) / \(dur(t.p90))",
                         "\(dur(t.businessMean)) / \(dur(t.businessMedian)) / \(dur(t.businessP90))"])
        } else { rows.append(["resolution time", "–", ""]) }
        rows.append(["FCR", g.fcrRate.map { "\(pct($0)) (\(g.fcrCount) of \(g.fcrEligible))" } ?? "–", ""])
        rows.append(["CSAT", g.csat.map { "\(pct($0.score)) (\(answers($0.responses)))" } ?? "–", ""])
        rows.append(["NPS", g.nps.map { "\(num($0.score)) (\(answers($0.responses)))" } ?? "–", ""])
        rows.append(["CES", g.ces.map { "\(num($0.score)) (\(answers($0.responses)))" } ?? "–", ""])
        rows.append(["backlog at end", g.backlog.map { "\($0.openAtEnd)" } ?? "–", ""])
        rows.append(["repeat contact rate", pct(g.repeatContactRate), ""])
        if g.conversations > 0 && g.withoutTopic < g.conversations {
            rows.append(["without a topic", "\(g.withoutTopic) (\(pct(Double(g.withoutTopic) / Double(g.conversations))))", ""])
        }
        if let p = g.phone {
            rows.append(["calls offered / answered / abandoned", "\(p.offered) / \(p.answered) / \(p.abandoned)", ""])
            rows.append(["abandonment rate / service level", "\(pct(p.abandonmentRate)) / \(pct(p.serviceLevel))", ""])
            rows.append(["ASA / AHT", "\(p.asa.map(dur) ?? "–") / \(p.aht.map(dur) ?? "–")", ""])
        }
        out += table(rows) + "\n"
        out += stages(g.phoneStages)
        out += recoveryAndStaffing(g.phone)
        out += agentTime(g.agentTime)
        if !g.volume.byChannel.isEmpty {
            out += "Volume by channel: " + g.volume.byChannel.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                .joined(separator: ", ") + "\n\n"
        }
        if r.topics.rules != nil || !r.topics.ruleSets.isEmpty {
            let stored = r.topics.ruleSets.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            out += "Topic rules: \(r.topics.rules.map { "rule set \($0)" } ?? "none in the config")"
                + (stored.isEmpty ? "" : "; stored messages by rule set: \(stored)")
                + (r.topics.ruleSets.keys.contains { $0 != r.topics.rules } ? " (run `switchboard topics apply` to reclassify)" : "")
                + "\n\n"
        }
        if !g.targets.isEmpty {
            var t: [[String]] = [["target", "goal", "actual", "status"]]
            for x in g.targets { t.append(targetRow(x)) }
            out += table(t) + "\n"
        }
        for (d, list) in r.breakdowns {
            var t: [[String]] = [[d.name, "conv", "resolved", "FRT median", "TTR median", "FCR", "CSAT", "backlog", "targets"]]
            for (k, m) in list {
                let missed = m.targets.filter { !$0.met }.count
                t.append([String(k.prefix(24)), "\(m.conversations)", pct(m.resolutionRate), m.frt.map { dur($0.median) } ?? "–",
                          m.resolutionTime.map { dur($0.median) } ?? "–", pct(m.fcrRate), pct(m.csat?.score),
                          m.backlog.map { "\($0.openAtEnd)" } ?? "–",
                          m.targets.isEmpty ? "–" : missed == 0 ? "all met" : "\(missed) missed"])
            }
            out += "By \(d.name)\n" + table(t) + "\n"
        }
        return out
    }

    static func targetRow(_ t: TargetResult) -> [String] {
        let isTime = t.within != nil
        let goal = isTime ? "within \(dur(t.target))" : "≥ \(pct(t.target))"
        let actual = isTime ? "\(pct(t.value)) within (\(t.within!) of \(t.within! + t.beyond!))" : pct(t.value)
        return [t.name, goal, actual, t.met ? "met" : "MISSED"]
    }

    /// Left-aligned first column, right-aligned others, separated by two spaces.
    static func table(_ rows: [[String]]) -> String {
        let n = rows.map(\.count).max() ?? 0
        var widths = Array(repeating: 0, count: n)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        var out = ""
        for (ri, r) in rows.enumerated() {
            var line = ""
            for (i, c) in r.enumerated() {
                let padding = String(repeating: " ", count: widths[i] - c.count)
                line += i == 0 ? c + padding : "  " + padding + c
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
            if ri == 0 { out += String(repeating: "─", count: min(widths.reduce(0, +) + 2 * (n - 1), 100)) + "\n" }
        }
        return out
    }

    static func pct(_ v: Double?) -> String {
        guard let v else { return "–" }
        return String(format: "%.1f%%", v * 100)
    }

    static func num(_ v: Double) -> String { String(format: "%.1f", v) }
    static func answers(_ n: Int) -> String { n == 1 ? "1 answer" : "\(n) answers" }

    /// `45s`, `12m 05s`, `3h 20m`, `2d 4h`.
    static func dur(_ s: Double) -> String {
        let v = Int(s.rounded())
        if v < 60 { return "\(v)s" }
        if v < 3600 { return "\(v / 60)m \(LocalClock.pad(v % 60, 2))s" }
        if v < 86400 { return "\(v / 3600)h \(LocalClock.pad(v / 60 % 60, 2))m" }
        return "\(v / 86400)d \(v / 3600 % 24)h"
    }
}

/// Renders a ``Report`` as CSV: one row per (breakdown, group, metric) with its value;
/// metrics without data have an empty value.
public enum CSVReportRenderer {
    public static func render(_ r: Report) -> String {
        var out = "breakdown,group,metric,value\n"
        func emit(_ dim: String, _ key: String, _ g: GroupMetrics) {
            for (name, value) in metrics(g) {
                // Metric names carry configured names (`phone.stages` names, agent ids, pause reasons): quoted when needed.
                out += "\(field(dim)),\(field(key)),\(field(name)),\(value.map(JSONWriter.format) ?? "")\n"
            }
        }
        emit("overall", "", r.overall)
        for (d, list) in r.breakdowns { for (k, g) in list { emit(d.name, k, g) } }
        for (fingerprint, n) in r.topics.ruleSets.sorted(by: { $0.key < $1.key }) {
            out += "topics,\(field(fingerprint)),rule_set_messages,\(n)\n"
        }
        if let previous = r.topics.previous {
            for (k, g) in r.groups(.topic) {
                let share = r.overall.conversations > 0 ? Double(g.conversations) / Double(r.overall.conversations) : nil
                let before = previous[k] ?? 0
                for (name, value) in [("share", share), ("previous_conversations", Double(before)),
                                      ("change", Double(g.conversations - before))] {
                    out += "topic,\(field(k)),\(name),\(value.map(JSONWriter.format) ?? "")\n"
                }
            }
        }
        return out
    }

    static func metrics(_ g: GroupMetrics) -> [(String, Double?)] {
        var m: [(String, Double?)] = [
            ("conversations", Double(g.conversations)), ("resolved", Double(g.resolved)), ("unresolved", Double(g.unresolved)),
            ("resolution_rate", g.resolutionRate),
        ]
        for (name, d) in [("frt", g.frt), ("resolution_time", g.resolutionTime)] {
            m += [("\(name)_count", d.map { Double($0.count) }), ("\(name)_mean", d?.mean), ("\(name)_median", d?.median),
                  ("\(name)_p90", d?.p90), ("\(name)_business_mean", d?.businessMean),
                  ("\(name)_business_median", d?.businessMedian), ("\(name)_business_p90", d?.businessP90)]
        }
        m += [("fcr_eligible", Double(g.fcrEligible)), ("fcr_count", Double(g.fcrCount)), ("fcr_rate", g.fcrRate),
              ("csat_responses", g.csat.map { Double($0.responses) }), ("csat_score", g.csat?.score),
              ("nps_responses", g.nps.map { Double($0.responses) }), ("nps_score", g.nps?.score),
              ("ces_responses", g.ces.map { Double($0.responses) }), ("ces_mean", g.ces?.score),
              ("backlog_open_at_end", g.backlog.map { Double($0.openAtEnd) }),
              ("phone_offered", g.phone.map { Double($0.offered) }), ("phone_answered", g.phone.map { Double($0.answered) }),
              ("phone_abandoned", g.phone.map { Double($0.abandoned) }), ("phone_abandonment_rate", g.phone?.abandonmentRate),
              ("phone_asa", g.phone?.asa), ("phone_service_level", g.phone?.serviceLevel), ("phone_aht", g.phone?.aht),
              ("volume_total", Double(g.volume.total)), ("repeat_contact_rate", g.repeatContactRate),
              ("without_topic", Double(g.withoutTopic))]
        m += stageMetrics(g)
        m += recoveryMetrics(g)
        m += agentMetrics(g)
        for t in g.targets { m.append(("target_\(t.name)", t.value)) }
        return m
    }

    /// RFC 4180 quoting (this CSV and the conversation list's): fields with a comma, quote, CR or LF are quoted,
    /// quotes doubled.
    static func field(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
