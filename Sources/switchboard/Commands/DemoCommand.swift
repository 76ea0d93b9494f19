import ArgumentParser
import Foundation
import SwitchboardCore
import SwitchboardMetrics
import SwitchboardStore

/// `switchboard demo` — the whole pipeline on bundled sample data in a temporary SQLite file.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Import the bundled sample data of config/demo.yaml into a temporary store and print the report.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Keep the demo store at this path instead of a temporary file.")
    var store: String?

    func run() async throws {
        let rt = try Runtime(options: global, defaultConfig: "config/demo.yaml")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-demo-\(UUID().uuidString)")
        let path = store ?? dir.appendingPathComponent("demo.db").path
        defer { if store == nil { try? FileManager.default.removeItem(at: dir) } }
        let db = try await rt.openStore(overridePath: path)
        let runner = IngestRunner(store: db, policy: rt.config.ingestPolicy, quiet: true)
        var summaries: [IngestSummary] = []
        for entry in rt.config.connectors where entry.enabled {
            guard let importer = try rt.make(entry) as? any FileImporter, let p = entry.path else { continue }
            let url = rt.config.resolve(path: p)
            summaries.append(try await runner.run(source: entry.name, mode: "import") { sink in
                try await importer.importFiles([url], into: sink)
            })
        }
        var webhookSources: [String: any WebhookSource] = [:]
        for entry in rt.config.connectors where entry.enabled {
            if let source = try rt.make(entry) as? any WebhookSource { webhookSources[entry.name] = source }
        }
        let recorded = rt.config.resolve(path: "samples/webhooks.jsonl")
        var replayed: [Int: Int] = [:]
        if !webhookSources.isEmpty, FileManager.default.fileExists(atPath: recorded.path) {
            replayed = try await WebhookReplay(sources: webhookSources, store: db, policy: rt.config.ingestPolicy)
                .run(file: recorded)
        }
        if !global.json {
            print("Demo store: \(store ?? "temporary file")")
            SummaryOutput.print(summaries, json: false)
            if !replayed.isEmpty {
                let answers = replayed.keys.sorted().map { "\($0): \(replayed[$0]!)" }.joined(separator: ", ")
                print("webhook replay (\(recorded.lastPathComponent)): \(replayed.values.reduce(0, +)) deliveries answered \(answers)")
            }
            print("")
        }
        let settings = try MetricsRun.settings(rt.config)
        // The sample data is from March 2026: "now" is pinned so the demo always shows the same numbers.
        let now = ReportTime.parse("2026-04-01", timeZone: settings.timeZone)!
        let report = try await MetricsEngine(settings: settings).report(store: db, request: ReportRequest(now: now, by: [.channel, .agent, .topic]))
        print(MetricsRun.render(report, format: global.json ? "json" : "table"), terminator: "")
    }
}
