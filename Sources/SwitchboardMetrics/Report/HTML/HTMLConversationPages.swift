import Foundation
import SwitchboardCore

/// The pages behind the served report's links: `GET /conversations` (a list, each conversation linked to
/// its explanation) and `GET /conversations/{source}/{key}` (the `explain` view). Same style sheet as the
/// report, no script.
public enum HTMLConversationPages {
    /// What a list page shows besides its rows.
    public struct ListContext: Sendable {
        public var request: ReportRequest
        public var conditions: ConversationConditions
        /// The list's own query, for the CSV and JSON Lines links.
        public var query: [(String, String)]
        public var timeZone: TimeZone
        public var agentNames: [String: String]

        public init(request: ReportRequest, conditions: ConversationConditions, query: [(String, String)], timeZone: TimeZone,
                    agentNames: [String: String] = [:]) {
            self.request = request
            self.conditions = conditions
            self.query = query
            self.timeZone = timeZone
            self.agentNames = agentNames
        }
    }

    static func page(title: String, body: String) -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<title>\(HTMLFormat.escape(title))</title>\n<style>\n\(HTMLStyle.css)</style>\n</head>\n<body>\n"
        return out + body + "</body>\n</html>\n"
    }

    /// The list page: period, filters, conditions, the count (`#count`, `data-value`) and one row per
    /// conversation linking to `conversations/{source}/{key}`.
    public static func list(_ list: ConversationList, _ ctx: ListContext) -> String {
        let tz = ctx.timeZone
        var filters: [String] = []
        for b in Breakdown.filters {
            guard let values = ctx.request.filters[b.name], !values.isEmpty else { continue }
            filters.append("\(b.name): " + values.sorted().map { b == .agent ? ctx.agentNames[$0] ?? $0 : $0 }.joined(separator: ", "))
        }
        var body = "<header>\n<h1>Conversations</h1>\n<dl class=\"meta\">\n"
        body += "<dt>Period (opened)</dt><dd id=\"period\" data-from=\"\(Timestamp.formatISO8601(list.from))\" data-to=\"\(Timestamp.formatISO8601(list.to))\">"
        body += "\(HTMLFormat.escape(HTMLReportRenderer.local(list.from, tz))) → \(HTMLFormat.escape(HTMLReportRenderer.local(list.to, tz)))</dd>\n"
        body += "<dt>Filters</dt><dd id=\"filters\">\(filters.isEmpty ? "none" : filters.map { "<bdi>\(HTMLFormat.escape($0))</bdi>" }.joined(separator: "; "))</dd>\n"
        body += "<dt>Conditions</dt><dd id=\"conditions\">\(HTMLFormat.escape(ctx.conditions.summary))</dd>\n"
        body += "<dt>As of</dt><dd id=\"now\">\(HTMLFormat.escape(HTMLReportRenderer.local(list.now, tz)))</dd>\n</dl>\n</header>\n<main>\n"
        let plain = ctx.query.filter { $0.0 != "format" && $0.0 != "limit" }
        body += "<p id=\"count\" data-value=\"\(list.total)\"><strong>\(HTMLFormat.count(list.total))</strong> conversation\(list.total == 1 ? "" : "s")"
        if list.rows.count < list.total { body += " (the first \(HTMLFormat.count(list.rows.count)) shown)" }
        body += " · <a href=\"\(HTMLFormat.escape("conversations?" + HTMLReportLinks.encode(plain + [("format", "csv")])))\">CSV</a>"
        body += " · <a href=\"\(HTMLFormat.escape("conversations?" + HTMLReportLinks.encode(plain + [("format", "jsonl")])))\">JSON Lines</a>"
        let reportQuery = plain.filter { !ConversationConditions.names.contains($0.0) && $0.0 != "sort" }
        body += " · <a href=\"\(HTMLFormat.escape("report?" + HTMLReportLinks.encode(reportQuery)))\">the report</a></p>\n"
        guard !list.rows.isEmpty else { return page(title: "Conversations", body: body + "<p class=\"nodata\">No conversation matches.</p>\n</main>\n") }
        body += "<div class=\"scroll\"><table class=\"data\" id=\"conversations\">\n<thead><tr>"
        for h in ["Conversation", "Channel", "Customer", "Opened", "First response", "Resolved after", "Agent", "FCR", "Topics"] {
            body += "<th scope=\"col\">\(h)</th>"
        }
        body += "</tr></thead>\n<tbody>\n"
        for r in list.rows {
            let href = "conversations/\(HTMLReportLinks.escape(r.source))/\(HTMLReportLinks.escape(r.key))?"
                + HTMLReportLinks.encode([("now", Timestamp.formatISO8601(list.now))])
            let fcr = r.fcr.isFCR ? "yes" : r.fcrWhy.map { "no: \($0)" } ?? (r.resolvedAt == nil ? "—" : "no")
            body += "<tr data-source=\"\(HTMLFormat.escape(r.source))\" data-key=\"\(HTMLFormat.escape(r.key))\">"
            body += "<th scope=\"row\" class=\"name\"><a href=\"\(HTMLFormat.escape(href))\"><bdi>\(HTMLFormat.escape("\(r.source)/\(r.key)"))</bdi></a></th>"
            body += "<td>\(r.channel.rawValue)</td><td><bdi>\(HTMLFormat.escape(r.customer ?? "—"))</bdi></td>"
            body += "<td>\(HTMLFormat.escape(HTMLReportRenderer.local(r.openedAt, tz)))</td>"
            body += "<td class=\"num\" data-value=\"\(HTMLReportSections.raw(r.frt))\">\(HTMLFormat.duration(r.frt))</td>"
            body += "<td class=\"num\" data-value=\"\(HTMLReportSections.raw(r.resolution))\">\(r.resolution == nil ? "unresolved" : HTMLFormat.duration(r.resolution))</td>"
            body += "<td><bdi>\(HTMLFormat.escape(r.agent.map { ctx.agentNames[$0] ?? $0 } ?? "—"))</bdi></td>"
            body += "<td>\(HTMLFormat.escape(fcr))</td><td><bdi>\(HTMLFormat.escape(r.topics.joined(separator: ", ")))</bdi></td></tr>\n"
        }
        return page(title: "Conversations", body: body + "</tbody></table></div>\n</main>\n")
    }

    /// The `explain` view of one conversation.
    public static func explain(source: String, key: String, text: String) -> String {
        var body = "<header>\n<h1>Conversation <bdi>\(HTMLFormat.escape("\(source)/\(key)"))</bdi></h1>\n"
        body += "<p><a href=\"../../report\">the report</a></p>\n</header>\n<main>\n"
        body += "<pre id=\"explain\">\(HTMLFormat.escape(text))</pre>\n</main>\n"
        return page(title: "Conversation \(source)/\(key)", body: body)
    }
}
