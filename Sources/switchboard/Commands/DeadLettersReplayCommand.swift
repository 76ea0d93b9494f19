import ArgumentParser
import Foundation
import SwitchboardCore
import SwitchboardMetrics
import SwitchboardScan

extension DeadLettersCommand {
    /// `switchboard dead-letters replay [--source S] [--reason TEXT] [--since T] [--dry-run]`.
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay",
            abstract: "Read dead letters again through their source's current connector and settings (after a fix).",
            discussion: """
                What decodes now is stored (deduplicated as usual); what still fails stays, with its new reason. \
                Letters are marked, never deleted; letters replayed with success are not tried again, so a repeat \
                stores nothing. Prints the same summary line as `import`.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Only this source (default: every source with letters to replay).")
        var source: String?

        @Option(name: .long, help: "Only letters whose reason contains this text (case-insensitive).")
        var reason: String?

        @Option(name: .long, help: "Only letters written at or after this date (2026-03-01, in the config timezone) or ISO 8601 timestamp.")
        var since: String?

        @Flag(name: .long, help: "Show what would happen; write nothing.")
        var dryRun = false

        func run() async throws {
            let rt = try Runtime(options: global)
            var sinceDate: Date?
            if let since {
                guard let d = ReportTime.parse(since, timeZone: rt.config.timeZone) else {
                    throw UsageFailure("--since '\(since)': expected a date (2026-03-01) or an ISO 8601 timestamp (2026-03-01T12:00:00Z)")
                }
                sinceDate = d
            }
            guard let store = try await rt.openStore() as? any MetricsStore & DeadLetterReplayStore else {
                throw RunFailure("this store cannot replay dead letters")
            }
            let sources: [String]
            if let source {
                sources = [source]
            } else {
                // Every configured source with letters; letters of a source no longer configured stay as they are
                // (named with --source, such a source is an error, so a replay never silently does nothing).
                let pending = try await store.sourceStats().filter { $0.value.deadLetters > 0 }.map(\.key).sorted()
                sources = pending.filter { rt.config.connector(named: $0) != nil }
                for gone in pending where rt.config.connector(named: gone) == nil {
                    Terminal.note("skipped '\(gone)': no connector of that name in \(rt.config.file.path) any more; its dead letters stay as they are")
                }
            }
            let replayer = DeadLetterReplayer(rt: rt, store: store)
            let plans = try await replayer.plan(sources: sources, reason: reason, since: sinceDate)
            if plans.isEmpty {
                if !global.json { print("no dead letters to replay") } else { print(Terminal.json([IngestSummary]())) }
                return
            }
            var summaries: [IngestSummary] = []
            for plan in plans {
                if dryRun {
                    if !global.json { print("\(plan.entry.name) (dry run, nothing is written):") }
                    let json = global.json
                    summaries.append(try await replayer.dryRun(plan) { if !json { print($0) } })
                } else {
                    summaries.append(try await replayer.replay(plan, quiet: global.quiet || global.json))
                }
            }
            SummaryOutput.print(summaries, json: global.json)
            if dryRun && !global.json {
                print("dry run: stored counts the interactions that would go to the store, before deduplication; nothing was written")
            }
        }
    }
}
