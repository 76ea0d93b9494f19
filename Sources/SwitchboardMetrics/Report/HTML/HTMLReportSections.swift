import Foundation
import SwitchboardCore

/// KPI tiles and tables of the HTML report.
enum HTMLReportSections {
    /// One KPI tile: `key` is its id suffix (`kpi-<key>`), `value` the raw number of the JSON report.
    struct Tile {
        var key: String
        var title: String
        var value: Double?
        var previous: Double?
        var kind: HTMLFormat.ValueKind
        var target: [TargetResult] = []
        /// A rise is good (rates, CSAT) or bad (times, backlog, abandonment); nil: neutral (volume).
        var higherIsBetter: Bool?
    }

    /// The tile titles, in page order (every one is always shown; "No data" when empty).
    static let tileTitles = ["Conversations", "First response (median)", "Resolution time (median)", "Resolution rate",
                             "First contact resolution", "CSAT", "NPS", "Open backlog", "Abandonment rate", "Service level",
                             "Repeat contact rate"]

    static func tileList(_ g: GroupMetrics, _ p: GroupMetrics?) -> [Tile] {
        let t = tileTitles
        let frtTargets = g.targets.filter { $0.name.hasPrefix("frt_") }
        return [
            Tile(key: "conversations", title: t[0], value: Double(g.conversations), previous: p.map { Double($0.conversations) }, kind: .count),
            Tile(key: "frt_median", title: t[1], value: g.frt?.median, previous: p?.frt?.median, kind: .duration, target: frtTargets, higherIsBetter: false),
            Tile(key: "resolution_median", title: t[2], value: g.resolutionTime?.median, previous: p?.resolutionTime?.median, kind: .duration, higherIsBetter: false),
            Tile(key: "resolution_rate", title: t[3], value: g.resolutionRate, previous: p?.resolutionRate, kind: .rate, higherIsBetter: true),
            Tile(key: "fcr", title: t[4], value: g.fcrRate, previous: p?.fcrRate, kind: .rate, target: g.targets.filter { $0.name == "fcr" }, higherIsBetter: true),
            Tile(key: "csat", title: t[5], value: g.csat?.score, previous: p?.csat?.score, kind: .rate, target: g.targets.filter { $0.name == "csat" }, higherIsBetter: true),
            Tile(key: "nps", title: t[6], value: g.nps?.score, previous: p?.nps?.score, kind: .score, higherIsBetter: true),
            Tile(key: "backlog", title: t[7], value: g.backlog.map { Double($0.openAtEnd) }, previous: p?.backlog.map { Double($0.openAtEnd) }, kind: .count, higherIsBetter: false),
            Tile(key: "abandonment_rate", title: t[8], value: g.phone?.abandonmentRate, previous: p?.phone?.abandonmentRate, kind: .rate, higherIsBetter: false),
            Tile(key: "service_level", title: t[9], value: g.phone?.serviceLevel, previous: p?.phone?.serviceLevel, kind: .rate,
                 target: g.targets.filter { $0.name == "phone_answer" }, higherIsBetter: true),
            Tile(key: "repeat_contact", title: t[10], value: g.repeatContactRate, previous: p?.repeatContactRate, kind: .rate, higherIsBetter: false),
        ]
    }

    static func tiles(_ input: HTMLReportInput) -> String {
        var out = "<section id=\"kpis\" aria-label=\"Key figures\">\n<h2>Key figures</h2>\n<div class=\"tiles\">\n"
        for tile in tileList(input.report.overall, input.previous) {
            out += "<article class=\"tile\" id=\"kpi-\(tile.key)\" data-value=\"\(raw(tile.value))\">\n"
            out += "<h3 class=\"tile-title\">\(HTMLFormat.escape(tile.title))</h3>\n"
            if tile.value == nil {
                out += "<p class=\"tile-value nodata\">No data</p>\n"
            } else {
                let text = HTMLFormat.escape(HTMLFormat.value(tile.value, tile.kind))
                out += "<p class=\"tile-value\">\(HTMLReportLinks.tileLink(input, tile.key).map { HTMLReportLinks.anchor($0, text) } ?? text)</p>\n"
            }
            for t in tile.target {
                let goal = t.within != nil ? "\(targetName(t.name)) within \(HTMLFormat.duration(t.target)): \(HTMLFormat.percent(t.value))"
                    : "target \(HTMLFormat.percent(t.target))"
                out += "<p class=\"tile-target \(t.met ? "met" : "missed")\" data-target=\"\(t.name)\" data-status=\"\(t.met ? "met" : "missed")\">"
                out += "\(HTMLFormat.escape(goal)) — <strong>\(t.met ? "✓ met" : "✗ missed")</strong></p>\n"
            }
            out += HTMLReportLinks.drillLines(input, tile.key)
            if input.previous != nil {
                if let change = HTMLFormat.change(current: tile.value, previous: tile.previous, kind: tile.kind) {
                    let d = (tile.value ?? 0) - (tile.previous ?? 0)
                    let tone = d == 0 || tile.higherIsBetter == nil ? "flat" : ((d > 0) == tile.higherIsBetter! ? "good" : "bad")
                    out += "<p class=\"tile-change \(tone)\" data-previous=\"\(raw(tile.previous))\">\(HTMLFormat.escape(change)) vs previous period</p>\n"
                } else {
                    out += "<p class=\"tile-change flat\">no data in the previous period</p>\n"
                }
            }
            out += "</article>\n"
        }
        return out + "</div>\n</section>\n"
    }

    static func targetName(_ name: String) -> String {
        name.hasPrefix("frt_") ? "first response on \(name.dropFirst(4))" : name == "phone_answer" ? "answered" : name
    }

