import ArgumentParser
import Foundation
import SwitchboardCore

/// `switchboard dead-letters list` — rejected records with reason and provenance; `replay` (DeadLettersReplayCommand.swift).
struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters", abstract: "Inspect and replay records that were rejected.", subcommands: [List.self, Replay.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List dead letters, newest first.")

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Only this source.")
        var source: String?

        @Option(name: .long, help: "At most this many.")
        var limit = 100

        @Flag(name: .long, help: "Show the raw record too.")
        var raw = false

        struct Output: Encodable {
            var source: String
            var at: String
            var reason: String
            var provenance: String
            var raw: String
            var replayed_at: String?
            var replay_outcome: String?
        }

        func run() async throws {
            let rt = try Runtime(options: global)
            let letters = try await rt.openStore().deadLetters(source: source, limit: limit)
            if global.json {
                print(Terminal.json(letters.map {
                    Output(source: $0.source, at: Timestamp.formatISO8601($0.at), reason: $0.reason, provenance: $0.provenance,
                           raw: String(decoding: $0.raw, as: UTF8.self), replayed_at: $0.replayedAt.map(Timestamp.formatISO8601),
                           replay_outcome: $0.replayOutcome?.rawValue)
                }))
                return
            }
            if letters.isEmpty { print("no dead letters\(source.map { " for \($0)" } ?? "")"); return }
            for d in letters {
                print("\(Timestamp.formatISO8601(d.at))  \(d.source)  \(d.provenance)\n    \(d.reason)")
                if let at = d.replayedAt, let outcome = d.replayOutcome {
                    print("    replayed \(Timestamp.formatISO8601(at)): \(outcome.rawValue)")
                }
                if raw { print("    raw: \(String(decoding: d.raw.prefix(500), as: UTF8.self))") }
            }
        }
    }
}
