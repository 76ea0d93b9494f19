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

    /// The keys of one source, each made ready for HMAC once rather than per delivery: the two SHA-256
    /// states after the key's inner and outer pads (RFC 2104), which each delivery copies and goes on from.
    /// Fed through `update(bufferPointer:)`: the generic `HMAC.update(data:)` looked up type metadata at run
    /// time for every piece, a few per cent of the receiver's time.
    public struct Verifier: Sendable {
        private let prepared: [(inner: SHA256, outer: SHA256)]

        public init(keys: [Data]) {
            prepared = keys.map { key in
                var block = [UInt8](repeating: 0, count: 64)  // SHA-256's block size
                if key.count > block.count {
                    block.replaceSubrange(0..<32, with: Array(SHA256.hash(data: key)))
                } else {
                    block.replaceSubrange(0..<key.count, with: key)
                }
                var inner = SHA256(), outer = SHA256()
                inner.update(data: block.map { $0 ^ 0x36 })
                outer.update(data: block.map { $0 ^ 0x5c })
                return (inner, outer)
            }
        }

        /// The signature of the delivery under each key, in order.
        func macs(id: String, timestamp: String, body: Data) -> [[UInt8]] {
            var id = id, timestamp = timestamp
            let dot: UInt8 = 0x2E
            return prepared.map { start in
                var inner = start.inner
                id.withUTF8 { inner.update(bufferPointer: UnsafeRawBufferPointer($0)) }
                withUnsafeBytes(of: dot) { inner.update(bufferPointer: $0) }
                timestamp.withUTF8 { inner.update(bufferPointer: UnsafeRawBufferPointer($0)) }
                withUnsafeBytes(of: dot) { inner.update(bufferPointer: $0) }
                body.withUnsafeBytes { inner.update(bufferPointer: $0) }
                var outer = start.outer
                inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
                return outer.finalize().withUnsafeBytes { Array($0) }
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
