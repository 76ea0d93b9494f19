import ArgumentParser
import Foundation
import SwitchboardCore
import SwitchboardMetrics
import SwitchboardScan

/// `switchboard topics apply|suggest` — classify history with the config's topic rules, and find words
/// worth a rule.
struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics", abstract: "Apply the config's topic rules to stored history, or suggest keywords for new rules.",
        subcommands: [Apply.self, Suggest.self])

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Classify every stored customer message with the config's topics: rules (idempotent, resumable).")

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Messages read and written per transaction.")
        var batchSize = 5000

        /// Test hook: SIGKILL this process after that many committed batches (a crash half-way).
        static let crashVariable = "SWITCHBOARD_CRASH_AFTER_TOPIC_BATCHES"

        func run() async throws {
            let rt = try Runtime(options: global)
            guard let store = try await rt.openStore() as? any RuleTopicsStore else {
                throw RunFailure("this store cannot rewrite stored topics")
            }
            let rules = rt.config.topicRules
            let crashAfter = ProcessInfo.processInfo.environment[Self.crashVariable].flatMap(Int.init)
            let quiet = global.quiet || global.json
            let started = Date()
            var lastLine = 0
            let summary = try await TopicsApply(rules: rules, batchSize: batchSize).run(store: store, progress: { s in
                guard !quiet else { return }
                if Terminal.isInteractive {
                    FileHandle.standardError.write(Data("\rtopics apply: \(s.read) messages read, \(s.changed) changed   ".utf8))
                } else if s.read / 100_000 > lastLine {
                    lastLine = s.read / 100_000
                    Terminal.note("topics apply: \(s.read) messages read, \(s.changed) changed")
                }
            }, afterBatch: { n in
                if let crashAfter, n >= crashAfter { kill(getpid(), SIGKILL) }
            })
            Terminal.clearProgress(quiet: quiet)
            if global.json { return print(Terminal.json(Output(summary, rules: rules))) }
            guard !global.quiet else { return }
            let ruleSet = rules.isEmpty ? "no rules in the config: rule topics cleared" : "rule set \(rules.fingerprint)"
            let resumed = summary.resumedAfter > 0 ? ", resumed after seq \(summary.resumedAfter)" : ""
            print("topics apply (\(ruleSet)\(resumed)): \(summary.read) customer messages read, \(summary.changed) changed, "
                + "\(summary.restamped) re-stamped, \(summary.current) already current, "
                + "\(summary.withoutText) without stored text kept, \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }

        struct Output: Encodable {
            var rules: String?
            var read, changed, restamped, current, withoutText: Int
            var resumedAfter: Int64

            init(_ s: TopicsApply.Summary, rules: TopicRules) {
                self.rules = rules.isEmpty ? nil : rules.fingerprint
                read = s.read; changed = s.changed; restamped = s.restamped; current = s.current; withoutText = s.withoutText
                resumedAfter = s.resumedAfter
            }

            enum CodingKeys: String, CodingKey {
                case rules, read, changed, restamped, current
                case withoutText = "without_text"
                case resumedAfter = "resumed_after"
            }
        }
    }

    struct Suggest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "suggest",
            abstract: "The most distinctive words and phrases in the first messages of conversations without a topic (--json: JSON Lines).")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var metrics: MetricsOptions

        @Option(name: .long, help: "Start of the period (date or ISO 8601 timestamp); default: the first conversation's day.")
        var from: String?

        @Option(name: .long, help: "End of the period (exclusive); default: now.")
        var to: String?

        @Option(name: .long, help: "Only this channel (repeatable).")
        var channel: [String] = []

        @Option(name: .long, help: "Only this source (repeatable).")
        var source: [String] = []

        @Option(name: .long, help: "At most this many suggestions.")
        var limit = 30

        func run() async throws {
            let rt = try Runtime(options: global)
            let publisher = try MetricsRun.publisher(rt.config)
            let request: ReportRequest
            do {
                request = try ReportOptions(from: from, to: to, now: metrics.now, channel: channel, source: source)
                    .request(timeZone: publisher.engine.settings.timeZone)
            } catch let problem as ReportOptions.Problem {
                throw UsageFailure(problem.flagMessage)
            }
            let result = try await publisher.engine.suggestTopics(store: await rt.openStore(), request: request, limit: limit)
            if global.json {
                for s in result.suggestions {
                    print(Terminal.json(Line(phrase: s.phrase, count: s.count, score: (s.score * 1e6).rounded() / 1e6, example: s.example),
                                        line: true))
                }
                return
            }
            print("\(result.untopiced) of \(result.conversations) conversations without a topic, "
                + "\(Timestamp.formatISO8601(result.from)) → \(Timestamp.formatISO8601(result.to))")
            guard !result.suggestions.isEmpty else {
                return print(result.untopiced == 0 ? "every conversation has a topic" : "no word stands out (too few conversations)")
            }
            let width = max(6, result.suggestions.map(\.phrase.count).max() ?? 0)
            print("phrase".padding(toLength: width, withPad: " ", startingAt: 0) + "  conversations  example")
            for s in result.suggestions {
                let count = String(s.count)
                print(s.phrase.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + String(repeating: " ", count: max(0, 13 - count.count)) + count + "  " + s.example)
            }
        }

        struct Line: Encodable {
            var phrase: String
            var count: Int
            var score: Double
            var example: String
        }
    }
}
