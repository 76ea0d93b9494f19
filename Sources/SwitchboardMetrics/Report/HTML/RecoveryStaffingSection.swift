import Foundation

/// The recovery and staffing fragments of the "Call centre" section: lost calls by day (lost, recovered,
/// never reached) with their table and, on the served page, a link to the never-reached callers; then the
/// weekday × hour staffing grid (agents needed by Erlang C against agents logged in) with the data table
/// of every cell and the back-test beside the recommendation.
extension HTMLReportSections {
    static let recoveryTitle = "Lost calls: called back or came back"
    static let staffingTitle = "Staffing: agents needed (Erlang C) vs logged in"

    static func recoveryAndStaffing(_ input: HTMLReportInput) -> String {
        guard let p = input.report.overall.phone else { return "" }
        return recovery(input, p) + staffing(p)
    }

    static func recovery(_ input: HTMLReportInput, _ p: PhoneStats) -> String {
        guard let r = p.recovery else { return "" }
        var out = "<div id=\"call-recovery\" data-lost=\"\(r.lost)\" data-recovered=\"\(r.recovered)\" data-rate=\"\(raw(r.rate))\">\n"
        let days = r.byDay.sorted { $0.key < $1.key }
        let bars = days.map { day, d in
            SVGCharts.Bar(day, Double(d.lost), "\(d.lost) lost · \(d.recovered) recovered")
        }
        out += "<div class=\"grid\">\n"
        out += SVGCharts.horizontalBars(id: "chart-call-recovery", title: recoveryTitle, valueName: "Lost calls · recovered",
                                        labelName: "Day", bars: bars)
        out += "</div>\n"
        out += "<p class=\"note\" id=\"call-recovery-summary\" data-value=\"\(raw(r.rate))\">"
        out += "\(HTMLFormat.count(r.recovered)) of \(HTMLFormat.count(r.lost - r.pending)) decided lost calls recovered within "
        out += "\(DurationStats.label(r.window)) (\(HTMLFormat.percent(r.rate))): \(HTMLFormat.count(r.byCallback)) by a callback "
        out += "that was answered, \(HTMLFormat.count(r.byReturn)) by the customer coming back; median time to recovery "
        out += "\(HTMLFormat.escape(HTMLFormat.duration(r.medianTimeToRecovery))). \(HTMLFormat.count(r.pending)) still within the window.</p>\n"
        let never = "\(HTMLFormat.count(r.neverReached)) caller\(r.neverReached == 1 ? "" : "s") never reached"
        if input.links != nil {
            let q = HTMLReportLinks.base(input.report, input.filters.filters) + [("never-reached", "1")]
            out += "<p class=\"tile-drill\" data-condition=\"never-reached\" data-count=\"\(r.neverReached)\">"
            out += HTMLReportLinks.anchor(HTMLReportLinks.conversations(q), never) + "</p>\n"
        } else {
            out += "<p class=\"note\" data-count=\"\(r.neverReached)\">\(never) (<code>switchboard conversations --never-reached</code> lists them)</p>\n"
        }
        out += "<div class=\"scroll\"><table class=\"data\" id=\"table-call-recovery\">\n"
        out += "<caption>Lost calls (abandoned, missed, timeout) by the day they came in, and what became of them</caption>\n<thead><tr>"
        for h in ["Day", "Lost", "Recovered", "Pending", "Callers never reached"] { out += "<th scope=\"col\">\(h)</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for (day, d) in days {
            out += "<tr data-day=\"\(day)\"><th scope=\"row\">\(day)</th>" + cell(Double(d.lost), .count, "lost")
            out += cell(Double(d.recovered), .count, "recovered") + cell(Double(d.pending), .count, "pending")
            out += cell(Double(d.neverReached), .count, "never_reached") + "</tr>\n"
        }
        out += "</tbody></table></div>\n"
        if !r.byChannel.isEmpty {
            out += "<p class=\"note\" id=\"call-recovery-channels\">Recovered by channel: "
            out += HTMLFormat.escape(r.byChannel.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) + "</p>\n"
        }
        return out + "</div>\n"
    }

