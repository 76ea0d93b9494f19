import Foundation
import Logging
import SwitchboardCore

/// The protocol-independent part of the receiver: one delivery in, one answer out,
/// in the order size limit → verify (raw bytes) → decode → durable write → answer.
///
/// Kept apart from Hummingbird so the order of work reads in one place.
public struct WebhookReceiver: Sendable {
    /// An answer with the token metrics count it under.
    public struct Answer: Sendable {
        public var response: WebhookResponse
        public var outcome: String
    }

    public let sources: [String: any WebhookSource]
    public let maxBody: Int
    /// Topic rules and privacy, applied to every delivered interaction before it is stored.
    public let policy: IngestPolicy
    let committer: GroupCommitter
    let metrics: ServerMetrics
    let logger: Logger
    /// The per-source budget of GET handshakes.
    public let handshakes = HandshakeLimiter()

    public init(sources: [String: any WebhookSource], maxBody: Int, policy: IngestPolicy, committer: GroupCommitter,
                metrics: ServerMetrics, logger: Logger) {
        self.sources = sources
        self.maxBody = maxBody
        self.policy = policy
        self.committer = committer
        self.metrics = metrics
        self.logger = logger
    }

    static func text(_ status: Int, _ body: String) -> WebhookResponse {
        WebhookResponse(status: status, body: Data(body.utf8))
    }

    /// Answers a GET handshake (Meta hub.challenge, X CRC), within the source's ``HandshakeLimiter`` budget.
    public func handshake(source name: String, request: WebhookRequest) -> WebhookResponse {
        guard let source = sources[name] else { return Self.text(404, "unknown webhook source\n") }
        guard handshakes.allow(source: name) else {
            metrics.rejected(source: name, reason: "handshake_rate")
            return Self.text(429, "too many handshake requests for this source; try again in a minute\n")
        }
        return source.handshake(request) ?? Self.text(400, "not a handshake request\n")
    }

    /// Handles a POST whose body has been read within ``maxBody``.
    public func deliver(source name: String, request: WebhookRequest) async -> Answer {
        guard let source = sources[name] else {
            return Answer(response: Self.text(404, "unknown webhook source\n"), outcome: "unknown_source")
        }
        do {
            try source.verify(request)
        } catch let error as ConnectorError where error.code == .staleTimestamp {
            metrics.rejected(source: name, reason: "stale_timestamp")
            return Answer(response: Self.text(401, "unauthorized\n"), outcome: "stale_timestamp")
        } catch {
            metrics.rejected(source: name, reason: "signature")
            return Answer(response: Self.text(401, "unauthorized\n"), outcome: "signature")
        }
        var delivery: WebhookDelivery
        do {
            if let decoder = source as? any WebhookDeliveryDecoding {
                delivery = try decoder.decodeDelivery(request)
            } else {
                delivery = WebhookDelivery(interactions: try source.decode(request))
            }
        } catch {
            delivery = WebhookDelivery(rejected: [.init(reason: "undecodable delivery: \(error)", raw: request.body)])
        }
        for (event, n) in delivery.ignored { metrics.ignored(source: name, event: event, count: n) }
        if !delivery.rejected.isEmpty { metrics.rejected(source: name, reason: "undecodable", count: delivery.rejected.count) }
        let ack = delivery.acknowledgement ?? WebhookResponse(status: 200)
        if delivery.interactions.isEmpty && delivery.rejected.isEmpty {
            return Answer(response: ack, outcome: "acknowledged")
        }
        var deadLetters: [DeadLetter] = []
        if !delivery.rejected.isEmpty {
            let provenance = "webhook:\(name)@\(Timestamp.formatISO8601(request.receivedAt))"
            let replay = WebhookReplayContext.context(kind: type(of: source).kind, request: request)
            deadLetters = delivery.rejected.map {
                DeadLetter(source: name, at: request.receivedAt, reason: $0.reason, provenance: provenance, raw: $0.raw,
                           replay: replay)
            }
        }
        do {
            try await committer.commit(source: name, interactions: delivery.interactions.map(policy.apply(to:)),
                                       deadLetters: deadLetters)
        } catch {
            metrics.rejected(source: name, reason: "store_unavailable")
            return Answer(response: Self.text(503, "store unavailable, retry later\n"), outcome: "store_unavailable")
        }
        return Answer(response: ack, outcome: delivery.interactions.isEmpty ? "dead_letter" : "stored")
    }
}
