import Foundation

/// Distinct byte strings numbered densely in the order first seen (0, 1, 2, …), with their bytes
/// kept in one arena: a scan interns text columns without making a String per row, and makes
/// a String only when a value is shown (``string(_:)``).
public struct ByteInterner: Sendable {
    private var arena: [UInt8] = []
    /// Start of value `i` in `arena` is `starts[i]`, its end `starts[i + 1]`.
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Open addressing: value number + 1, 0 for an empty slot.
    private var slots: [Int32] = Array(repeating: 0, count: 64)
    private var mask = 63

    public init() {}

    /// Number of distinct values.
    public var count: Int { hashes.count }

    /// The number of `bytes`, adding it when new.
    public mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let h = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[slot]
            if s == 0 { break }
            let id = Int(s) - 1
            if hashes[id] == h && equals(id, bytes) { return Int32(id) }
            slot = (slot + 1) & mask
        }
        let id = hashes.count
        hashes.append(h)
        if let base = bytes.baseAddress, bytes.count > 0 { arena.append(contentsOf: UnsafeBufferPointer(start: base, count: bytes.count)) }
        starts.append(arena.count)
        slots[slot] = Int32(id + 1)
        if hashes.count * 2 > mask { grow() }
        return Int32(id)
    }

    /// The number of a String's UTF-8 bytes, adding it when new.
    public mutating func intern(_ text: String) -> Int32 {
        var t = text
        return t.withUTF8 { intern($0) }
    }

    /// The number of `bytes` when already interned.
    public func find(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        let h = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[slot]
            if s == 0 { return nil }
            let id = Int(s) - 1
            if hashes[id] == h && equals(id, bytes) { return Int32(id) }
            slot = (slot + 1) & mask
        }
    }

    /// The number of a String when already interned.
    public func find(_ text: String) -> Int32? {
        var t = text
        return t.withUTF8 { find($0) }
    }

    /// Value `id` as a String.
    public func string(_ id: Int32) -> String {
        let a = starts[Int(id)], b = starts[Int(id) + 1]
        return arena.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[a..<b]), as: UTF8.self) }
    }

    /// Calls `body` with the bytes of value `id`.
    public func withBytes<R>(_ id: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let a = starts[Int(id)], b = starts[Int(id) + 1]
        return try arena.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[a..<b])) }
    }

    /// Byte-wise order of two values (the order of their Strings' UTF-8, as `String <` compares
    /// for the ASCII keys stores hold).
    public func less(_ x: Int32, _ y: Int32) -> Bool {
        withBytes(x) { a in withBytes(y) { b in
            let n = min(a.count, b.count)
            if n > 0 {
                let c = memcmp(a.baseAddress!, b.baseAddress!, n)
                if c != 0 { return c < 0 }
            }
            return a.count < b.count
        } }
    }

    private func equals(_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let a = starts[id], b = starts[id + 1]
        guard b - a == bytes.count else { return false }
        if bytes.count == 0 { return true }
        return arena.withUnsafeBufferPointer { memcmp($0.baseAddress! + a, bytes.baseAddress!, bytes.count) == 0 }
    }

    private mutating func grow() {
        let size = (mask + 1) * 2
        mask = size - 1
        var fresh = [Int32](repeating: 0, count: size)
        for (id, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h) & mask
            while fresh[slot] != 0 { slot = (slot + 1) & mask }
            fresh[slot] = Int32(id + 1)
        }
        slots = fresh
    }

    /// 8 bytes at a time, multiply-xorshift mixing; stable across runs.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        guard let base = bytes.baseAddress else { return h }
        let raw = UnsafeRawPointer(base)
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ v) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(base[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }
}
