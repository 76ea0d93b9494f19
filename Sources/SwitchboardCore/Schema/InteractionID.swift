import Crypto
import Foundation

/// Stable interaction ids: the idempotency key of the store.
public enum InteractionID {
    /// The id of (source, externalId): 32 lowercase hex digits of SHA-256 over
    /// `source`, a unit separator (U+001F) and `externalId`. Stable across runs,
    /// machines and versions: changing it would duplicate every stored record.
    public static func make(source: String, externalId: String) -> String {
        let d = digest128(source: source, externalId: externalId)
        return String(unsafeUninitializedCapacity: 32) { out in
            hexInto(out, d.0)
            hexInto(UnsafeMutableBufferPointer(rebasing: out[16...]), d.1)
            return 32
        }
    }

    /// Whether `id` is the computed id of (source, externalId), i.e. not an id given
    /// explicitly by the input. Hashes without allocating.
    public static func isComputed(_ id: String, source: String, externalId: String) -> Bool {
        guard id.utf8.count == 32 else { return false }
        let d = digest128(source: source, externalId: externalId)
        var id = id
        return id.withUTF8 { p in
            matches(UnsafeBufferPointer(rebasing: p[0..<16]), d.0) && matches(UnsafeBufferPointer(rebasing: p[16...]), d.1)
        }
    }

    /// A short stable digest of arbitrary bytes (64 bits as 16 hex digits), for
    /// connector-built external ids such as "file + line content".
    public static func digest<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let first: UInt64
        if let hashed = bytes.withContiguousStorageIfAvailable({ p -> UInt64 in
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(p))
            return first8(hasher.finalize())
        }) {
            first = hashed
        } else {
            first = first8(SHA256.hash(data: Array(bytes)))
        }
        return String(unsafeUninitializedCapacity: 16) { out in
            hexInto(out, first)
            return 16
        }
    }

    /// ``digest(_:)`` of a string's UTF-8 bytes, without copying them.
    public static func digest(utf8 text: String) -> String {
        hex16(digest64(utf8: text))
    }

    /// The 64 bits of ``digest(utf8:)`` as a number (``hex16(_:)`` gives the text form).
    public static func digest64(utf8 text: String) -> UInt64 {
        var text = text
        return text.withUTF8 { p in
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(p))
            return first8(hasher.finalize())
        }
    }

    /// 16 lowercase hex digits of `value`, most significant first.
    public static func hex16(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { out in
            hexInto(out, value)
            return 16
        }
    }

    /// Hex-encodes bytes in lowercase.
    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(32)
        for b in bytes {
            out.append(hexDigit(b >> 4))
            out.append(hexDigit(b & 0x0F))
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: allocation-free core

    /// The first 16 bytes of SHA-256(source 0x1F externalId), big-endian as two words.
    private static func digest128(source: String, externalId: String) -> (UInt64, UInt64) {
        var hasher = SHA256()
        var source = source
        var externalId = externalId
        source.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        withUnsafeBytes(of: UInt8(0x1F)) { hasher.update(bufferPointer: $0) }
        externalId.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        let digest = hasher.finalize()
        return digest.withUnsafeBytes { p in
            (word(p, at: 0), word(p, at: 8))
        }
    }

    private static func first8(_ digest: SHA256.Digest) -> UInt64 {
        digest.withUnsafeBytes { word($0, at: 0) }
    }

    private static func word(_ p: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        var w: UInt64 = 0
        for i in 0..<8 { w = w << 8 | UInt64(p[offset + i]) }
        return w
    }

    @inline(__always) private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x57 + nibble
    }

    /// Writes the 16 hex digits of `w` (most significant first) to the start of `out`.
    @inline(__always) private static func hexInto(_ out: UnsafeMutableBufferPointer<UInt8>, _ w: UInt64) {
        for i in 0..<16 { out[i] = hexDigit(UInt8(truncatingIfNeeded: w >> UInt64(60 - 4 * i)) & 0x0F) }
    }

    private static func matches(_ hex: UnsafeBufferPointer<UInt8>, _ w: UInt64) -> Bool {
        for i in 0..<16 where hex[i] != hexDigit(UInt8(truncatingIfNeeded: w >> UInt64(60 - 4 * i)) & 0x0F) { return false }
        return true
    }
}