    /// The raw value for `data-value` (JSON number text), empty for nil.
    static func raw(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "" }
        return JSONWriter.format(v)
    }

    /// A number cell: the raw value in `data-value`, the value formatted by kind (or `text`) for people.
    /// With `href` (the served page) the text links to the conversations it counts.
    static func cell(_ v: Double?, _ kind: HTMLFormat.ValueKind, _ key: String, text: String? = nil, href: String? = nil) -> String {
        let shown = HTMLFormat.escape(text ?? HTMLFormat.value(v, kind))
        return "<td class=\"num\" data-key=\"\(key)\" data-value=\"\(raw(v))\">\(href.map { HTMLReportLinks.anchor($0, shown) } ?? shown)</td>"
    }

    /// Conversations, FRT median/p90, resolution median, FCR, CSAT per agent (names isolated with `<bdi>`).
    static func agentTable(_ input: HTMLReportInput) -> String {
        let groups = input.groups(.agent)
        var out = "<section id=\"table-agents\" aria-labelledby=\"table-agents-h\">\n<h2 id=\"table-agents-h\">Agents</h2>\n"
        guard !groups.isEmpty else { return out + "<p class=\"nodata\" role=\"note\">No data for this period.</p>\n</section>\n" }
        out += "<div class=\"scroll\"><table class=\"data\">\n<caption>Per agent (owner of the conversation)</caption>\n<thead><tr>"
        for h in ["Agent", "Conversations", "FRT median", "FRT p90", "Resolution median", "FCR", "CSAT"] { out += "<th scope=\"col\">\(h)</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for (id, g) in groups {
            let name = id == "(none)" ? "(unassigned)" : input.agentNames[id] ?? id
            out += "<tr data-group=\"\(HTMLFormat.escape(id))\"><th scope=\"row\" class=\"name\"><bdi>\(HTMLFormat.escape(name))</bdi></th>"
            out += cell(Double(g.conversations), .count, "conversations", href: HTMLReportLinks.groupLink(input, .agent, id))
            out += cell(g.frt?.median, .duration, "frt_median")
            out += cell(g.frt?.p90, .duration, "frt_p90") + cell(g.resolutionTime?.median, .duration, "resolution_median")
            out += cell(g.fcrRate, .rate, "fcr") + cell(g.csat?.score, .rate, "csat") + "</tr>\n"
        }
        return out + "</tbody></table></div>\n</section>\n"
    }

    /// The same figures per channel, with resolution rate and volume share.
    static func channelTable(_ input: HTMLReportInput) -> String {
        let groups = input.groups(.channel)
        var out = "<section id=\"table-channels\" aria-labelledby=\"table-channels-h\">\n<h2 id=\"table-channels-h\">Channels</h2>\n"
        guard !groups.isEmpty else { return out + "<p class=\"nodata\" role=\"note\">No data for this period.</p>\n</section>\n" }
        out += "<div class=\"scroll\"><table class=\"data\">\n<caption>Per channel</caption>\n<thead><tr>"
        for h in ["Channel", "Conversations", "FRT median", "FRT p90", "Resolution median", "Resolution rate", "FCR", "CSAT"] {
            out += "<th scope=\"col\">\(h)</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for (key, g) in groups {
            out += "<tr data-group=\"\(HTMLFormat.escape(key))\"><th scope=\"row\" class=\"name\">\(HTMLFormat.escape(key))</th>"
            out += cell(Double(g.conversations), .count, "conversations", href: HTMLReportLinks.groupLink(input, .channel, key))
            out += cell(g.frt?.median, .duration, "frt_median")
            out += cell(g.frt?.p90, .duration, "frt_p90") + cell(g.resolutionTime?.median, .duration, "resolution_median")
            out += cell(g.resolutionRate, .rate, "resolution_rate") + cell(g.fcrRate, .rate, "fcr") + cell(g.csat?.score, .rate, "csat") + "</tr>\n"
        }
        return out + "</tbody></table></div>\n</section>\n"
    }

    /// Stored records, duplicates and dead letters per source.
    static func dataQuality(_ input: HTMLReportInput) -> String {
        let sources = input.report.dataQuality.sorted { $0.key < $1.key }
        var out = "<section id=\"table-quality\" aria-labelledby=\"table-quality-h\">\n<h2 id=\"table-quality-h\">Data quality per source</h2>\n"
        guard !sources.isEmpty else { return out + "<p class=\"nodata\" role=\"note\">No data: no source has stored anything yet.</p>\n</section>\n" }
        out += "<div class=\"scroll\"><table class=\"data\">\n<thead><tr><th scope=\"col\">Source</th><th scope=\"col\">Stored</th>"
        out += "<th scope=\"col\">Duplicates</th><th scope=\"col\">Dead letters</th></tr></thead>\n<tbody>\n"
        for (name, s) in sources {
            let warn = s.deadLetters > 0 ? " warn" : ""
            out += "<tr data-group=\"\(HTMLFormat.escape(name))\"><th scope=\"row\" class=\"name\"><bdi>\(HTMLFormat.escape(name))</bdi></th>"
            out += cell(Double(s.stored), .count, "stored") + cell(Double(s.duplicates), .count, "duplicates")
            out += "<td class=\"num\(warn)\" data-key=\"dead_letters\" data-value=\"\(s.deadLetters)\">\(HTMLFormat.count(s.deadLetters))\(s.deadLetters > 0 ? " ⚠" : "")</td></tr>\n"
        }
        return out + "</tbody></table></div>\n</section>\n"
    }
}
