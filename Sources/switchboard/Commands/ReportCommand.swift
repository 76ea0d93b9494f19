import ArgumentParser
import Foundation
import SwitchboardCore
import SwitchboardMetrics

/// Options shared by `report` and `explain`: "now" and the config's metric settings.
struct MetricsOptions: ParsableArguments {
    @Option(name: .long, help: "Fix \"now\" (date or ISO 8601 timestamp) for inferred resolutions and the backlog; default: the current time.")
    var now: String?

    func nowDate(_ tz: TimeZone) throws -> Date {
        do {
            return try ReportOptions.time(now, option: "now", timeZone: tz) ?? Date()
        } catch let problem as ReportOptions.Problem {
            throw UsageFailure(problem.flagMessage)
        }
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

    @OptionGroup var filters: PeriodFilterOptions

    @Option(name: .long, help: "Breakdown: channel, platform, source, agent, queue, topic, day, week, month (repeatable or comma-separated).")
    var by: [String] = []

    /// The flags as the options `GET /report` shares.
    var options: ReportOptions {
        filters.options(format: ReportOptions.Format(rawValue: global.json ? "json" : format) ?? .table, now: metrics.now, by: by)
    }

    func validate() throws {
        do {
            _ = try ReportOptions.format(format)
            _ = try options.breakdowns()
            _ = try options.channels()
        } catch let problem as ReportOptions.Problem {
            throw ValidationError(problem.flagMessage)
        }
    }

    func run() async throws {
        let rt = try Runtime(options: global)
        let publisher = try MetricsRun.publisher(rt.config)
        let options = self.options
        let request: ReportRequest
        do {
            request = try options.request(timeZone: publisher.engine.settings.timeZone)
        } catch let problem as ReportOptions.Problem {
            throw UsageFailure(problem.flagMessage)
        }
        let text = try await publisher.render(store: await rt.openStore(), request: request, format: options.format)
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

    /// The report engine and agent names of `config`, as `report` and `serve` use them.
    static func publisher(_ config: SwitchboardConfig) throws -> ReportPublisher {
        do {
            return try ReportPublisher(config: config)
        } catch let error as MetricsError {
            throw UsageFailure("\(config.file.path): \(error.message)")
        }
    }

    static func render(_ report: Report, format: String) -> String {
        ReportPublisher.render(report, format: ReportOptions.Format(rawValue: format) ?? .table)
    }
}
