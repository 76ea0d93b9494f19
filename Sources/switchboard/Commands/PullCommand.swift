import ArgumentParser
import Foundation
import SwitchboardCore

/// `switchboard pull [SOURCE…]` — one pass of every enabled pull source.
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Run one pass of every enabled pull source (or the named ones), each from its checkpoint.",
        discussion: """
            On a store shared by several instances (PostgreSQL) each source's pass holds that source's lock, as the \
            scheduled pulls of `switchboard serve` do: a source another process is pulling right now is skipped \
            with a note (exit 0), and the next pass picks up what it left.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Connector names (default: every enabled pull source).")
    var sources: [String] = []

    @Flag(name: .long, help: "Exit 1 when any record was dead-lettered.")
    var strict = false

    func run() async throws {
        let rt = try Runtime(options: global)
        let entries = try sources.isEmpty
            ? rt.config.connectors.filter { $0.enabled && connectorRegistry.kind($0.kind)?.roles.contains(.pull) == true }
            : sources.map { try rt.entry(named: $0) }
        guard !entries.isEmpty else {
            let kinds = connectorRegistry.kinds.filter { $0.roles.contains(.pull) }.map(\.kind)
            Terminal.note("no enabled pull sources in \(rt.config.file.path); pull kinds: \(kinds.isEmpty ? "none in this build" : kinds.joined(separator: ", "))")
            return
        }
        var pulls: [(ConnectorEntry, any PullSource)] = []
        for entry in entries {
            guard let source = try rt.make(entry) as? any PullSource else {
                throw UsageFailure("\(entry.name) is of kind \(entry.kind), which is not a pull source")
            }
            pulls.append((entry, source))
        }
        let store = try await rt.openStore()
        let runner = IngestRunner(store: store, policy: rt.config.ingestPolicy, quiet: global.quiet || global.json)
        let locks = store as? any SourceLocking
        var summaries: [IngestSummary] = []
        var failures: [String] = []
        for (entry, source) in pulls {
            var lease: SourceLease?
            if let locks {
                do {
                    lease = try await locks.tryLock(source: entry.name)
                } catch {
                    failures.append("\(entry.name): \(error)")
                    Terminal.error("\(entry.name): \(error)")
                    continue
                }
                if lease == nil {
                    Terminal.note("\(entry.name): skipped: another process (a `switchboard serve` or `pull`) is pulling this source "
                                  + "right now; the next pass picks up what it leaves")
                    continue
                }
            }
            do {
                let checkpoint = try await store.checkpoint(source: entry.name)
                summaries.append(try await runner.run(source: entry.name, mode: "pull") { sink in
                    try await source.pull(from: checkpoint, into: sink)
                })
            } catch let failure as RunFailure {
                failures.append(failure.message)
                Terminal.error(failure.message)
            } catch {
                await lease?.release()
                throw error
            }
            await lease?.release()
        }
        SummaryOutput.print(summaries, json: global.json)
        if !failures.isEmpty { throw RunFailure("") }
        if strict && summaries.contains(where: { $0.deadLetters > 0 }) {
            throw RunFailure("some records were dead-lettered (--strict); see `switchboard dead-letters list`")
        }
    }
}
