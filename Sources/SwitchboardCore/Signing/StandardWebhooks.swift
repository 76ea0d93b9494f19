import Crypto
import Foundation

/// The Standard Webhooks signature scheme, both ways: the webhook connector (`kind: standard-webhooks`)
/// verifies deliveries with it, the webhook notification destination (`kind: webhook`) signs its posts.
///
/// A delivery carries `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`: space-separated
/// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by the base64-decoded part of a `whsec_…` secret.
///
/// ```swift
/// let key = try StandardWebhooks.key(fromSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
/// let header = StandardWebhooks.signature(key: key, id: "msg_1", timestamp: "1700000000", body: body)  // "v1,…"
/// StandardWebhooks.matches(header, keys: [key], id: "msg_1", timestamp: "1700000000", body: body)      // true
/// ```
public enum StandardWebhooks {
    /// A secret that is not `whsec_` followed by base64.
    public struct BadSecret: Error, Sendable, CustomStringConvertible {
        public var description: String { "expected a `whsec_` key followed by base64" }
    }

    /// The signing key of `secret` (`whsec_` + base64; the bare base64 is accepted too).
    public static func key(fromSecret secret: String) throws -> Data {
        let b64 = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        guard let key = Data(base64Encoded: b64), !key.isEmpty else { throw BadSecret() }
        return key
    }

    /// HMAC-SHA256 of `parts` (concatenated) under `key`.
    public static func hmacSHA256(key: some DataProtocol, _ parts: [Data]) -> [UInt8] {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: Data(key)))
        for p in parts { mac.update(data: p) }
        return Array(mac.finalize())
    }

    /// The raw signature of one delivery.
    public static func mac(key: Data, id: String, timestamp: String, body: Data) -> [UInt8] {
        hmacSHA256(key: key, [Data(id.utf8), Data(".".utf8), Data(timestamp.utf8), Data(".".utf8), body])
    }

    /// The `webhook-signature` header value for one delivery: `v1,<base64>`.
    public static func signature(key: Data, id: String, timestamp: String, body: Data) -> String {
        "v1," + Data(mac(key: key, id: id, timestamp: timestamp, body: body)).base64EncodedString()
    }

    /// True when one `v1,` signature of `header` is the signature of the delivery under one of `keys` (key
    /// rotation); compared in constant time.
    public static func matches(_ header: String, keys: [Data], id: String, timestamp: String, body: Data) -> Bool {
        var given: [[UInt8]] = []
        for part in header.split(separator: " ") where part.hasPrefix("v1,") {
            if let sig = Data(base64Encoded: String(part.dropFirst(3))) { given.append(Array(sig)) }
        }
        var matched = false
        for key in keys {
            let expected = mac(key: key, id: id, timestamp: timestamp, body: body)
            for sig in given where constantTimeEqual(sig, expected) { matched = true }
        }
        return matched
    }

    /// Compares two byte strings in time that depends only on their lengths.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
