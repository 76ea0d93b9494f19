import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardScan

/// `switchboard serve`: the Hummingbird application with the webhook routes,
/// health, readiness and metrics, and the group committer as its service.
///
/// Routes: `POST /webhooks/{source}`, `GET /webhooks/{source}` (handshakes),
/// `GET /healthz`, `GET /readyz` (store reachable), `GET /metrics` (Prometheus text), and
/// `GET /status` (JSON) when ``statusProvider`` is set.
/// `GET /report` (the live report, see ``ReportEndpoint``) when a report endpoint is given.
/// Graceful shutdown (SIGTERM/SIGINT via `ServiceGroup`): the server stops accepting and
/// finishes in-flight requests first, then the committer commits what is queued.
public struct WebhookServer: Sendable {
    public let host: String
    public let port: Int
    public let receiver: WebhookReceiver
    public let committer: GroupCommitter
    public let metrics: ServerMetrics
    let store: any MetricsStore
    let report: ReportEndpoint?
    let logger: Logger
    /// The body of `GET /status` (the pull scheduler's state); no route when nil.
    public var statusProvider: (@Sendable () async -> [UInt8])?

    /// - Parameters:
    ///   - sources: configured webhook sources by name (the `{source}` of the URL).
    ///   - maxBody: the body limit in bytes (`server.max_body`).
    ///   - report: serves `GET /report` when given.
    public init(host: String, port: Int, sources: [String: any WebhookSource], store: any MetricsStore,
                maxBody: Int = 1 << 20, privacy: PrivacySettings = PrivacySettings(), topicRules: TopicRules = .empty,
                report: ReportEndpoint? = nil,
                logger: Logger = Logger(label: "switchboard.server")) {
        self.host = host
        self.port = port
        self.store = store
        self.report = report
        self.logger = logger
        let metrics = ServerMetrics()
        let committer = GroupCommitter(store: store, logger: logger) { r in
            metrics.committed(source: r.source, stored: r.stored, duplicates: r.duplicates, deadLetters: r.deadLetters)
        }
        self.metrics = metrics
        self.committer = committer
        receiver = WebhookReceiver(sources: sources, maxBody: maxBody,
                                   policy: IngestPolicy(privacy: privacy, topicRules: topicRules), committer: committer,
                                   metrics: metrics, logger: logger)
    }

    /// The router with every route.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let receiver = self.receiver
        let metrics = self.metrics
        let store = self.store
        router.post("/webhooks/:source") { request, context in
            let started = ContinuousClock.now
            let name = context.parameters.get("source") ?? ""
            let label = receiver.sources[name] == nil ? "unknown" : name
            var answer: WebhookReceiver.Answer
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > receiver.maxBody {
                metrics.rejected(source: label, reason: "too_large")
                answer = .init(response: WebhookReceiver.text(413, "body larger than \(receiver.maxBody) bytes\n"), outcome: "too_large")
            } else {
                var request = request
                do {
                    let body = try await request.collectBody(upTo: receiver.maxBody)
                    answer = await receiver.deliver(source: name, request: Self.webhookRequest(request, body: body))
                } catch {
                    metrics.rejected(source: label, reason: "too_large")
                    answer = .init(response: WebhookReceiver.text(413, "body larger than \(receiver.maxBody) bytes\n"), outcome: "too_large")
                }
            }
            metrics.request(source: label, status: answer.response.status, elapsed: ContinuousClock.now - started)
            return Self.response(answer.response)
        }
        router.get("/webhooks/:source") { request, context in
            let name = context.parameters.get("source") ?? ""
            let started = ContinuousClock.now
            let answer = receiver.handshake(source: name, request: Self.webhookRequest(request, body: ByteBuffer()))
            metrics.request(source: receiver.sources[name] == nil ? "unknown" : name, status: answer.status,
                            elapsed: ContinuousClock.now - started)
            return Self.response(answer)
        }
        router.get("/healthz") { _, _ in Self.response(WebhookReceiver.text(200, "ok\n")) }
        router.get("/readyz") { _, _ in
            do {
                _ = try await store.checkpoint(source: "switchboard.readyz")
                return Self.response(WebhookReceiver.text(200, "ready\n"))
            } catch {
                return Self.response(WebhookReceiver.text(503, "store unavailable\n"))
            }
        }
        if let statusProvider { router.addStatusRoute(statusProvider) }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        report?.register(on: router, store: store)
        return router
    }

    /// The application; run it directly or inside a `ServiceGroup`.
    /// - Parameter onServerRunning: called with the bound port once listening (port 0 picks a free one).
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol {
        Application(router: router(),
                    configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "switchboard"),
                    services: [committer],
                    onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
                    logger: logger)
    }

    static func webhookRequest(_ request: Request, body: ByteBuffer) -> WebhookRequest {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        var query: [String: String] = [:]
        for (k, v) in request.uri.queryParameters { query[String(k).removingPercentEncoding ?? String(k)] = String(v) }
        return WebhookRequest(method: request.method.rawValue, path: request.uri.path, query: query, headers: headers,
                              body: Data(body.readableBytesView))
    }

    static func response(_ r: WebhookResponse) -> Response {
        Response(status: HTTPResponse.Status(code: r.status), headers: [.contentType: r.contentType],
                 body: .init(byteBuffer: ByteBuffer(bytes: r.body)))
    }
}
