import Foundation
import SwitchboardCore
import SwitchboardScan

/// What the page served at `GET /report` adds to the report page: a plain GET form for the period,
/// filters and breakdowns, and links from every count of conversations to `GET /conversations` with the
/// same period, "now" and filters (plus the group's value and the condition that matches the number).
/// The file of `report --format html` has none of it (``HTMLReportInput/links`` is nil there), so it stays
/// self-contained and link-free.
///
/// Everything added is marked so it can be told apart: the form is `<form id="filters-form">`, links are
/// `<a class="drill">`, and counts shown only for their link are `<p class="tile-drill">`.
public struct HTMLReportLinks: Sendable {
    /// The options as given, which the form shows.
    public var options: ReportOptions

    public init(options: ReportOptions) { self.options = options }

    /// `a=1&b=x%20y` with every byte outside the unreserved set percent-encoded (a space as `%20`).
    public static func encode(_ query: [(String, String)]) -> String {
        query.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// One query component or path segment, percent-encoded (`/` included).
    public static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? s
    }

    /// The report's period (as computed), "now" and filters as query parameters; `replacing` sets one
    /// filter to the given values instead of the report's, `period: false` leaves out `from`.
    static func base(_ r: Report, _ filters: [String: Set<String>], replacing: (String, String)? = nil,
                     from: Date? = nil, to: Date? = nil, withFrom: Bool = true) -> [(String, String)] {
        var q: [(String, String)] = []
        if withFrom { q.append(("from", Timestamp.formatISO8601(from ?? r.from))) }
        q.append(("to", Timestamp.formatISO8601(to ?? r.to)))
        q.append(("now", Timestamp.formatISO8601(r.now)))
        for b in Breakdown.filters {
            if let (name, value) = replacing, name == b.name {
                q.append((name, value))
                continue
            }
            for v in (filters[b.name] ?? []).sorted() { q.append((b.name, v)) }
        }
        return q
    }

    /// `conversations?…` relative to `/report`.
    static func conversations(_ q: [(String, String)]) -> String { "conversations?" + encode(q) }

    /// A link around already escaped HTML.
    static func anchor(_ href: String, _ inner: String) -> String {
        "<a class=\"drill\" href=\"\(HTMLFormat.escape(href))\">\(inner)</a>"
    }

    /// The link of a breakdown group's count: the report's filters with this group's value (`(none)` selects
    /// the conversations without one). Nil where no filter selects exactly the group: a topic outside a topic
    /// filter (a conversation counts under each of its topics, filters combine their values with OR).
    static func groupLink(_ input: HTMLReportInput, _ b: Breakdown, _ label: String, from: Date? = nil, to: Date? = nil) -> String? {
        guard input.links != nil, b.filterable else { return nil }
        let given = input.filters.filters[b.name] ?? []
        if b == .topic && !given.isEmpty && !given.contains(label) { return nil }
        return conversations(base(input.report, input.filters.filters, replacing: (b.name, label), from: from, to: to))
    }

    // MARK: - Tiles

    /// The link of a tile's value where the value counts conversations: `conversations` (the period's
    /// counted conversations) and `backlog` (open at `to`: `in-backlog-at`, whatever the open time, so
    /// `from` is left to its default, the first conversation's day).
    static func tileLink(_ input: HTMLReportInput, _ key: String) -> String? {
        guard input.links != nil else { return nil }
        let r = input.report, f = input.filters.filters
        switch key {
        case "conversations": return conversations(base(r, f))
        case "backlog" where r.overall.backlog != nil:
            return conversations(base(r, f, withFrom: false) + [("in-backlog-at", Timestamp.formatISO8601(r.to))])
        default: return nil
        }
    }

    /// Counts behind a rate tile, each linked to its list (served page only): conversations beyond each FRT
    /// target, unresolved, resolved but not FCR, abandoned calls.
    static func drillLines(_ input: HTMLReportInput, _ key: String) -> String {
        guard input.links != nil else { return "" }
        let r = input.report, g = r.overall, f = input.filters.filters
        var lines: [(Int, String, String, [(String, String)])] = []
        switch key {
        case "frt_median":
            for t in g.targets where t.name.hasPrefix("frt_") {
                let channel = String(t.name.dropFirst(4))
                lines.append((t.beyond ?? 0, "beyond the target on \(channel)", "frt-missed",
                              base(r, f, replacing: ("channel", channel)) + [("frt-missed", "1")]))
            }
        case "resolution_rate" where g.conversations > 0:
            lines.append((g.unresolved, "unresolved", "unresolved", base(r, f) + [("unresolved", "1")]))
        case "fcr" where g.fcrEligible > 0:
            lines.append((g.fcrEligible - g.fcrCount, "resolved, not first-contact", "not-fcr", base(r, f) + [("not-fcr", "1")]))
        case "abandonment_rate":
            if let phone = g.phone { lines.append((phone.abandoned, "abandoned", "abandoned", base(r, f) + [("abandoned", "1")])) }
        default: break
        }
        return lines.map { n, text, condition, q in
            "<p class=\"tile-drill\" data-condition=\"\(condition)\" data-count=\"\(n)\">"
                + anchor(conversations(q), "\(HTMLFormat.count(n)) \(HTMLFormat.escape(text))") + "</p>\n"
        }.joined()
    }

