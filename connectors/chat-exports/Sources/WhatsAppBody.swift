import Foundation

/// The body of a WhatsApp line after its timestamp: `Name: text`, or a system
/// notice (no author on Android; attributed to the chat's name on iOS).
struct WhatsAppBody {
    /// End of the author's name (exclusive), nil for an authorless system line.
    var authorEnd: Int?
    var textStart: Int
    var isSystem: Bool

    static func split(_ body: UnsafeBufferPointer<UInt8>) -> WhatsAppBody {
        guard let base = body.baseAddress, let hit = memchr(base, 0x3A, body.count) else {
            return WhatsAppBody(authorEnd: nil, textStart: 0, isSystem: true)
        }
        let colon = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        let authorPart = UnsafeBufferPointer(rebasing: body[0..<colon])
        // A colon inside a notice: `A changed the subject from "Re: x"`.
        if WhatsAppText.isSystem(authorPart, loose: false) {
            return WhatsAppBody(authorEnd: nil, textStart: 0, isSystem: true)
        }
        var start = colon + 1
        if start < body.count, body[start] == 0x20 { start += 1 }
        let marked = start < body.count && WhatsAppHeader.markWidth(body, start) > 0
        start = WhatsAppHeader.skipMarks(body, start)
        let text = UnsafeBufferPointer(rebasing: body[start...])
        let system = WhatsAppText.isSystem(text, loose: marked)
        return WhatsAppBody(authorEnd: colon, textStart: start, isSystem: system)
    }

    /// The author's display name without direction marks, the `~ ` of unsaved contacts and outer spaces.
    static func name(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var start = WhatsAppHeader.skipMarks(bytes, 0)
        if start < bytes.count, bytes[start] == 0x7E { start = WhatsAppHeader.skipSpaces(bytes, start + 1) }  // "~ "
        var end = bytes.count
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        let core = UnsafeBufferPointer(rebasing: bytes[start..<end])
        // Marks inside a name are rare: copy only when there is one.
        var hasMark = false
        for i in core.indices where core[i] == 0xE2 {
            if WhatsAppHeader.markWidth(core, i) > 0 { hasMark = true; break }
        }
        let s = hasMark ? String(decoding: WhatsAppHeader.stripMarks(core), as: UTF8.self)
                        : String(decoding: core, as: UTF8.self)
        return hasMark ? s.trimmingCharacters(in: .whitespaces) : s
    }
}

/// What a first pass over a WhatsApp export learns: how to read its dates and who writes in it.
struct WhatsAppScan: Equatable {
    var anyFirstAbove12 = 0
    var anySecondAbove12 = 0
    var firstChanges = 0
    var secondChanges = 0
    var lastFirst = -1
    var lastSecond = -1
    /// Date components of the first header read day/month (not year) first: where a scan of the
    /// next part of the file continues the change counts of the part before it.
    var initialFirst = -1
    var initialSecond = -1
    var authors: Set<String> = []
    var headers = 0

    mutating func add(_ h: WhatsAppHeader) {
        headers += 1
        guard !h.yearFirst else { return }
        if h.first > 12 { anyFirstAbove12 += 1 }
        if h.second > 12 { anySecondAbove12 += 1 }
        if lastFirst >= 0 {
            if h.first != lastFirst { firstChanges += 1 }
            if h.second != lastSecond { secondChanges += 1 }
        } else {
            initialFirst = h.first
            initialSecond = h.second
        }
        lastFirst = h.first
        lastSecond = h.second
    }

    mutating func addAuthor(_ name: String) {
        if authors.count < 1000 { authors.insert(name) }
    }

