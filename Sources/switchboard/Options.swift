import ArgumentParser
import Foundation
import Logging
import SwitchboardCore
import SwitchboardMetrics
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
    /// Credentials connectors keep at run time (rotated OAuth2 refresh tokens): the store, once opened.
    let credentials = StoreCredentials()

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

    var context: ConnectorContext {
        var c = ConnectorContext(config: config, logger: logger)
        c.credentials = credentials
        return c
    }

    /// Opens the configured store, or the SQLite file given.
    func openStore(overridePath: String? = nil) async throws -> any MetricsStore {
        let store: any MetricsStore
        if let overridePath { store = try SQLiteStore(path: overridePath) }
        else {
            switch config.store {
            case .sqlite(let path):
                store = try SQLiteStore(path: config.resolve(path: path).path)
            case .postgres(let url):
                store = try await PostgresStore.open(url: url, logger: logger)
            }
        }
        await credentials.bind(store)
        return store
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

/// The period and filters `switchboard report` and `switchboard conversations` share with `GET /report`.
struct PeriodFilterOptions: ParsableArguments {
    @Option(name: .long, help: "Start of the period (conversations by open time): date (midnight in the business timezone) or ISO 8601 timestamp; default: the first conversation's day.")
    var from: String?

    @Option(name: .long, help: "End of the period (exclusive), like --from; default: now.")
    var to: String?

    @Option(name: .long, help: "A period relative to --now in the business timezone instead of --from/--to: today, yesterday, this-week, previous-week, this-month, previous-month (weeks start on Monday).")
    var period: String?

    @Option(name: .long, help: "Only this channel (repeatable).")
    var channel: [String] = []

    @Option(name: .long, help: "Only this source (repeatable).")
    var source: [String] = []

    @Option(name: .long, help: "Only conversations owned by this agent id (repeatable; \"(none)\": those no agent answered).")
    var agent: [String] = []

    @Option(name: .long, help: "Only conversations with this topic (repeatable; \"(none)\": those without a topic).")
    var topic: [String] = []

    @Option(name: .long, help: "Only calls of this queue (repeatable).")
    var queue: [String] = []

    /// These flags as report options.
    func options(format: ReportOptions.Format, now: String?, by: [String] = []) -> ReportOptions {
        ReportOptions(format: format, from: from, to: to, now: now, period: period, by: by, channel: channel, source: source,
                      agent: agent, topic: topic, queue: queue)
    }

    func validate() throws {
        do {
            if let period { _ = try ReportOptions.period(period) }
        } catch let problem as ReportOptions.Problem {
            throw ValidationError(problem.flagMessage)
        }
    }
}
