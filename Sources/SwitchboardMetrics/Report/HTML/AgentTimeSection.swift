import Foundation

/// The agent time fragment of the "Call centre" section (`#agent-time`): per agent, one stacked bar of the
/// logged-in time split into talk, idle and paused by reason (each part labelled, the shares written beside
/// the bar), then the data table with every figure of `phone.agents` and the transfer rate per queue.
extension HTMLReportSections {
    static let agentTimeTitle = "Agent time: talk, idle and pauses"

    /// Fills of the bar parts: talk, idle, then pause reasons in turn (each part also named in its title and the legend).
    static let agentTimeFills = ["#2f6fb3", "#cbd2d9", "#c2410c", "#e9a23b", "#7c3aed", "#0f766e", "#9f1239"]

    static func agentTime(_ input: HTMLReportInput) -> String {
        guard let a = input.report.overall.agentTime, !a.agents.isEmpty else { return "" }
        let agents = a.agents.sorted { $0.key < $1.key }
        let reasons = Array(Set(agents.flatMap { $0.value.pausedByReason.keys })).sorted()
        let parts = ["talk", "idle"] + reasons.map { "paused: \($0)" }
        func fill(_ i: Int) -> String { agentTimeFills[min(i, agentTimeFills.count - 1)] }
        var out = "<div id=\"agent-time\">\n"
        // The chart: one row per agent, the bar as long as the agent's logged-in time (talk beyond it is drawn as logged in).
        let rowH = 30.0, left = 150.0, right = 200.0, width = SVGCharts.width
        let longest = agents.map { max($0.value.loggedIn, $0.value.talk + $0.value.paused) }.max() ?? 0
        var svg = ""
        var x0 = left
        for (i, name) in parts.enumerated() {
            svg += "<rect x=\"\(SVGCharts.f(x0))\" y=\"4\" width=\"10\" height=\"10\" style=\"fill:\(fill(i))\"/>"
            svg += "<text class=\"small\" x=\"\(SVGCharts.f(x0 + 14))\" y=\"13\">\(HTMLFormat.escape(name))</text>"
            x0 += 24 + Double(name.count) * 6
        }
        svg += "\n"
        for (k, (id, s)) in agents.enumerated() {
            let y = 22 + rowH * Double(k)
            svg += "<text class=\"lbl\" x=\"\(SVGCharts.f(left - 8))\" y=\"\(SVGCharts.f(y + rowH / 2 + 3))\" text-anchor=\"end\">"
            svg += "\(HTMLFormat.escape(SVGCharts.short(id, 20)))</text>"
            let values = [min(s.talk, max(0, s.loggedIn - s.paused)), s.idle] + reasons.map { s.pausedByReason[$0] ?? 0 }
            var x = left
            for (i, v) in values.enumerated() where v > 0 {
                let w = longest > 0 ? (width - left - right) * v / longest : 0
                svg += "<rect x=\"\(SVGCharts.f(x))\" y=\"\(SVGCharts.f(y + 4))\" width=\"\(SVGCharts.f(w))\" height=\"\(SVGCharts.f(rowH - 10))\" "
                svg += "style=\"fill:\(fill(i))\" data-part=\"\(HTMLFormat.escape(parts[i]))\" data-value=\"\(raw(v))\">"
                svg += "<title>\(HTMLFormat.escape(id)): \(HTMLFormat.escape(parts[i])) \(HTMLFormat.duration(v))</title></rect>"
                x += w
            }
            let text = "logged in \(HTMLFormat.duration(s.loggedIn)), occupancy \(HTMLFormat.percent(s.occupancy))"
            svg += "<text class=\"val\" x=\"\(SVGCharts.f(x + 6))\" y=\"\(SVGCharts.f(y + rowH / 2 + 3))\">\(HTMLFormat.escape(text))</text>\n"
        }
        let summary = "\(agentTimeTitle): " + agents.map { id, s in
            "\(id) logged in \(HTMLFormat.duration(s.loggedIn)): talk \(HTMLFormat.duration(s.talk)), idle \(HTMLFormat.duration(s.idle)), "
                + "paused \(HTMLFormat.duration(s.paused))"
        }.joined(separator: "; ") + "."
        let rows = agents.map { id, s in
            [id, HTMLFormat.duration(s.loggedIn), HTMLFormat.duration(s.talk), HTMLFormat.duration(s.idle)]
                + reasons.map { HTMLFormat.duration(s.pausedByReason[$0] ?? 0) }
        }
        out += "<div class=\"grid\">\n"
        out += SVGCharts.figure(id: "chart-agent-time", title: agentTimeTitle, summary: summary,
                                svg: longest > 0 ? svg : nil, height: 26 + rowH * Double(agents.count),
                                table: (["Agent", "Logged in", "Talk", "Idle"] + reasons.map { "Paused: \($0)" }, rows))
        out += "</div>\n"
        out += agentTimeTable(agents, reasons)
        out += transferTable(a)
        return out + "</div>\n"
    }

