import Foundation
import SwitchboardCore

/// A conversation list as a terminal table, CSV (header row, one conversation per row) or JSON Lines.
/// Times are ISO 8601 in UTC, durations in seconds as `explain` prints them (calendar and business).
public enum ConversationListRenderer {
    /// The output formats of `switchboard conversations`.
    public enum Format: String, Sendable, CaseIterable {
        case table, csv, jsonl

        public var contentType: String {
            switch self {
            case .table: "text/plain; charset=utf-8"
            case .csv: "text/csv; charset=utf-8"
            case .jsonl: "application/jsonl; charset=utf-8"
            }
        }
    }

    /// The CSV columns in order; the first ten are pinned (scripts rely on them).
    public static let columns = [
        "source", "conversation_key", "channel", "customer", "opened_at", "first_response_at", "resolved_at", "agent", "topics", "fcr",
        "fcr_why", "platform", "frt_seconds", "frt_business_seconds", "resolution_seconds", "resolution_business_seconds",
        "reopens", "agents", "call_outcome", "queue", "surveys",
    ]

    public static func render(_ list: ConversationList, format: Format) -> String {
        switch format {
        case .table: table(list)
        case .csv: csv(list)
        case .jsonl: jsonl(list)
        }
    }

    static func time(_ d: Date?) -> String { d.map(Timestamp.formatISO8601) ?? "" }
    static func number(_ v: Double?) -> String { v.map(JSONWriter.format) ?? "" }
    static func survey(_ s: (metric: SurveyMetric, score: Double, scaleMax: Double)) -> String {
        "\(s.metric.rawValue) \(JSONWriter.format(s.score))/\(JSONWriter.format(s.scaleMax))"
    }

    /// The values of a row in ``columns`` order (lists joined with `; `).
    public static func values(_ r: ConversationRow) -> [String] {
        [r.source, r.key, r.channel.rawValue, r.customer ?? "", time(r.openedAt), time(r.firstResponseAt), time(r.resolvedAt),
         r.agent ?? "", r.topics.joined(separator: "; "), r.fcrText, r.fcrWhy ?? "", r.platform, number(r.frt), number(r.frtBusiness),
         number(r.resolution), number(r.resolutionBusiness), String(r.reopens), r.agents.map { $0.isEmpty ? "(unknown)" : $0 }.joined(separator: "; "),
         r.callOutcome?.rawValue ?? "", r.queue ?? "", r.surveys.map(survey).joined(separator: "; ")]
    }

    public static func csv(_ list: ConversationList) -> String {
        var out = columns.joined(separator: ",") + "\n"
        for r in list.rows { out += values(r).map(field).joined(separator: ",") + "\n" }
        return out
    }

    /// RFC 4180 quoting, the report CSV's.
    static func field(_ s: String) -> String { CSVReportRenderer.field(s) }

    public static func jsonl(_ list: ConversationList) -> String {
        var out = ""
        func str(_ s: String?) -> String { s.map(JSONString.quoted) ?? "null" }
        func num(_ v: Double?) -> String { v.map(JSONWriter.format) ?? "null" }
        func array(_ l: [String]) -> String { "[" + l.map(JSONString.quoted).joined(separator: ",") + "]" }
        for r in list.rows {
            let fcr = r.fcr.isFCR ? "true" : r.resolvedAt == nil ? "null" : "false"
            let surveys = r.surveys.map { #"{"metric":\#(JSONString.quoted($0.metric.rawValue)),"score":\#(JSONWriter.format($0.score)),"scale_max":\#(JSONWriter.format($0.scaleMax))}"# }
            out += "{\"source\":\(str(r.source)),\"conversation_key\":\(str(r.key)),\"channel\":\(str(r.channel.rawValue)),"
            out += "\"platform\":\(str(r.platform)),\"customer\":\(str(r.customer)),\"opened_at\":\(str(time(r.openedAt))),"
            out += "\"first_response_at\":\(str(r.firstResponseAt.map(Timestamp.formatISO8601))),"
            out += "\"resolved_at\":\(str(r.resolvedAt.map(Timestamp.formatISO8601))),\"agent\":\(str(r.agent)),"
            out += "\"topics\":\(array(r.topics)),\"fcr\":\(fcr),\"fcr_why\":\(str(r.fcrWhy)),"
            out += "\"frt_seconds\":\(num(r.frt)),\"frt_business_seconds\":\(num(r.frtBusiness)),"
            out += "\"resolution_seconds\":\(num(r.resolution)),\"resolution_business_seconds\":\(num(r.resolutionBusiness)),"
            out += "\"reopens\":\(r.reopens),\"agents\":\(array(r.agents)),\"call_outcome\":\(str(r.callOutcome?.rawValue)),"
            out += "\"queue\":\(str(r.queue)),\"surveys\":[\(surveys.joined(separator: ","))]}\n"
        }
        return out
    }

    /// Aligned columns for a terminal: key, channel, customer, opened, FRT, resolution, agent, FCR; then a count line.
    public static func table(_ list: ConversationList) -> String {
        let head = ["conversation", "channel", "customer", "opened", "FRT", "resolved after", "agent", "FCR", "topics"]
        var rows = [head]
        for r in list.rows {
            let fcr = r.fcr.isFCR ? "yes" : r.fcrWhy.map { "no: \($0)" } ?? (r.resolvedAt == nil ? "-" : "no")
            rows.append(["\(r.source)/\(r.key)", r.channel.rawValue, r.customer ?? "-", time(r.openedAt),
                         r.frt.map(TextReportRenderer.dur) ?? "-", r.resolution.map(TextReportRenderer.dur) ?? "unresolved",
                         r.agent ?? "-", fcr, r.topics.joined(separator: ", ")])
        }
        let widths = head.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        var out = ""
        for row in rows {
            out += zip(row, widths).map { $0 + String(repeating: " ", count: max(0, $1 - $0.count)) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces) + "\n"
        }
        let shown = list.rows.count < list.total ? " (showing \(list.rows.count))" : ""
        out += "\n\(list.total) conversation\(list.total == 1 ? "" : "s")\(shown); period \(time(list.from)) → \(time(list.to)), now \(time(list.now))\n"
        return out
    }
}
