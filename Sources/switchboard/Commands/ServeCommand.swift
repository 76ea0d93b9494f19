import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardMetrics
import SwitchboardScan
import SwitchboardScheduler
import SwitchboardServer

extension LogFormat: ExpressibleByArgument {}

/// `switchboard serve` — the webhook receiver (DESIGN §1): verified, durable, deduplicated —
/// and the scheduled pulls of every enabled pull source with `schedule:`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive webhooks (POST/GET /webhooks/{source}) and run scheduled pulls; /healthz, /readyz, /metrics, /status; the live report at GET /report.",
        discussion: """
            Answers 2xx only after the delivery is durably committed. Every enabled pull source with a \
            `schedule:` ("every 5m" or a cron expression in the config timezone) runs on its own timer; \
            `switchboard status` shows the runs. Stops gracefully on SIGTERM or SIGINT: a pull in progress \
            ends at its next checkpoint, which is committed. GET /report takes the options of `switchboard report` as query parameters \
            (from, to, now, period, by, channel, source, agent, format=html|json|csv|table; default html) and asks for \
            `Authorization: Bearer TOKEN` when server.report_token is set; it is computed from the conversation state serve \
            keeps current as interactions are committed (docs/live.md; --cold-report reads the store on every request). Its page links every count to \
            GET /conversations (the options and conditions of `switchboard conversations`) and each listed \
            conversation to GET /conversations/{source}/{key} (the explain view), under the same token rule. \
            The reports of `reports:` are mailed to their `notifications:` destinations at each slot of their \
            schedule, once per slot (docs/reports.md). The rules of `alerts:` are evaluated about every second and notify their \
            destinations when an alert opens, escalates and resolves; GET /alerts lists the open ones (same token rule as \
            GET /report) and /metrics carries the live KPI gauges (docs/alerts.md).
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Listen address HOST:PORT (default: server.listen from the config; port 0 picks a free port).")
    var listen: String?

    @Option(name: .customLong("log-format"), help: "Log lines on standard error: text, or json (one JSON object per line, for log shippers).")
    var logFormat: LogFormat = .text

    @Flag(name: .customLong("cold-report"), help: "Keep no live conversation state: GET /report, the alerts and the gauges read the whole store on every request (saves the state's memory; docs/live.md).")
    var coldReport = false

    func run() async throws {
        Terminal.bootstrapLogging(verbose: global.verbose, format: logFormat, level: .info)
        let rt = try Runtime(options: global)
        var settings = rt.config.server
        if let listen { settings.listen = listen }
        guard let (host, port) = settings.hostAndPort else {
            throw UsageFailure("server.listen: '\(settings.listen)' is not HOST:PORT, e.g. 127.0.0.1:8080")
        }
        var sources: [String: any WebhookSource] = [:]
        var jobs: [PullScheduler.Job] = []
        for entry in rt.config.connectors where entry.enabled {
            let connector = try rt.make(entry)
            if let source = connector as? any WebhookSource { sources[entry.name] = source }
            if let pull = connector as? any PullSource {
                if let schedule = entry.scheduleRule {
                    jobs.append(PullScheduler.Job(name: entry.name, kind: entry.kind, schedule: schedule, source: pull))
                } else {
                    rt.logger.info("pull source without schedule: run it with `switchboard pull`, or add schedule: to run it here",
                                   metadata: ["connector.source": "\(entry.name)"])
                }
            }
        }
        if sources.isEmpty {
            rt.logger.warning("no webhook sources configured: every POST /webhooks/{source} will be answered 404")
        }
        let store = try await rt.openStore()
        let scheduler = PullScheduler(jobs: jobs, store: CrashAfterWrites.wrapScheduled(store),
                                      locks: store as? any SourceLocking, privacy: rt.config.privacy,
                                      topicRules: rt.config.topicRules, timeZone: rt.config.timeZone,
                                      redactor: SecretRedactor(secrets: rt.config.secretValues),
                                      logger: Logger(label: "switchboard.scheduler"))
        // The conversation state the report, the lists, the alerts and the gauges read (ServeCommand+Live.swift).
        let live = liveMetrics(rt, store: store)
        var report = try reportEndpoint(rt, token: settings.reportToken)
        report.loader = live
        var server = WebhookServer(host: host, port: port, sources: sources, store: store, maxBody: settings.maxBody,
                                   limits: connectionLimits(settings, logger: rt.logger), privacy: rt.config.privacy,
                                   topicRules: rt.config.topicRules, report: report,
                                   logger: rt.logger)
        let reports = try reportScheduler(rt, store: store)
        // Alerts and the KPI gauges of /metrics read the metrics through one loader (ServeCommand+Alerts.swift).
        let watch = try alertsWatch(rt, store: store, loader: live ?? metricsLoader(rt, store: store), token: settings.reportToken)
        server.metricsAppendix = watch.metrics
        server.alerts = watch.endpoint
        server.statusProvider = {
            var status = await scheduler.status()
            if let reports { status.reports = await reports.status() }
            if let alerts = watch.monitor { status.alerts = await alerts.status() }
            return [UInt8](status.json())
        }
        let names = sources.keys.sorted().joined(separator: ", ")
        let scheduled = jobs.map { "\($0.name) (\($0.schedule))" }.joined(separator: ", ")
        let mailed = rt.config.reports.map { "\($0.name) (\($0.schedule))" }.joined(separator: ", ")
        let json = logFormat == .json, logger = rt.logger, shownStore = rt.storeDescription
        let app = server.application { bound in
            let line = "switchboard serve: listening on http://\(host):\(bound) (store: \(shownStore), webhook sources: \(names.isEmpty ? "none" : names); scheduled pulls: \(scheduled.isEmpty ? "none" : scheduled)\(mailed.isEmpty ? "" : "; scheduled reports: \(mailed)"))"
            if json { logger.notice("\(line)") } else { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
        // Shutdown runs in reverse order: the scheduler stops first (waiting for a pull in progress),
        // then the HTTP server and its committer.
        let services: [any Service] = [app, scheduler] + (reports.map { [$0] } ?? []) + (watch.monitor.map { [$0] } ?? [])
            + (live.map { [LiveFollower(live: $0, interval: .seconds(2))] } ?? [])
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: rt.logger))
        try await group.run()
        if json { rt.logger.notice("switchboard serve: stopped") }
        else { FileHandle.standardError.write(Data("switchboard serve: stopped\n".utf8)) }
    }

    /// The sender of `reports:`, nil without reports. A report that cannot be computed (unreadable customer
    /// links) is logged and not sent, instead of stopping the webhook receiver.
    func reportScheduler(_ rt: Runtime, store: any MetricsStore) throws -> ReportScheduler? {
        guard !rt.config.reports.isEmpty else { return nil }
        let problems = ReportsCheck.problems(rt.config)
        guard problems.isEmpty else { throw ConfigError(problems: problems) }
        let destinations = try ReportsRuntime.destinations(rt.config, names: rt.config.reports.flatMap(\.notify))
        guard let log = store as? any ReportSendLog else {
            throw RunFailure("this store keeps no sent log of reports; scheduled reports need the SQLite or PostgreSQL store")
        }
        let publisher: ReportPublisher
        do {
            publisher = try MetricsRun.publisher(rt.config)
        } catch let failure as UsageFailure {
            rt.logger.error("scheduled reports are not sent: \(failure.message)")
            return nil
        }
        let clock: any SchedulerClock = FileClock.fromEnvironment ?? SystemSchedulerClock()
        return ReportScheduler(reports: rt.config.reports,
                               sender: ReportMail(publisher: publisher, store: store, destinations: destinations),
                               log: log, locks: (store as? any SourceLocking) ?? ProcessSourceLocks(),
                               timeZone: rt.config.timeZone, clock: clock,
                               redactor: SecretRedactor(secrets: rt.config.secretValues),
                               logger: Logger(label: "switchboard.reports"))
    }

    /// The `server:` limits, with the connection cap kept under the open-file limit, which is first raised
    /// to its hard limit (every connection takes a descriptor; the common soft default of 1024 is soon used up).
    func connectionLimits(_ settings: ServerSettings, logger: Logger) -> ConnectionLimits {
        var limits = ConnectionLimits(settings)
        let files = OpenFileLimit.raiseToHard()
        let allowed = OpenFileLimit.connectionsAllowed(byLimit: files.now)
        let raised = files.now > files.before ? " (raised from \(files.before) to the hard limit)" : ""
        logger.info("open-file limit: \(files.now)\(raised); at most \(min(limits.maxConnections, allowed)) connections at once")
        if limits.maxConnections > allowed {
            logger.warning("server.max_connections \(limits.maxConnections) does not fit the open-file limit \(files.now): accepting at most \(allowed) connections at once; raise the hard limit (ulimit -Hn, or LimitNOFILE= in a systemd unit) to allow more")
            limits.maxConnections = allowed
        }
        return limits
    }

    /// `GET /report`; a metric-settings problem (unreadable customer links) is logged and answered
    /// 500 by the endpoint instead of stopping the webhook receiver.
    func reportEndpoint(_ rt: Runtime, token: String?) throws -> ReportEndpoint {
        if let token, token.trimmingCharacters(in: .whitespaces).isEmpty {
            throw UsageFailure("\(rt.config.file.path): server.report_token is empty; set it to a long random secret (e.g. ${SWITCHBOARD_REPORT_TOKEN}) or remove the key to leave GET /report open")
        }
        if token == nil {
            rt.logger.notice("server.report_token is not set: GET /report is open to anyone who reaches the listener")
        }
        do {
            return ReportEndpoint(publisher: try MetricsRun.publisher(rt.config), token: token)
        } catch let failure as UsageFailure {
            rt.logger.error("GET /report is not available: \(failure.message)")
            return ReportEndpoint(unavailable: failure.message, token: token)
        }
    }
}