    /// Every figure of `phone.agents` per agent.
    static func agentTimeTable(_ agents: [(key: String, value: AgentTimeStats)], _ reasons: [String]) -> String {
        var out = "<div class=\"scroll\"><table class=\"data\" id=\"table-agent-time\">\n"
        out += "<caption>Agent time from the queue log: occupancy = talk ÷ (logged in − paused), utilisation = talk ÷ logged in</caption>\n<thead><tr>"
        for h in ["Agent", "Logged in", "Paused"] + reasons.map({ "Paused: \($0)" })
            + ["Talk", "Idle", "Occupancy", "Utilisation", "Calls handled", "Transfers", "Transfer rate", "Rings not answered"] {
            out += "<th scope=\"col\">\(HTMLFormat.escape(h))</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for (id, s) in agents {
            out += "<tr data-agent=\"\(HTMLFormat.escape(id))\"><th scope=\"row\" class=\"name\"><bdi>\(HTMLFormat.escape(id))</bdi></th>"
            out += cell(s.loggedIn, .duration, "logged_in") + cell(s.paused, .duration, "paused")
            for r in reasons { out += cell(s.pausedByReason[r] ?? 0, .duration, "paused_by_reason") }
            out += cell(s.talk, .duration, "talk") + cell(s.idle, .duration, "idle")
            out += cell(s.occupancy, .rate, "occupancy") + cell(s.utilisation, .rate, "utilisation")
            out += cell(Double(s.handled), .count, "handled") + cell(Double(s.transfers), .count, "transfers")
            out += cell(s.transferRate, .rate, "transfer_rate") + cell(Double(s.ringNoAnswer), .count, "ring_no_answer")
            out += "</tr>\n"
        }
        return out + "</tbody></table></div>\n"
    }

    /// Calls handled and transferred per queue.
    static func transferTable(_ a: AgentTimeReport) -> String {
        guard !a.transfersByQueue.isEmpty else { return "" }
        var out = "<div class=\"scroll\"><table class=\"data\" id=\"table-transfers\">\n"
        out += "<caption>Transfers per queue: calls agents took and passed on (transfer rate = transferred ÷ handled)</caption>\n<thead><tr>"
        for h in ["Queue", "Calls handled", "Transferred", "Transfer rate"] { out += "<th scope=\"col\">\(h)</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for (q, x) in a.transfersByQueue.sorted(by: { $0.key < $1.key }) {
            out += "<tr data-queue=\"\(HTMLFormat.escape(q))\"><th scope=\"row\" class=\"name\"><bdi>\(HTMLFormat.escape(q))</bdi></th>"
            out += cell(Double(x.handled), .count, "handled") + cell(Double(x.transfers), .count, "transferred") + cell(x.rate, .rate, "rate")
            out += "</tr>\n"
        }
        return out + "</tbody></table></div>\n"
    }
}
