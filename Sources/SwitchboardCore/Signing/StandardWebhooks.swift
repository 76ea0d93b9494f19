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
        Verifier(keys: [key]).macs(id: id, timestamp: timestamp, body: body)[0]
    }

    /// The `webhook-signature` header value for one delivery: `v1,<base64>`.
    public static func signature(key: Data, id: String, timestamp: String, body: Data) -> String {
        "v1," + Data(mac(key: key, id: id, timestamp: timestamp, body: body)).base64EncodedString()
    }

    /// True when one `v1,` signature of `header` is the signature of the delivery under one of `keys` (key
    /// rotation); compared in constant time.
    public static func matches(_ header: String, keys: [Data], id: String, timestamp: String, body: Data) -> Bool {
        Verifier(keys: keys).matches(header, id: id, timestamp: timestamp, body: body)
    }

    /// The keys of one source, each made ready for HMAC once (the key's padding hashed) rather than per delivery.
    public struct Verifier: Sendable {
        private let prepared: [HMAC<SHA256>]
        private static let dot: [UInt8] = [UInt8(ascii: ".")]

        public init(keys: [Data]) {
            prepared = keys.map { HMAC<SHA256>(key: SymmetricKey(data: $0)) }
        }

        /// The signature of the delivery under each key, in order.
        func macs(id: String, timestamp: String, body: Data) -> [[UInt8]] {
            var id = id, timestamp = timestamp
            return prepared.map { start in
                var mac = start
                id.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
                mac.update(data: Self.dot)
                timestamp.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
                mac.update(data: Self.dot)
                mac.update(data: body)
                return Array(mac.finalize())
            }
        }

        /// True when one `v1,` signature of `header` is the delivery's signature under one of the keys;
        /// compared in constant time. Signatures of any other length than SHA-256's cannot match and are skipped.
        public func matches(_ header: String, id: String, timestamp: String, body: Data) -> Bool {
            var given: [[UInt8]] = []
            for part in header.utf8.split(separator: UInt8(ascii: " ")) {
                guard part.count == 47, part.starts(with: "v1,".utf8),
                      let sig = StandardWebhooks.base64(part.dropFirst(3)) else { continue }
                given.append(sig)
            }
            guard !given.isEmpty else { return false }
            var matched = false
            for expected in macs(id: id, timestamp: timestamp, body: body) {
                for sig in given where constantTimeEqual(sig, expected) { matched = true }
            }
            return matched
        }
    }

    /// Decodes padded standard base64; nil when any character is outside the alphabet or misplaced.
    static func base64(_ text: some Collection<UInt8>) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3)
        var buffer: UInt32 = 0, bits = 0, padding = 0
        for c in text {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="): padding += 1; continue
            default: return nil
            }
            guard padding == 0 else { return nil }  // data after '='
            buffer = buffer << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        guard padding <= 2, buffer == 0 else { return nil }
        return out
    }

    /// Compares two byte strings in time that depends only on their lengths.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
