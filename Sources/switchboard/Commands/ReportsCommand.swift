import ArgumentParser
import Foundation
import SwitchboardCore
import SwitchboardMetrics
import SwitchboardScheduler

/// `switchboard reports` — the scheduled reports of `reports:`.
struct ReportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports",
        abstract: "Scheduled report e-mails (reports: in the config): send one now, or list them.",
        subcommands: [ReportsSendCommand.self, ReportsListCommand.self])
}

/// `switchboard reports send NAME [--to ADDR] [--now T]`.
struct ReportsSendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send one scheduled report now to its notify destinations (or only to --to).",
        discussion: "The mail is what serve sends at a slot: the HTML report inline, the table as plain text, the CSV attached. A send from here is not written to the sent log, so the schedule is unchanged.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The report's name (reports[].name).")
    var name: String

    @Option(name: .long, help: "Send to this address instead of the report's recipients, through its first e-mail destination (repeatable).")
    var to: [String] = []

    @Option(name: .long, help: "\"Now\" the period is counted back from (date or ISO 8601 timestamp); default: the current time.")
    var now: String?

    func run() async throws {
        let rt = try Runtime(options: global)
        let report = try ReportsRuntime.report(named: name, rt.config)
        var destinations = try ReportsRuntime.destinations(rt.config, names: report.notify)
        var names = report.notify
        if !to.isEmpty {
            guard let via = report.notify.first(where: { destinations[$0]?.redirected(to: to) != nil }),
                  let redirected = destinations[via]?.redirected(to: to) else {
                throw UsageFailure("--to: report '\(name)' sends to no e-mail destination (notify: \(report.notify.joined(separator: ", "))) whose server could take the mail; or '\(to.joined(separator: ", "))' is not an e-mail address")
            }
            destinations = [via: redirected]
            names = [via]
        }
        let publisher = try MetricsRun.publisher(rt.config)
        let at: Date
        do {
            at = try ReportOptions.time(now, option: "now", timeZone: publisher.engine.settings.timeZone) ?? Date()
        } catch let problem as ReportOptions.Problem {
            throw UsageFailure(problem.flagMessage)
        }
        let mail = ReportMail(publisher: publisher, store: try await rt.openStore(), destinations: destinations)
        let delivery = await mail.send(report, slot: at, to: names)
        let redactor = SecretRedactor(secrets: rt.config.secretValues)
        for d in delivery.delivered {
            let recipients = to.isEmpty ? "" : " (\(to.joined(separator: ", ")))"
            if !global.quiet { print("sent report \(name) to \(d)\(recipients)") }
        }
        guard delivery.failures.isEmpty else {
            throw RunFailure(delivery.failures.map { "report \(name) not sent to \($0.destination): \(redactor.redact($0.reason))" }
                .joined(separator: "\n"))
        }
    }
}

/// `switchboard reports list`.
struct ReportsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "The scheduled reports: schedule, period, destinations, next slot and last send.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let rt = try Runtime(options: global)
        let store = try await rt.openStore()
        let log = store as? any ReportSendLog
        var rows = [["REPORT", "SCHEDULE", "PERIOD", "NOTIFY", "NEXT SLOT", "LAST SENT SLOT"]]
        for r in rt.config.reports {
            let next = ReportSlots(schedule: r.schedule, timeZone: rt.config.timeZone).next(after: Date())
            let last = try await log?.reportSends(report: r.name, limit: 1).first
            rows.append([r.name, r.schedule.description, r.period.rawValue, r.notify.joined(separator: ","),
                         next.map(Timestamp.formatISO8601) ?? "-", last.map { Timestamp.formatISO8601($0.slot) } ?? "-"])
        }
        if rt.config.reports.isEmpty { return print("no reports: in \(rt.config.file.path)") }
        let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        for row in rows {
            print(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
    }
}

/// What `reports send` and `serve` share: the report by name and its destinations.
enum ReportsRuntime {
    /// The report `name`, or a usage error (exit 2) listing the configured ones.
    static func report(named name: String, _ config: SwitchboardConfig) throws -> ScheduledReport {
        let problems = ReportsCheck.problems(config)
        if !problems.isEmpty { throw ConfigError(problems: problems) }
        guard let report = config.reports.first(where: { $0.name == name }) else {
            let names = config.reports.map(\.name)
            throw UsageFailure("no report named '\(name)' in \(config.file.path)\(Suggestion.hint(for: name, in: names)); known reports: \(names.isEmpty ? "none (add reports:)" : names.joined(separator: ", "))")
        }
        return report
    }

    /// The `notifications:` destinations called `names`, made and checked (a config error exits 2).
    static func destinations(_ config: SwitchboardConfig, names: [String]) throws -> [String: any NotificationDestination] {
        var out: [String: any NotificationDestination] = [:]
        var problems: [ConfigProblem] = []
        for entry in config.notifications where names.contains(entry.name) {
            do { out[entry.name] = try destinationRegistry.make(entry, file: config.file.path) }
            catch let error as ConfigError { problems += error.problems }
        }
        guard problems.isEmpty else { throw ConfigError(problems: problems) }
        return out
    }
}
