import Crypto
import Foundation

/// Stable interaction ids: the idempotency key of the store.
public enum InteractionID {
    /// The id of (source, externalId): 32 lowercase hex digits of SHA-256 over
    /// `source`, a unit separator (U+001F) and `externalId`. Stable across runs,
    /// machines and versions: changing it would duplicate every stored record.
    public static func make(source: String, externalId: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(source.utf8))
        hasher.update(data: [0x1F])
        hasher.update(data: Array(externalId.utf8))
        return hex(hasher.finalize().prefix(16))
    }

    /// A short stable digest of arbitrary bytes (64 bits as 16 hex digits), for
    /// connector-built external ids such as "file + line content".
    public static func digest<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        hex(SHA256.hash(data: Array(bytes)).prefix(8))
    }

    /// Hex-encodes bytes in lowercase.
    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(32)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
