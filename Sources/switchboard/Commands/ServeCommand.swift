import ArgumentParser
import Foundation
import ServiceLifecycle
import SwitchboardCore
import SwitchboardServer

/// `switchboard serve` — the webhook receiver (DESIGN §1): verified, durable, deduplicated.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive webhooks for every configured webhook source (POST/GET /webhooks/{source}, /healthz, /readyz, /metrics) and serve the live report (GET /report).",
        discussion: """
            Answers 2xx only after the delivery is durably committed. Stops gracefully on SIGTERM or SIGINT.
            GET /report takes the options of `switchboard report` as query parameters (from, to, now, by, channel, \
            source, agent, format=html|json|csv|table; default html) and asks for `Authorization: Bearer TOKEN` \
            when server.report_token is set.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Listen address HOST:PORT (default: server.listen from the config; port 0 picks a free port).")
    var listen: String?

    func run() async throws {
        let rt = try Runtime(options: global)
        var settings = rt.config.server
        if let listen { settings.listen = listen }
        guard let (host, port) = settings.hostAndPort else {
            throw UsageFailure("server.listen: '\(settings.listen)' is not HOST:PORT, e.g. 127.0.0.1:8080")
        }
        var sources: [String: any WebhookSource] = [:]
        for entry in rt.config.connectors where entry.enabled {
            if let source = try rt.make(entry) as? any WebhookSource { sources[entry.name] = source }
        }
        if sources.isEmpty {
            rt.logger.warning("no webhook sources configured: every POST /webhooks/{source} will be answered 404")
        }
        let store = try rt.openStore()
        let server = WebhookServer(host: host, port: port, sources: sources, store: store, maxBody: settings.maxBody,
                                   privacy: rt.config.privacy, report: try reportEndpoint(rt, token: settings.reportToken),
                                   logger: rt.logger)
        let names = sources.keys.sorted().joined(separator: ", ")
        let app = server.application { bound in
            let line = "switchboard serve: listening on http://\(host):\(bound) (webhook sources: \(names.isEmpty ? "none" : names))\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: rt.logger))
        try await group.run()
        FileHandle.standardError.write(Data("switchboard serve: stopped\n".utf8))
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
