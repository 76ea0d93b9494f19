import Foundation

/// A per-source budget for `GET /webhooks/{source}` handshakes (X CRC, Meta `hub.challenge`).
///
/// Providers send a handshake when a webhook is registered and then about once an hour, so a
/// small budget never gets in their way, while it bounds how fast anyone can probe a verify
/// token or collect CRC answers. Each source has a bucket of ``burst`` requests refilled at
/// ``perMinute`` a minute; a request finding it empty is answered 429.
public final class HandshakeLimiter: @unchecked Sendable {   // `buckets` is only touched under `lock`
    public let burst: Double
    public let perMinute: Double
    private let lock = NSLock()
    private var buckets: [String: Bucket] = [:]

    struct Bucket {
        var tokens: Double
        var at: ContinuousClock.Instant
    }

    public init(burst: Int = 20, perMinute: Int = 20) {
        self.burst = Double(max(1, burst))
        self.perMinute = Double(max(1, perMinute))
    }

    /// Takes one request from `source`'s budget; false when it is spent.
    public func allow(source: String, now: ContinuousClock.Instant = .now) -> Bool {
        lock.withLock {
            var bucket = buckets[source] ?? Bucket(tokens: burst, at: now)
            let elapsed = now - bucket.at
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + max(0, seconds) * perMinute / 60)
            bucket.at = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[source] = bucket
            return allowed
        }
    }
}
