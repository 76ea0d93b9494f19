import Foundation
import Hummingbird
import HummingbirdCore
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
    /// Timeouts, the connection cap and body memory (`server:`).
    public let limits: ConnectionLimits
    let store: any MetricsStore
    let report: ReportEndpoint?
    let logger: Logger
    /// The body of `GET /status` (the pull scheduler's state); no route when nil.
    public var statusProvider: (@Sendable () async -> [UInt8])?
    /// Text appended to `GET /metrics` (the KPI gauges, ``KPIGauges``); none when nil.
    public var metricsAppendix: (@Sendable () async -> String)?
    /// `GET /alerts` when set.
    public var alerts: AlertsEndpoint?

    /// - Parameters:
    ///   - sources: configured webhook sources by name (the `{source}` of the URL).
    ///   - maxBody: the body limit in bytes (`server.max_body`).
    ///   - limits: timeouts, connection cap and body memory (`server:`).
    ///   - report: serves `GET /report` when given.
    public init(host: String, port: Int, sources: [String: any WebhookSource], store: any MetricsStore,
                maxBody: Int = 1 << 20, limits: ConnectionLimits = ConnectionLimits(), privacy: PrivacySettings = PrivacySettings(),
                topicRules: TopicRules = .empty, report: ReportEndpoint? = nil,
                logger: Logger = Logger(label: "switchboard.server")) {
        self.host = host
        self.port = port
        self.limits = limits
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
        let reader = BodyReader(limit: receiver.maxBody, budget: BodyBudget(capacity: limits.bodyMemory, logger: logger))
        router.post("/webhooks/:source") { request, context in
            let started = ContinuousClock.now
            let name = context.parameters.get("source") ?? ""
            let label = receiver.sources[name] == nil ? "unknown" : name
            let response: Response
            do throws(BodyReader.Failure) {
                let declared = request.headers[.contentLength].flatMap { Int($0) }
                let answer = try await reader.withBody(request.body, declaredLength: declared) { body in
                    await receiver.deliver(source: name, request: Self.webhookRequest(request, body: body))
                }
                response = Self.response(answer.response)
            } catch {
                response = Self.refusal(error, maxBody: receiver.maxBody)
                metrics.rejected(source: label, reason: Self.reason(error))
            }
            metrics.request(source: label, status: Int(response.status.code), elapsed: ContinuousClock.now - started)
            return response
        }
        router.get("/webhooks/:source") { request, context in
            let name = context.parameters.get("source") ?? ""
            let started = ContinuousClock.now
            let answer = receiver.handshake(source: name, request: Self.webhookRequest(request, body: Data()))
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
        let appendix = metricsAppendix
        router.get("/metrics") { _, _ in
            var text = metrics.render()
            if let appendix { text += Array(await appendix().utf8) }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
        alerts?.register(on: router)
        report?.register(on: router, store: store)
        return router
    }

    /// The application; run it directly or inside a `ServiceGroup`.
    /// - Parameter onServerRunning: called with the bound port once listening (port 0 picks a free one).
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol {
        let (limits, metrics, logger) = (self.limits, self.metrics, self.logger)
        let server = HTTPServerBuilder { responder in
            GuardedHTTP1Channel(responder: responder, limits: limits, metrics: metrics, logger: logger)
        }
        let configuration = ApplicationConfiguration(
            address: .hostname(host, port: port), serverName: "switchboard",
            availableConnectionsDelegate: ConnectionCap(limit: limits.maxConnections, logger: logger))
        return Application(router: router(), server: server, configuration: configuration, services: [committer],
                           onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
                           logger: logger)
    }

    /// The answer to a body that was not read; what the client still sends of it is read and thrown
    /// away before the connection goes on (see ``ConnectionGuard``).
    static func refusal(_ failure: BodyReader.Failure, maxBody: Int) -> Response {
        let (status, text): (HTTPResponse.Status, String) = switch failure {
        case .tooLarge: (.contentTooLarge, "body larger than \(maxBody) bytes\n")
        case .busy: (.serviceUnavailable, "too many request bodies in progress; retry later\n")
        case .incomplete: (.badRequest, "the request body ended before its declared length\n")
        }
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        if failure == .busy { headers[.retryAfter] = "5" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The `reason` label of a refused body in `…_rejected_total`.
    static func reason(_ failure: BodyReader.Failure) -> String {
        switch failure {
        case .tooLarge: "too_large"
        case .busy: "body_memory"
        case .incomplete: "incomplete_body"
        }
    }

    static func webhookRequest(_ request: Request, body: Data) -> WebhookRequest {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        var query: [String: String] = [:]
        for (k, v) in request.uri.queryParameters { query[String(k).removingPercentEncoding ?? String(k)] = String(v) }
        return WebhookRequest(method: request.method.rawValue, path: request.uri.path, query: query, headers: headers,
                              body: body)
    }

    static func response(_ r: WebhookResponse) -> Response {
        Response(status: HTTPResponse.Status(code: r.status), headers: [.contentType: r.contentType],
                 body: .init(byteBuffer: ByteBuffer(bytes: r.body)))
    }
}
