import Foundation
import SwitchboardCore

/// The topics section of the HTML report: where the topics came from, volume per topic against the
/// previous period, resolution time per topic and the per-topic table.
extension HTMLReportSections {
    /// Topics by volume, most conversations first, ties by label; `(none)` is left out.
    static func rankedTopics(_ input: HTMLReportInput) -> [(String, GroupMetrics)] {
        input.groups(.topic).filter { $0.0 != Breakdown.noneLabel }
            .sorted { ($1.1.conversations, $0.0) < ($0.1.conversations, $1.0) }
    }

    /// Topics with resolved conversations, slowest median resolution time first (ties by label).
    static func topicsBySlowestResolution(_ input: HTMLReportInput) -> [(String, DurationStats)] {
        input.groups(.topic).compactMap { label, g in
            label == Breakdown.noneLabel ? nil : g.resolutionTime.map { (label, $0) }
        }
        .sorted { ($1.1.median, $0.0) < ($0.1.median, $1.0) }
    }

    /// The change of a topic's volume against the previous period: `▲ 12`, `▼ 3`, `= 0`, or `new` when the
    /// topic had no conversations before; nil without a previous period.
    static func topicChange(_ current: Int, previous: Int?) -> String? {
        guard let previous else { return nil }
        if previous == 0 && current > 0 { return "new" }
        let d = current - previous
        return "\(d > 0 ? "▲" : d < 0 ? "▼" : "=") \(HTMLFormat.count(abs(d)))"
    }

    static func topics(_ input: HTMLReportInput) -> String {
        let r = input.report, t = r.topics, all = r.overall.conversations
        let ranked = rankedTopics(input)
        let none = input.groups(.topic).first { $0.0 == Breakdown.noneLabel }?.1
        var out = "<section id=\"topics\" aria-labelledby=\"topics-h\">\n<h2 id=\"topics-h\">Topics</h2>\n"
        out += topicNotes(t, hasTopics: !ranked.isEmpty)
        if all > 0 {
            let share = Double(r.overall.withoutTopic) / Double(all)
            out += "<p class=\"note\" id=\"topics-without\" data-value=\"\(r.overall.withoutTopic)\" data-share=\"\(raw(share))\">"
            out += "\(HTMLFormat.count(r.overall.withoutTopic)) conversation\(r.overall.withoutTopic == 1 ? "" : "s") "
            out += "(\(HTMLFormat.percent(share))) \(r.overall.withoutTopic == 1 ? "has" : "have") no topic</p>\n"
        }

        out += "<div class=\"grid\">\n"
        let volume = ranked.map { label, g in
            let change = topicChange(g.conversations, previous: t.previous.map { $0[label] ?? 0 })
            return SVGCharts.Bar(label, Double(g.conversations), HTMLFormat.count(g.conversations) + (change.map { " · \($0)" } ?? ""))
        }
        let versus = t.previous == nil ? "" : " · change vs previous period"
        out += SVGCharts.horizontalBars(id: "chart-topics", title: HTMLReportRenderer.chartTitles[6],
                                        valueName: "Conversations\(versus)", labelName: "Topic", bars: volume)
        let slow = topicsBySlowestResolution(input).map { label, d in
            SVGCharts.Bar(label, d.median, "\(HTMLFormat.duration(d.median)) · \(HTMLFormat.count(d.count)) resolved")
        }
        out += SVGCharts.horizontalBars(id: "chart-topic-resolution", title: HTMLReportRenderer.chartTitles[7],
                                        valueName: "Median resolution time · resolved conversations", labelName: "Topic", bars: slow)
        out += "</div>\n"
        return out + topicTable(input, rows: ranked + (none.map { [(Breakdown.noneLabel, $0)] } ?? [])) + "</section>\n"
    }

    /// Which rule set gave the rule topics, stored messages classified by another one, or how to get topics.
    static func topicNotes(_ t: TopicSummary, hasTopics: Bool) -> String {
        var out = ""
        if let rules = t.rules {
            out += "<p class=\"note\" id=\"topics-rules\" data-rules=\"\(HTMLFormat.escape(rules))\">Rule topics from rule set "
            out += "<code>\(HTMLFormat.escape(rules))</code></p>\n"
        }
        let stale = t.ruleSets.filter { $0.key != t.rules }.values.reduce(0, +)
        if stale > 0 {
            out += "<p class=\"note warn\" id=\"topics-stale\" data-value=\"\(stale)\">\(HTMLFormat.count(stale)) "
            out += "\(stale == 1 ? "message was" : "messages were") classified by an earlier rule set; "
            out += "run <code>switchboard topics apply</code> to reclassify</p>\n"
        }
        if !hasTopics && t.rules == nil {
            out += "<p class=\"note\" id=\"topics-none\" role=\"note\">No topics: add <code>topics:</code> rules to the config "
            out += "or import sources with labels (see docs/metrics.md)</p>\n"
        }
        return out
    }

    /// Per topic (ranked, `(none)` last): volume, share, previous period and change, times and rates.
    static func topicTable(_ input: HTMLReportInput, rows: [(String, GroupMetrics)]) -> String {
        let r = input.report, t = r.topics, all = r.overall.conversations
        guard rows.contains(where: { $0.0 != Breakdown.noneLabel }) else {
            return "<p class=\"nodata\" id=\"table-topics\" role=\"note\">No topics for this period.</p>\n"
        }
        var caption = "Per topic, most conversations first; a conversation counts once under each of its topics"
        if t.previous != nil, let from = t.previousFrom, let to = t.previousTo {
            caption += ". Previous period: \(HTMLReportRenderer.local(from, r.timeZone)) → \(HTMLReportRenderer.local(to, r.timeZone))"
        }
        var out = "<div class=\"scroll\"><table class=\"data\" id=\"table-topics\">\n<caption>\(HTMLFormat.escape(caption))</caption>\n<thead><tr>"
        for h in ["Topic", "Conversations", "Share", "Previous period", "Change", "FRT median", "FRT p90", "Resolution median",
                  "Resolution p90", "Resolution rate", "FCR", "CSAT"] {
            out += "<th scope=\"col\">\(h)</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for (label, g) in rows {
            let isNone = label == Breakdown.noneLabel
            let before = t.previous.map { $0[label] ?? 0 }
            let name = isNone ? "(no topic)" : label
            out += "<tr data-group=\"\(HTMLFormat.escape(label))\"\(isNone ? " class=\"none\"" : "")>"
            out += "<th scope=\"row\" class=\"name\"><bdi>\(HTMLFormat.escape(name))</bdi></th>"
            out += cell(Double(g.conversations), .count, "conversations", href: HTMLReportLinks.groupLink(input, .topic, label))
            out += cell(all > 0 ? Double(g.conversations) / Double(all) : nil, .rate, "share")
            out += cell(before.map(Double.init), .count, "previous",
                        href: before == nil ? nil : HTMLReportLinks.groupLink(input, .topic, label, from: t.previousFrom, to: t.previousTo))
            out += cell(before.map { Double(g.conversations - $0) }, .count, "change",
                        text: topicChange(g.conversations, previous: before) ?? "—")
            out += cell(g.frt?.median, .duration, "frt_median") + cell(g.frt?.p90, .duration, "frt_p90")
            out += cell(g.resolutionTime?.median, .duration, "resolution_median") + cell(g.resolutionTime?.p90, .duration, "resolution_p90")
            out += cell(g.resolutionRate, .rate, "resolution_rate") + cell(g.fcrRate, .rate, "fcr") + cell(g.csat?.score, .rate, "csat")
            out += "</tr>\n"
        }
        return out + "</tbody></table></div>\n"
    }
}
