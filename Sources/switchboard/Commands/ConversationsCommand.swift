import ArgumentParser
import Foundation
import SwitchboardCore
import SwitchboardMetrics

/// `switchboard conversations` — the conversations behind a report's numbers, with the report's period and
/// filters plus conditions, as a table, CSV or JSON Lines.
struct ConversationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conversations",
        abstract: "List the conversations behind any number of the report: its period and filters plus conditions (unresolved, FRT over, not FCR, …).",
        discussion: """
            Lists the conversations `switchboard report` counts in `conversations` for the same --from/--to/--now and \
            filters, that meet every condition given. Clocks are those of `switchboard explain`. See docs/metrics.md \
            ("Conversation lists") for what each condition means precisely.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var metrics: MetricsOptions

    @Option(name: .long, help: "table, csv (header row, for spreadsheets) or jsonl (one JSON object per line).")
    var format: String = "table"

    @Option(name: .long, help: "Write the list to this file instead of standard output.")
    var out: String?

    @OptionGroup var filters: PeriodFilterOptions

    @Flag(name: .long, help: "Not resolved as of now.")
    var unresolved = false

    @Option(name: .customLong("frt-over"), help: "First response later than this after the open (30s, 5m, 4h, 7d).")
    var frtOver: String?

    @Flag(name: .customLong("frt-missed"), help: "First response beyond its channel's target (targets.frt).")
    var frtMissed = false

    @Option(name: .customLong("resolution-over"), help: "Resolved, with a resolution time above this duration.")
    var resolutionOver: String?

    @Flag(name: .customLong("not-fcr"), help: "Resolved but not first-contact resolved (the why is in fcr_why).")
    var notFCR = false

    @Flag(name: .long, help: "Abandoned calls.")
    var abandoned = false

    @Flag(name: .long, help: "Reopened at least once.")
    var reopened = false

    @Flag(name: .customLong("never-reached"), help: "Callers of lost calls never reached within phone.recovery_window: one row per caller, their last lost call.")
    var neverReached = false

    @Option(name: .customLong("in-backlog-at"), help: "Open (in the backlog) at this instant: date or ISO 8601 timestamp.")
    var inBacklogAt: String?

    @Option(name: .customLong("survey-below"), help: "With a survey answer scored below this number.")
    var surveyBelow: String?

    @Option(name: .long, help: "Order: opened, frt, resolution, source, customer, agent; a leading - for descending (--sort=-frt).")
    var sort: String = "opened"

    @Option(name: .long, help: "At most this many conversations (after sorting).")
    var limit: Int?

    /// The period and filters as the report reads them.
    var options: ReportOptions {
        filters.options(format: .table, now: metrics.now)
    }

    /// The conditions given; dates in `timeZone`.
    func conditions(_ timeZone: TimeZone) throws -> ConversationConditions {
        var c = ConversationConditions()
        let given: [(String, String?, Bool)] = [
            ("unresolved", nil, unresolved), ("frt-over", frtOver, frtOver != nil), ("frt-missed", nil, frtMissed),
            ("resolution-over", resolutionOver, resolutionOver != nil), ("not-fcr", nil, notFCR), ("abandoned", nil, abandoned),
            ("reopened", nil, reopened), ("in-backlog-at", inBacklogAt, inBacklogAt != nil), ("survey-below", surveyBelow, surveyBelow != nil),
            ("never-reached", nil, neverReached),
        ]
        for (name, value, set) in given where set { try c.set(name, value, timeZone: timeZone) }
        return c
    }

    func validate() throws {
        do {
            guard ConversationListRenderer.Format(rawValue: format) != nil else {
                throw ReportOptions.Problem("format", value: format,
                                            expected: "expected one of \(ConversationListRenderer.Format.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            _ = try options.channels()
            _ = try conditions(TimeZone(identifier: "UTC")!)
            _ = try ConversationSort(sort)
            if let limit, limit < 0 { throw ReportOptions.Problem("limit", value: String(limit), expected: "expected 0 or more") }
        } catch let problem as ReportOptions.Problem {
            throw ValidationError(problem.flagMessage)
        }
    }

    func run() async throws {
        let rt = try Runtime(options: global)
        let publisher = try MetricsRun.publisher(rt.config)
        let engine = publisher.engine
        let request: ReportRequest
        let conditions: ConversationConditions
        do {
            request = try options.request(timeZone: engine.settings.timeZone)
            conditions = try self.conditions(engine.settings.timeZone)
        } catch let problem as ReportOptions.Problem {
            throw UsageFailure(problem.flagMessage)
        }
        let data = try await engine.load(store: await rt.openStore(), now: request.now).data
        let list = engine.conversations(data, request: request, conditions: conditions, sort: try ConversationSort(sort), limit: limit)
        let text = ConversationListRenderer.render(list, format: ConversationListRenderer.Format(rawValue: format) ?? .table)
        guard let out else { return print(text, terminator: "") }
        do {
            try text.write(to: URL(fileURLWithPath: out), atomically: true, encoding: .utf8)
        } catch {
            throw RunFailure("--out \(out): cannot write the list (\(error.localizedDescription)); check that the folder exists and is writable")
        }
    }
}
