import Foundation

/// The call-stage funnel in the terminal table and the CSV (docs/metrics.md "Call stages").
extension TextReportRenderer {
    /// "Call stages" table: one row per stage in call order, then the ivr-only and unstaged lines.
    static func stages(_ s: PhoneStageStats?) -> String {
        guard let s else { return "" }
        var t: [[String]] = [["call stage", "entered", "abandoned", "rate", "wait median / p90", "positions at abandon"]]
        for st in s.stages {
            let positions = st.abandonedPositions.sorted { $0.key < $1.key }.map { "#\($0.key)×\($0.value)" }.joined(separator: " ")
            t.append([st.name, "\(st.entered)", "\(st.abandoned)", pct(st.abandonRate),
                      st.abandonWaitMedian.map { "\(dur($0)) / \(dur(st.abandonWaitP90 ?? $0))" } ?? "–",
                      positions.isEmpty ? "–" : positions])
        }
        t.append(["ivr only (no agent leg)", "\(s.ivr)", "", "", "", ""])
        if s.unstaged > 0 { t.append(["matching no stage", "\(s.unstaged)", "\(s.unstagedAbandoned)", "", "", ""]) }
        return table(t) + "\n"
    }
}

extension CSVReportRenderer {
    /// `phone_stage_<name>_<value>` metrics of a group, `phone_ivr` and `phone_unstaged*`.
    static func stageMetrics(_ g: GroupMetrics) -> [(String, Double?)] {
        guard let s = g.phoneStages else { return [] }
        var m: [(String, Double?)] = []
        for st in s.stages {
            let p = "phone_stage_\(st.name)"
            m += [("\(p)_entered", Double(st.entered)), ("\(p)_abandoned", Double(st.abandoned)),
                  ("\(p)_short_abandoned", Double(st.shortAbandoned)), ("\(p)_ended", Double(st.ended)),
                  ("\(p)_abandon_rate", st.abandonRate), ("\(p)_abandon_wait_median", st.abandonWaitMedian),
                  ("\(p)_abandon_wait_p90", st.abandonWaitP90)]
            for (pos, n) in st.abandonedPositions.sorted(by: { $0.key < $1.key }) {
                m.append(("\(p)_abandoned_position_\(pos)", Double(n)))
            }
        }
        m += [("phone_ivr", Double(s.ivr)), ("phone_unstaged", Double(s.unstaged)), ("phone_unstaged_abandoned", Double(s.unstagedAbandoned))]
        return m
    }
}
