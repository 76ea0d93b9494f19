import Foundation

/// Lost-call recovery and the staffing grid in the terminal table and in CSV rows.
extension TextReportRenderer {
    /// The recovery lines and the staffing table (hours with calls), or "" without them.
    static func recoveryAndStaffing(_ p: PhoneStats?) -> String {
        guard let p else { return "" }
        var out = ""
        if let r = p.recovery {
            var rows: [[String]] = [["lost calls (recovery within \(DurationStats.label(r.window)))", "value"]]
            rows.append(["lost / recovered / pending", "\(r.lost) / \(r.recovered) / \(r.pending)"])
            rows.append(["recovery rate", pct(r.rate)])
            rows.append(["by callback / by the customer's return", "\(r.byCallback) / \(r.byReturn)"])
            rows.append(["time to recovery median / p90", "\(r.medianTimeToRecovery.map(dur) ?? "–") / \(r.p90TimeToRecovery.map(dur) ?? "–")"])
            rows.append(["callers never reached (calls)", "\(r.neverReached) (\(r.neverReachedCalls))"])
            if r.anonymous > 0 { rows.append(["anonymous lost calls", "\(r.anonymous)"]) }
            if !r.byChannel.isEmpty {
                rows.append(["recovered by channel", r.byChannel.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")])
            }
            out += table(rows) + "\n"
        }
        if let s = p.staffing, !s.cells.isEmpty {
            var rows: [[String]] = [["staffing", "calls/h", "AHT", "needed", "logged in", "SL", "predicted", "back-test"]]
            for c in s.cells where c.offered > 0 {
                rows.append(["\(GroupMetrics.weekdayNames[c.weekday]) \(LocalClock.pad(c.hour, 2)):00", num(c.offeredPerHour),
                             c.aht.map(dur) ?? "–", c.requiredAgents.map(String.init) ?? "–", c.loggedInAgents.map(num) ?? "–",
                             pct(c.serviceLevel), pct(c.predictedServiceLevel),
                             c.backtestMAPE.map { "\(pct($0)) (\(c.backtestWeeks) wk)" } ?? "–"])
            }
            out += table(rows)
            out += "Back-test (Erlang C on earlier weeks vs the level achieved): "
                + (s.backtestMAPE.map { "MAPE \(pct($0)) over \(s.backtestHours) hours" } ?? "not enough weeks or no log-in data") + "\n\n"
        }
        return out
    }
}

extension CSVReportRenderer {
    /// `phone_recovery_*` rows and, per staffing cell, `phone_staffing_<day>_<hh>_*` rows.
    static func recoveryMetrics(_ g: GroupMetrics) -> [(String, Double?)] {
        var m: [(String, Double?)] = []
        if let r = g.phone?.recovery {
            m += [("phone_recovery_lost", Double(r.lost)), ("phone_recovery_recovered", Double(r.recovered)),
                  ("phone_recovery_rate", r.rate), ("phone_recovery_pending", Double(r.pending)),
                  ("phone_recovery_never_reached", Double(r.neverReached)), ("phone_recovery_by_callback", Double(r.byCallback)),
                  ("phone_recovery_by_return", Double(r.byReturn)), ("phone_recovery_median_time", r.medianTimeToRecovery)]
            for (ch, n) in r.byChannel.sorted(by: { $0.key < $1.key }) { m.append(("phone_recovery_by_channel_\(ch)", Double(n))) }
            for (day, d) in r.byDay.sorted(by: { $0.key < $1.key }) {
                m.append(("phone_recovery_\(day)_lost", Double(d.lost)))
                m.append(("phone_recovery_\(day)_never_reached", Double(d.neverReached)))
            }
        }
        if let s = g.phone?.staffing {
            for c in s.cells {
                let k = "phone_staffing_\(GroupMetrics.weekdayNames[c.weekday])_\(LocalClock.pad(c.hour, 2))"
                m += [("\(k)_offered_per_hour", c.offeredPerHour), ("\(k)_aht", c.aht), ("\(k)_required_agents", c.requiredAgents.map(Double.init)),
                      ("\(k)_logged_in_agents", c.loggedInAgents), ("\(k)_service_level", c.serviceLevel),
                      ("\(k)_backtest_mape", c.backtestMAPE)]
            }
            m.append(("phone_staffing_backtest_mape", s.backtestMAPE))
        }
        return m
    }
}
