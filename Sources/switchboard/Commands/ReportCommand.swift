import ArgumentParser
import Foundation
import SwitchboardCore
import SwitchboardMetrics

/// Options shared by `report` and `explain`: "now" and the config's metric settings.
struct MetricsOptions: ParsableArguments {
    @Option(name: .long, help: "Fix \"now\" (date or ISO 8601 timestamp) for inferred resolutions and the backlog; default: the current time.")
    var now: String?

    func nowDate(_ tz: TimeZone) throws -> Date {
        guard let now else { return Date() }
        guard let d = ReportTime.parse(now, timeZone: tz) else {
            throw UsageFailure("--now '\(now)': expected a date (2026-03-01) or an ISO 8601 timestamp (2026-03-01T12:00:00Z)")
        }
        return d
    }
}

/// `switchboard report` — every KPI of DESIGN §5 as a table, JSON (DESIGN §6) or CSV.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Support KPIs (FRT, resolution, FCR, CSAT/NPS/CES, backlog, volume, phone) for a period.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var metrics: MetricsOptions

    @Option(name: .long, help: "table, json, csv or html (one self-contained page with charts).")
    var format: String = "table"

    @Option(name: .long, help: "Write the report to this file instead of standard output.")
    var out: String?

    @Option(name: .long, help: "Start of the period: date (midnight in the business timezone) or ISO 8601 timestamp; default: the first conversation's day.")
    var from: String?

    @Option(name: .long, help: "End of the period (exclusive), like --from; default: now.")
    var to: String?

    @Option(name: .long, help: "Breakdown: channel, platform, source, agent, queue, day, week, month (repeatable or comma-separated).")
    var by: [String] = []

    @Option(name: .long, help: "Only this channel (repeatable).")
    var channel: [String] = []

    @Option(name: .long, help: "Only this source (repeatable).")
    var source: [String] = []

    @Option(name: .long, help: "Only conversations owned by this agent id (repeatable).")
    var agent: [String] = []

    func validate() throws {
        guard ["table", "json", "csv", "html"].contains(format) else {
            throw ValidationError("--format must be table, json, csv or html, not '\(format)'")
        }
        do { _ = try ReportTime.breakdowns(by) } catch { throw ValidationError("\(error)") }
        for c in channel where Channel(rawValue: c) == nil {
            throw ValidationError("--channel \(c): expected one of \(Channel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let rt = try Runtime(options: global)
        let settings = try MetricsRun.settings(rt.config)
        let tz = settings.timeZone
        func time(_ text: String?, _ flag: String) throws -> Date? {
            guard let text else { return nil }
            guard let d = ReportTime.parse(text, timeZone: tz) else {
                throw UsageFailure("--\(flag) '\(text)': expected a date (2026-03-01) or an ISO 8601 timestamp (2026-03-01T12:00:00Z)")
            }
            return d
        }
        let request = ReportRequest(
            from: try time(from, "from"), to: try time(to, "to"), now: try metrics.nowDate(tz), by: try ReportTime.breakdowns(by),
            channels: Set(channel.compactMap(Channel.init(rawValue:))), sources: Set(source), agents: Set(agent))
        if let f = request.from, let t = request.to, t <= f {
            throw UsageFailure("--to must be after --from")
        }
        let engine = MetricsEngine(settings: settings)
        let text: String
        if format == "html" && !global.json {
            let names = Dictionary(rt.config.agents.map { ($0.id, $0.name ?? $0.id) }, uniquingKeysWith: { a, _ in a })
            text = HTMLReportRenderer.render(try await engine.htmlInput(store: await rt.openStore(), request: request, agentNames: names))
        } else {
            let report = try await engine.report(store: await rt.openStore(), request: request)
            text = MetricsRun.render(report, format: global.json ? "json" : format)
        }
        guard let out else { return print(text, terminator: "") }
        // Relative to the working directory, like any command-line path.
        let target = URL(fileURLWithPath: out)
        do {
            try text.write(to: target, atomically: true, encoding: .utf8)
        } catch {
            throw RunFailure("--out \(out): cannot write the report (\(error.localizedDescription)); check that the folder exists and is writable")
        }
    }
}

/// `switchboard explain CONVERSATION_KEY` — the events and clocks behind one conversation.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show one conversation's interactions and every clock behind its numbers (open, first response, resolutions, FCR).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var metrics: MetricsOptions

    @Argument(help: "The conversationKey, or source/conversationKey.")
    var conversation: String

    func run() async throws {
        let rt = try Runtime(options: global)
        let settings = try MetricsRun.settings(rt.config)
        do {
            let text = try await Explainer(settings: settings)
                .explain(store: await rt.openStore(), key: conversation, now: try metrics.nowDate(settings.timeZone))
            print(text, terminator: "")
        } catch let error as MetricsError {
            throw RunFailure(error.message)
        }
    }
}

/// Shared by report, explain and demo.
enum MetricsRun {
    static func settings(_ config: SwitchboardConfig) throws -> MetricsSettings {
        do {
            return try MetricsSettings(config: config)
        } catch let error as MetricsError {
            throw UsageFailure("\(config.file.path): \(error.message)")
        }
    }

    static func render(_ report: Report, format: String) -> String {
        switch format {
        case "json": return JSONReportRenderer.render(report)
        case "csv": return CSVReportRenderer.render(report)
        default: return TextReportRenderer.render(report)
        }
    }
}