    // MARK: - The form

    /// The GET form that reloads `/report` with the chosen period, filters and breakdowns. Empty fields are
    /// sent empty and count as not given.
    static func form(_ input: HTMLReportInput) -> String {
        guard let links = input.links else { return "" }
        let o = links.options, r = input.report
        var out = "<form id=\"filters-form\" class=\"filters\" method=\"get\" action=\"report\" aria-label=\"Period and filters\">\n"
        out += "<fieldset><legend>Period</legend>\n"
        for (name, label, value, hint) in [("from", "From", o.from, "2026-03-01"), ("to", "To (exclusive)", o.to, "2026-04-01"),
                                           ("now", "As of", o.now, "now")] {
            out += "<label>\(label) <input type=\"text\" name=\"\(name)\" value=\"\(HTMLFormat.escape(value ?? ""))\" "
            out += "placeholder=\"\(hint)\" size=\"20\"></label>\n"
        }
        // A named period (`?period=previous-week`) stays chosen, so a reload keeps it instead of falling back
        // to every day; "" leaves the period to From and To.
        out += "<label>Named period <select name=\"period\">\n<option value=\"\"\(o.period == nil ? " selected" : "")>— (From/To)</option>\n"
        for p in ReportPeriod.allCases {
            out += "<option value=\"\(p.rawValue)\"\(o.period == p.rawValue ? " selected" : "")>\(p.rawValue)</option>\n"
        }
        out += "</select></label>\n</fieldset>\n"
        let sources = Set(r.dataQuality.keys).union(r.overall.volume.bySource.keys).union(o.source)
        let agents = Set(input.agentNames.keys).union(input.groups(.agent).map(\.0)).union(o.agent).subtracting([Breakdown.noneLabel])
        let topics = Set(input.groups(.topic).map(\.0)).union(o.topic).subtracting([Breakdown.noneLabel])
        let choices: [(String, String, [(String, String)], [String])] = [
            ("channel", "Channel", Channel.allCases.map { ($0.rawValue, $0.rawValue) }, o.channel),
            ("source", "Source", sources.sorted().map { ($0, $0) }, o.source),
            ("agent", "Agent", agents.sorted().map { ($0, input.agentNames[$0] ?? $0) }, o.agent),
            ("topic", "Topic", topics.sorted().map { ($0, $0) }, o.topic),
            ("by", "Breakdowns", Breakdown.all.map { ($0.name, $0.heading) }, o.by.flatMap { $0.split(separator: ",").map(String.init) }),
        ]
        for (name, legend, list, chosen) in choices {
            out += "<fieldset><legend>\(legend)</legend>\n"
            if list.isEmpty { out += "<span class=\"nodata\">none</span>\n" }
            for (value, label) in list {
                let checked = chosen.contains(value) ? " checked" : ""
                out += "<label><input type=\"checkbox\" name=\"\(name)\" value=\"\(HTMLFormat.escape(value))\"\(checked)> "
                out += "<bdi>\(HTMLFormat.escape(label))</bdi></label>\n"
            }
            out += "</fieldset>\n"
        }
        for q in o.queue { out += "<input type=\"hidden\" name=\"queue\" value=\"\(HTMLFormat.escape(q))\">\n" }
        return out + "<p><button type=\"submit\">Show</button> <a class=\"drill\" href=\"report\">Reset</a></p>\n</form>\n"
    }
}

extension ReportPublisher {
    /// The page `GET /report` answers: the HTML report of `request` with the form and the links to the
    /// conversations behind each count.
    public func servedPage(store: any MetricsStore, request: ReportRequest, options: ReportOptions) async throws -> String {
        try await servedPage(loader: StoreMetricsLoader(engine: engine, store: store), request: request, options: options)
    }

    /// ``servedPage(store:request:options:)`` from the metrics `loader` gives.
    public func servedPage(loader: any MetricsLoader, request: ReportRequest, options: ReportOptions) async throws -> String {
        var input = try await engine.htmlInput(loader: loader, request: request, agentNames: agentNames)
        input.links = HTMLReportLinks(options: options)
        return HTMLReportRenderer.render(input)
    }
}
