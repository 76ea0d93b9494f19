import ArgumentParser
import Foundation
import SwitchboardCore
import SwitchboardMetrics

/// `switchboard check` — validates the config (every problem at once) and opens the store.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Validate the config and every connector's settings, open the store, then try each connector's connection.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Also validate every .yaml file in the config file's folder (the store is not opened).")
    var all = false

    @Flag(name: .long, help: "Do not connect to the connectors' servers (IMAP logins, mailbox lists).")
    var offline = false

    func run() async throws {
        var loader = ConfigLoader(registry: connectorRegistry)
        loader.checks = [{ destinationRegistry.problems($0) }, ReportsCheck.problems]
        let main = global.configURL()
        var files = [main]
        if all {
            let dir = main.deletingLastPathComponent()
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                .map { dir.appendingPathComponent($0) }
        }
        var problems: [ConfigProblem] = []
        for file in files {
            do {
                let config = try loader.validate(file: file)
                if !global.quiet {
                    let reports = config.reports.isEmpty ? "" : "; \(config.reports.count) scheduled report(s): \(config.reports.map(\.name).joined(separator: ", "))"
                    print("\(file.path): ok (\(config.connectors.count) connector(s): \(config.connectors.map { "\($0.name) [\($0.kind)]" }.joined(separator: ", "))\(reports))")
                }
            } catch let error as ConfigError {
                problems += error.problems
            }
        }
        guard problems.isEmpty else { throw ConfigError(problems: problems) }
        if !all {
            let rt = try Runtime(options: global)
            let store = try await rt.openStore()
            let count = try await store.count(source: nil)
            if !global.quiet { print("store: ok (\(rt.storeDescription), \(count) interactions)") }
            if let stages = rt.config.phone.stages {
                for w in StageCheck.warnings(stages: stages, scan: try await store.scanMetrics()) { Terminal.note("warning: \(w)") }
            }
            if !offline, try await checkConnections(rt) { throw RunFailure("") }
        }
    }
}
