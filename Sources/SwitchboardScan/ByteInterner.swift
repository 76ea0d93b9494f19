import Foundation
import CPrefetch

/// Distinct byte strings numbered densely in the order first seen (0, 1, 2, …), with their bytes
/// kept in one arena: a scan interns text columns without making a String per row, and makes
/// a String only when a value is shown (``string(_:)``).
public struct ByteInterner: Sendable {
    /// Records `[length: UInt32][number: UInt32][bytes]`, one per value, back to back: a probe reads a
    /// slot and then one record (two memory reads for a hit, whatever the table size).
    private var arena: [UInt8] = []
    /// Record offset of value `i`.
    private var offsets: [Int] = []
    /// Open addressing: high 24 bits of the hash, low 40 bits record offset + 1; 0 for an empty slot.
    private var slots: [UInt64] = Array(repeating: 0, count: 64)
    private var mask = 63
    static let tagMask: UInt64 = 0xFFFF_FF00_0000_0000
    static let header = 8

    public init() {}

    /// Number of distinct values.
    public var count: Int { offsets.count }

    /// Probes for `bytes`: its number (or -1) and the slot where it is or belongs.
    @inline(__always)
    private func probe(_ bytes: UnsafeBufferPointer<UInt8>, _ h: UInt64) -> (id: Int32, slot: Int) {
        let tag = h & Self.tagMask
        return slots.withUnsafeBufferPointer { sl in
            arena.withUnsafeBytes { ar in
                var slot = Int(truncatingIfNeeded: h) & mask
                while true {
                    let s = sl[slot]
                    if s == 0 { return (-1, slot) }
                    if s & Self.tagMask == tag {
                        let at = Int(s & ~Self.tagMask) - 1
                        if let id = Self.record(ar, at, equals: bytes) { return (id, slot) }
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    /// The number of the record at `at` when it holds `bytes`.
    @inline(__always)
    private static func record(_ ar: UnsafeRawBufferPointer, _ at: Int, equals bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        let base = ar.baseAddress!
        let n = Int(base.loadUnaligned(fromByteOffset: at, as: UInt32.self))
        guard n == bytes.count else { return nil }
        if n > 0 && !same(base.advanced(by: at + header).assumingMemoryBound(to: UInt8.self), bytes.baseAddress!, n) { return nil }
        return Int32(bitPattern: base.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self))
    }

    /// The number of `bytes`, adding it when new.
    public mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 { internRecord(bytes).id }

    /// Where the probe for a hash starts, to prefetch before ``internRecord(_:hash:)`` (a hint only:
    /// the address is not to be read or kept).
    public func slotAddress(hash h: UInt64) -> UnsafeRawPointer {
        slots.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress! + (Int(truncatingIfNeeded: h) & mask)) }
    }

    /// The number of `bytes` (adding it when new) and its record, for ``matches(record:_:)``.
    public mutating func internRecord(_ bytes: UnsafeBufferPointer<UInt8>) -> (id: Int32, record: Int) {
        internRecord(bytes, hash: Self.hash(bytes))
    }

    /// ``internRecord(_:)`` with the bytes' ``hash(_:)`` already computed.
    public mutating func internRecord(_ bytes: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> (id: Int32, record: Int) {
        let (found, slot) = probe(bytes, h)
        if found >= 0 { return (found, Int(slots[slot] & ~Self.tagMask) - 1) }
        let id = Int32(count)
        let at = arena.count
        withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { arena.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(bitPattern: id).littleEndian) { arena.append(contentsOf: $0) }
        if let base = bytes.baseAddress, bytes.count > 0 { arena.append(contentsOf: UnsafeBufferPointer(start: base, count: bytes.count)) }
        offsets.append(at)
        slots[slot] = (h & Self.tagMask) | UInt64(at + 1)
        if count * 2 > mask { grow() }
        return (id, at)
    }

    /// The number of the value whose record is at `record` when it holds `bytes` (a cheap check before
    /// hashing, for values that repeat).
    @inline(__always)
    public func matches(record: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard record >= 0 else { return nil }
        return arena.withUnsafeBytes { Self.record($0, record, equals: bytes) }
    }

    /// Whether value `id` has exactly these bytes.
    @inline(__always)
    public func matches(_ id: Int32, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        id >= 0 && matches(record: offsets[Int(id)], bytes) != nil
    }

    /// The number of a String's UTF-8 bytes, adding it when new.
    public mutating func intern(_ text: String) -> Int32 {
        var t = text
        return t.withUTF8 { intern($0) }
    }

    /// The number of `bytes` when already interned.
    public func find(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        let id = probe(bytes, Self.hash(bytes)).id
        return id >= 0 ? id : nil
    }

    /// The number of a String when already interned.
    public func find(_ text: String) -> Int32? {
        var t = text
        return t.withUTF8 { find($0) }
    }

    /// Value `id` as a String.
    public func string(_ id: Int32) -> String { withBytes(id) { String(decoding: $0, as: UTF8.self) } }

    /// Calls `body` with the bytes of value `id`.
    public func withBytes<R>(_ id: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let at = offsets[Int(id)]
        return try arena.withUnsafeBufferPointer { ar in
            let n = Int(UnsafeRawPointer(ar.baseAddress!).loadUnaligned(fromByteOffset: at, as: UInt32.self))
            return try body(UnsafeBufferPointer(start: ar.baseAddress! + at + Self.header, count: n))
        }
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

    /// Interns every value of `other` in its numbering order; returns their numbers here. The next
    /// values' slots are prefetched, so the table's cache misses overlap.
    public mutating func merge(_ other: ByteInterner) -> [Int32] {
        let n = other.count
        reserve(count + n)
        let ahead = 8
        var hashes = [UInt64](repeating: 0, count: ahead)
        for id in 0..<min(ahead, n) {
            hashes[id] = other.withBytes(Int32(id)) { Self.hash($0) }
        }
        return [Int32](unsafeUninitializedCapacity: n) { out, done in
            for id in 0..<n {
                let h = hashes[id % ahead]
                if id + ahead < n {
                    let next = other.withBytes(Int32(id + ahead)) { Self.hash($0) }
                    hashes[id % ahead] = next
                    sb_prefetch(slotAddress(hash: next))
                }
                out[id] = other.withBytes(Int32(id)) { internRecord($0, hash: h).id }
            }
            done = n
        }
    }

    private mutating func grow() {
        let size = (mask + 1) * 2
        mask = size - 1
        var fresh = Self.emptySlots(size)
        for id in 0..<count {
            let h = withBytes(Int32(id)) { Self.hash($0) }
            var slot = Int(truncatingIfNeeded: h) & mask
            while fresh[slot] != 0 { slot = (slot + 1) & mask }
            fresh[slot] = (h & Self.tagMask) | UInt64(offsets[id] + 1)
        }
        slots = fresh
    }

    /// A zeroed slot table; a big one asks for huge pages before it is zeroed (it is read at random).
    /// A hint only: memory the allocator hands out again (not fresh from mmap) may already be backed.
    static func emptySlots(_ size: Int) -> [UInt64] {
        [UInt64](unsafeUninitializedCapacity: size) { b, n in
            if size >= 1 << 18 { sb_hugepages(b.baseAddress!, size * 8) }
            b.initialize(repeating: 0)
            n = size
        }
    }

    /// Room for `n` values without growing the table.
    public mutating func reserve(_ n: Int) {
        var size = mask + 1
        while size < n * 2 + 2 { size *= 2 }
        guard size > mask + 1 else { return }
        mask = (size / 2) - 1
        grow()
    }

    /// Byte equality of two short runs, 8 bytes at a time (no call for the usual 5–40 byte values).
    @inline(__always)
    static func same(_ x: UnsafePointer<UInt8>, _ y: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let a = UnsafeRawPointer(x), b = UnsafeRawPointer(y)
        var i = 0
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < n {
            if x[i] != y[i] { return false }
            i += 1
        }
        return true
    }

    /// 8 bytes at a time, multiply-xorshift mixing; stable across runs.
    public static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        guard let base = bytes.baseAddress else { return finish(h, tail: 0) }
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
        return finish(h, tail: tail)
    }

    /// The last mixing step; an empty buffer ends here whether or not it has a base address.
    @inline(__always) static func finish(_ state: UInt64, tail: UInt64) -> UInt64 {
        var h = (state ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }
}
