import Foundation
import Prometheus
import Synchronization

/// The receiver's Prometheus metrics, per source, served at `GET /metrics`.
///
/// Kept in its own registry (not the process-wide swift-metrics bootstrap) so
/// several servers in one process — tests — do not share counters.
public struct ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
    ]

    /// The request counter and latency histogram of each source and status, looked up in the registry once:
    /// the registry builds the metric's name and label list on every lookup, once per request otherwise.
    private let perRequest = RequestMetrics()
    private final class RequestMetrics: Sendable {
        let known = Mutex<[RequestKey: (Counter, DurationHistogram)]>([:])
    }
    private struct RequestKey: Hashable {
        var source: String
        var status: Int
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    private func counter(_ name: String, _ help: String, _ labels: [(String, String)]) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "switchboard", subsystem: "webhook",
                                                              metricName: name, unitName: "total", helpText: help),
                             labels: labels)
    }

    /// One answered request.
    func request(source: String, status: Int, elapsed: Duration) {
        let key = RequestKey(source: source, status: status)
        let (count, latency) = perRequest.known.withLock { known in
            if let pair = known[key] { return pair }
            let pair = (
                counter("requests", "Webhook requests by source and HTTP status", [("source", source), ("status", String(status))]),
                registry.makeDurationHistogram(
                    descriptor: MetricNameDescriptor(namespace: "switchboard", subsystem: "webhook", metricName: "request_duration",
                                                     unitName: "seconds", helpText: "Time from request to answer"),
                    labels: [("source", source)], buckets: Self.latencyBuckets))
            known[key] = pair
            return pair
        }
        count.increment()
        latency.record(elapsed)
    }

    /// A request or record refused; `reason` is a short token (`signature`, `stale_timestamp`, `too_large`, …).
    func rejected(source: String, reason: String, count: Int = 1) {
        counter("rejected", "Deliveries or records rejected, by reason", [("source", source), ("reason", reason)])
            .increment(by: Int64(count))
    }

    /// Events recognised and deliberately not stored (delivery statuses, typing notices).
    func ignored(source: String, event: String, count: Int) {
        counter("ignored", "Events acknowledged but not stored, by event type", [("source", source), ("event", event)])
            .increment(by: Int64(count))
    }

    /// A committed group.
    func committed(source: String, stored: Int, duplicates: Int, deadLetters: Int) {
        counter("stored", "Interactions newly stored", [("source", source)]).increment(by: Int64(stored))
        counter("duplicates", "Interactions already stored (replayed deliveries)", [("source", source)])
            .increment(by: Int64(duplicates))
        counter("dead_letters", "Verified deliveries or parts kept as dead letters", [("source", source)])
            .increment(by: Int64(deadLetters))
        counter("commits", "Store transactions (group commits)", [("source", source)]).increment()
    }

    /// A connection closed by the server's guard: `idle_timeout`, `header_timeout`, `body_timeout`, `discard_limit`.
    func connectionClosed(reason: String) {
        counter("connections_closed", "Connections closed for being idle or slow, by reason", [("reason", reason)])
            .increment()
    }

    /// The text exposition format.
    public func render() -> [UInt8] { registry.emitToBuffer() }
}
