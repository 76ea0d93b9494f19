import Foundation

/// The "Call centre" section of the HTML report (`#call-centre`): the call-stage funnel with its data table,
/// then the agent time, recovery and staffing fragments (each written in its own file, one call each below).
/// Shown when the period has calls.
extension HTMLReportSections {
    /// Title of the funnel chart (the DOM shows it as a heading).
    static let funnelTitle = "Call stages: where callers give up"

    static func callCentre(_ input: HTMLReportInput) -> String {
        let g = input.report.overall
        guard g.phone != nil || g.phoneStages != nil else { return "" }
        var out = "<section id=\"call-centre\" aria-labelledby=\"call-centre-h\">\n<h2 id=\"call-centre-h\">Call centre</h2>\n"
        out += callFunnel(input)
        // Agent time, recovery and staffing fragments follow here, one call each.
        out += agentTime(input)
        out += recoveryAndStaffing(input)
        return out + "</section>\n"
    }

    /// Calls entering each stage (bars in call order) with what was abandoned there, then the per-stage table.
    static func callFunnel(_ input: HTMLReportInput) -> String {
        guard let s = input.report.overall.phoneStages else { return "" }
        let bars = s.stages.map { st in
            SVGCharts.Bar(st.name, Double(st.entered),
                          "\(HTMLFormat.count(st.entered)) · \(HTMLFormat.count(st.abandoned)) abandoned")
        }
        var out = "<div class=\"grid\">\n"
        out += SVGCharts.horizontalBars(id: "chart-call-stages", title: funnelTitle, valueName: "Calls entered · abandoned there",
                                        labelName: "Stage", bars: bars)
        out += "</div>\n"
        out += "<div class=\"scroll\"><table class=\"data\" id=\"table-call-stages\">\n"
        out += "<caption>Inbound calls by stage in call order: a call that reached a stage entered every earlier one; "
        out += "abandoned = the caller hung up with this as the last stage reached</caption>\n<thead><tr>"
        for h in ["Stage", "Entered", "Abandoned", "Abandon rate", "Give-up wait median", "Give-up wait p90", "Ended here",
                  "Queue positions at abandon"] {
            out += "<th scope=\"col\">\(h)</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for st in s.stages {
            let positions = st.abandonedPositions.sorted { $0.key < $1.key }.map { "#\($0.key): \(HTMLFormat.count($0.value))" }
            out += "<tr data-stage=\"\(HTMLFormat.escape(st.name))\"><th scope=\"row\" class=\"name\"><bdi>\(HTMLFormat.escape(st.name))</bdi></th>"
            out += cell(Double(st.entered), .count, "entered") + cell(Double(st.abandoned), .count, "abandoned")
            out += cell(st.abandonRate, .rate, "abandon_rate")
            out += cell(st.abandonWaitMedian, .duration, "abandon_wait_median") + cell(st.abandonWaitP90, .duration, "abandon_wait_p90")
            out += cell(Double(st.ended), .count, "ended")
            out += "<td data-key=\"abandoned_positions\">\(positions.isEmpty ? "—" : HTMLFormat.escape(positions.joined(separator: ", ")))</td>"
            out += "</tr>\n"
        }
        out += "</tbody></table></div>\n"
        out += "<p class=\"note\" id=\"call-ivr\" data-value=\"\(s.ivr)\">\(HTMLFormat.count(s.ivr)) "
        out += "call\(s.ivr == 1 ? "" : "s") handled by the PBX alone (ivr: no agent leg; not in offered)</p>\n"
        if s.unstaged > 0 {
            out += "<p class=\"note warn\" id=\"call-unstaged\" data-value=\"\(s.unstaged)\">\(HTMLFormat.count(s.unstaged)) "
            out += "unanswered call\(s.unstaged == 1 ? "" : "s") matched no stage of <code>phone.stages</code> "
            out += "(\(HTMLFormat.count(s.unstagedAbandoned)) abandoned)</p>\n"
        }
        return out
    }
}
