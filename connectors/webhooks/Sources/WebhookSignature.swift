import Crypto
import Foundation
import SwitchboardCore

/// Signature helpers shared by the webhook kinds: HMAC-SHA256 over raw bytes,
/// hex and base64 forms, constant-time comparison and timestamp windows.
public enum WebhookSignature {
    /// The default tolerance for signed timestamps (DESIGN §8).
    public static let tolerance: TimeInterval = 300

    /// HMAC-SHA256 of `parts` (concatenated) under `key`.
    public static func hmacSHA256(key: some DataProtocol, _ parts: [Data]) -> [UInt8] {
        StandardWebhooks.hmacSHA256(key: key, parts)
    }

    /// Lower-case hex of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex (either case); nil when malformed.
    public static func fromHex(_ text: Substring) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let h = nibble(u[i]), let l = nibble(u[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Compares two byte strings in time that depends only on their lengths.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        StandardWebhooks.constantTimeEqual(a, b)
    }

    /// Compares two strings' UTF-8 bytes in constant time (shared secrets sent in clear).
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        constantTimeEqual(Array(a.utf8), Array(b.utf8))
    }

    /// Throws unless `timestamp` (Unix seconds) is within `tolerance` of `now`.
    public static func checkFresh(_ timestamp: String?, now: Date, tolerance: TimeInterval = tolerance) throws {
        guard let timestamp, let seconds = Int64(timestamp) ?? Int64(timestamp.trimmingCharacters(in: .whitespaces)) else {
            throw ConnectorError(.verification, "missing or malformed signature timestamp")
        }
        if abs(Double(seconds) - now.timeIntervalSince1970) > tolerance {
            throw ConnectorError(.staleTimestamp, "signature timestamp is more than \(Int(tolerance)) s away from now")
        }
    }

    /// The error every failed check throws; the server answers 401 without details.
    static func mismatch(_ what: String) -> ConnectorError {
        ConnectorError(.verification, what)
    }
}

/// Settings validation shared by the kinds.
enum WebhookSettingsCheck {
    /// Throws when a required secret is missing or empty (an unset `${ENV}` ends up empty).
    static func secret(_ value: String?, key: String, kind: String) throws -> String {
        guard let value, !value.isEmpty else {
            throw ConnectorError(.settings, "`\(key)` is required for kind \(kind): set it, e.g. `\(key): ${\(key.uppercased())}`")
        }
        return value
    }
}
