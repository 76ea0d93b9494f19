import ArgumentParser
import Foundation
import Logging
import SwitchboardCore
import SwitchboardScan
import SwitchboardStore

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (default: $SWITCHBOARD_CONFIG or ./switchboard.yaml).")
    var config: String?

    @Flag(name: .long, help: "No progress output; only the summary line and errors.")
    var quiet = false

    @Flag(name: .long, help: "Machine-readable JSON output.")
    var json = false

    @Flag(name: .long, help: "Log debugging details to standard error.")
    var verbose = false

    /// The config path chosen by flag, environment or default.
    func configURL(default fallback: String = "switchboard.yaml") -> URL {
        let path = config ?? ProcessInfo.processInfo.environment["SWITCHBOARD_CONFIG"] ?? fallback
        return URL(fileURLWithPath: path)
    }
}

/// What a command needs: the loaded config, the registry and a store.
struct Runtime {
    let config: SwitchboardConfig
    let options: GlobalOptions
    let logger: Logger

    /// Loads and validates the config (exit 2 on problems).
    init(options: GlobalOptions, defaultConfig: String = "switchboard.yaml") throws {
        self.options = options
        Terminal.bootstrapLogging(verbose: options.verbose)
        logger = Logger(label: "switchboard")
        config = try ConfigLoader(registry: connectorRegistry).load(file: options.configURL(default: defaultConfig))
        ShownSecrets.add(config.secretValues)
    }

    /// The configured store as it may be shown: the SQLite path, or the PostgreSQL URL without its password.
    var storeDescription: String {
        switch config.store {
        case .sqlite(let path): return config.resolve(path: path).path
        case .postgres(let url): return Redaction.url(url)
        }
    }

    var context: ConnectorContext { ConnectorContext(config: config, logger: logger) }

    /// Opens the configured store, or the SQLite file given.
    func openStore(overridePath: String? = nil) async throws -> any MetricsStore {
        if let overridePath { return try SQLiteStore(path: overridePath) }
        switch config.store {
        case .sqlite(let path):
            return try SQLiteStore(path: config.resolve(path: path).path)
        case .postgres(let url):
            return try await PostgresStore.open(url: url, logger: logger)
        }
    }

    /// The connector entry called `name`, or a usage error listing the configured ones.
    func entry(named name: String) throws -> ConnectorEntry {
        guard let entry = config.connector(named: name) else {
            let names = config.connectors.map(\.name)
            throw UsageFailure("no connector named '\(name)' in \(config.file.path)\(Suggestion.hint(for: name, in: names)); configured: \(names.isEmpty ? "none" : names.joined(separator: ", "))")
        }
        return entry
    }

    /// Builds a configured connector.
    func make(_ entry: ConnectorEntry) throws -> any Connector {
        try connectorRegistry.make(entry, context: context, file: config.file.path)
    }
}