    static func staffing(_ p: PhoneStats) -> String {
        guard let s = p.staffing, !s.cells.isEmpty else { return "" }
        var byCell: [Int: StaffingCell] = [:]
        for c in s.cells { byCell[c.weekday * 24 + c.hour] = c }
        let hours = Set(s.cells.map(\.hour)).sorted()
        var out = "<div id=\"call-staffing\">\n<h3 id=\"call-staffing-h\">\(HTMLFormat.escape(staffingTitle))</h3>\n"
        out += "<div class=\"scroll\"><table class=\"data staffing-grid\" id=\"table-staffing-grid\" aria-labelledby=\"call-staffing-h\">\n"
        out += "<caption>Each cell: agents to roster for the service-level target / agents logged in (mean); "
        out += "<strong>short</strong> marks hours with fewer logged in than needed</caption>\n<thead><tr><th scope=\"col\">Weekday</th>"
        for h in hours { out += "<th scope=\"col\">\(LocalClock.pad(h, 2)):00</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for w in 1...7 where hours.contains(where: { byCell[w * 24 + $0] != nil }) {
            out += "<tr><th scope=\"row\">\(GroupMetrics.weekdayNames[w])</th>"
            for h in hours {
                guard let c = byCell[w * 24 + h] else { out += "<td>—</td>"; continue }
                let need = c.requiredAgents.map(String.init) ?? "–"
                let have = c.loggedInAgents.map { HTMLFormat.number($0) } ?? "–"
                let short = c.requiredAgents.flatMap { n in c.loggedInAgents.map { $0 < Double(n) } } ?? false
                out += "<td class=\"num\(short ? " short" : "")\" data-weekday=\"\(GroupMetrics.weekdayNames[w])\" data-hour=\"\(h)\" "
                out += "data-required=\"\(c.requiredAgents.map(String.init) ?? "")\" data-logged-in=\"\(raw(c.loggedInAgents))\">"
                out += "\(need) / \(HTMLFormat.escape(have))\(short ? " <strong>short</strong>" : "")</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody></table></div>\n"
        out += "<details><summary>Data table: \(HTMLFormat.escape(staffingTitle))</summary>\n"
        out += "<table class=\"data\" id=\"table-staffing\"><thead><tr>"
        for h in ["Weekday", "Hour", "Calls per hour", "AHT", "Erlangs", "On the phones", "To roster", "Logged in", "Service level",
                  "Predicted", "Back-test error (MAPE)", "Weeks tested", "Erlang A: to roster", "Erlang A: giving up"] {
            out += "<th scope=\"col\">\(h)</th>"
        }
        out += "</tr></thead><tbody>\n"
        for c in s.cells {
            out += "<tr><th scope=\"row\">\(GroupMetrics.weekdayNames[c.weekday])</th><td>\(LocalClock.pad(c.hour, 2)):00</td>"
            out += cell(c.offeredPerHour, .score, "offered_per_hour") + cell(c.aht, .duration, "aht") + cell(c.erlangs, .score, "erlangs")
            out += cell(c.onPhones.map(Double.init), .count, "agents_on_phones") + cell(c.requiredAgents.map(Double.init), .count, "required_agents")
            out += cell(c.loggedInAgents, .score, "logged_in_agents") + cell(c.serviceLevel, .rate, "service_level")
            out += cell(c.predictedServiceLevel, .rate, "predicted_service_level") + cell(c.backtestMAPE, .rate, "backtest_mape")
            out += cell(Double(c.backtestWeeks), .count, "backtest_weeks")
            out += cell(c.erlangARequiredAgents.map(Double.init), .count, "erlang_a_required_agents")
            out += cell(c.erlangAAbandonment, .rate, "erlang_a_abandonment") + "</tr>\n"
        }
        out += "</tbody></table></details>\n"
        out += "<p class=\"note\" id=\"call-staffing-backtest\" data-value=\"\(raw(s.backtestMAPE))\">Back-test: "
        out += s.backtestMAPE.map { "Erlang C fitted on the earlier weeks of each week missed the service level achieved by "
            + "\(HTMLFormat.percent($0)) on average (MAPE over \(HTMLFormat.count(s.backtestHours)) hours)." }
            ?? "needs at least two weeks with calls and agent log-ins (queue_log) in the period."
        if let patience = s.patience {
            out += " Erlang A uses the callers' observed patience of \(HTMLFormat.escape(HTMLFormat.duration(patience))) on average."
        }
        return out + "</p>\n</div>\n"
    }
}