    /// This scan followed by the scan of the part of the file right after it: the same counts as
    /// one scan of both parts (the author set may differ past its 1,000 cap, its count does not).
    func merged(with next: WhatsAppScan) -> WhatsAppScan {
        var m = self
        m.headers += next.headers
        m.anyFirstAbove12 += next.anyFirstAbove12
        m.anySecondAbove12 += next.anySecondAbove12
        m.firstChanges += next.firstChanges
        m.secondChanges += next.secondChanges
        if lastFirst >= 0, next.initialFirst >= 0 {
            if next.initialFirst != lastFirst { m.firstChanges += 1 }
            if next.initialSecond != lastSecond { m.secondChanges += 1 }
        }
        if next.lastFirst >= 0 {
            m.lastFirst = next.lastFirst
            m.lastSecond = next.lastSecond
        }
        if m.initialFirst < 0 {
            m.initialFirst = next.initialFirst
            m.initialSecond = next.initialSecond
        }
        for a in next.authors { m.addAuthor(a) }
        return m
    }

    /// Day first when some first component exceeds 12; month first when some second one does;
    /// otherwise the component that changes more often is the day; day first on a tie.
    var dayFirst: Bool {
        if anyFirstAbove12 != anySecondAbove12 {
            if anyFirstAbove12 == 0 { return false }
            if anySecondAbove12 == 0 { return true }
            return anyFirstAbove12 >= anySecondAbove12
        }
        if anyFirstAbove12 > 0 { return true }
        return firstChanges >= secondChanges
    }
}

/// Author names already decoded, looked up by their raw bytes: the same few
/// authors write most messages, so a name is built once, not once a message.
struct AuthorNameCache {
    private var keys = ByteKeyTable(capacity: 4096)
    private var names: [String] = []

    /// ``WhatsAppBody/name(_:)`` of the raw author bytes.
    mutating func name(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        if let hit = keys.find(raw) { return names[hit] }
        let name = WhatsAppBody.name(raw)
        if keys.insert(raw) != nil { names.append(name) }
        return name
    }
}

/// Raw author bytes already counted as participants (exact: bytes compared on a hash hit).
struct RawAuthorSet {
    private var keys = ByteKeyTable(capacity: 4096)

    func contains(_ raw: UnsafeBufferPointer<UInt8>) -> Bool { keys.find(raw) != nil }

    /// Adds `raw` (up to 4,096 authors; past that, lines simply take the full path).
    mutating func insert(_ raw: UnsafeBufferPointer<UInt8>) { _ = keys.insert(raw) }
}

/// A set of short byte strings numbered in insertion order, looked up without
/// allocating: FNV-1a hashes into an open-addressing table twice the capacity,
/// keys kept in one byte arena and compared in full on a hash hit.
struct ByteKeyTable {
    let capacity: Int
    /// Slot → entry number + 1 (0: empty).
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    private var starts: [Int] = [0]
    private var arena: [UInt8] = []
    private let mask: Int

    init(capacity: Int) {
        self.capacity = capacity
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { hashes.count }

    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h ^ (h >> 29)
    }

    /// The entry number of `key`, or nil.
    func find(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let h = Self.hash(key)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[slot]) - 1
            if e < 0 { return nil }
            if hashes[e] == h, equal(e, key) { return e }
            slot = (slot + 1) & mask
        }
    }

    /// Adds `key` and returns its entry number; nil when it is already there or the table is full.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        guard hashes.count < capacity else { return nil }
        let h = Self.hash(key)
        var slot = Int(truncatingIfNeeded: h) & mask
        while slots[slot] != 0 {
            let e = Int(slots[slot]) - 1
            if hashes[e] == h, equal(e, key) { return nil }
            slot = (slot + 1) & mask
        }
        let e = hashes.count
        hashes.append(h)
        arena.append(contentsOf: key)
        starts.append(arena.count)
        slots[slot] = Int32(e + 1)
        return e
    }

    private func equal(_ e: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[e]
        guard starts[e + 1] - start == key.count else { return false }
        if key.isEmpty { return true }
        return arena.withUnsafeBufferPointer { a in memcmp(a.baseAddress! + start, key.baseAddress!, key.count) == 0 }
    }
}
