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
        for i in core.indices where core[i] == 0xE2 || core[i] == 0xEF {
            if WhatsAppHeader.markWidth(core, i) > 0 { hasMark = true; break }
        }
        let s = hasMark ? String(decoding: WhatsAppHeader.stripMarks(core), as: UTF8.self)
                        : String(decoding: core, as: UTF8.self)
        return hasMark ? s.trimmingCharacters(in: .whitespaces) : s
    }
}

/// What a first pass over a WhatsApp export learns: how to read its dates and who writes in it.
struct WhatsAppScan {
    var anyFirstAbove12 = 0
    var anySecondAbove12 = 0
    var firstChanges = 0
    var secondChanges = 0
    var lastFirst = -1
    var lastSecond = -1
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
        }
        lastFirst = h.first
        lastSecond = h.second
    }

    mutating func addAuthor(_ name: String) {
        if authors.count < 1000 { authors.insert(name) }
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
    private var entries: [Int: (raw: [UInt8], name: String)] = [:]
    private let capacity = 4096

    /// ``WhatsAppBody/name(_:)`` of the raw author bytes.
    mutating func name(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(raw))
        let key = hasher.finalize()
        if let hit = entries[key], hit.raw.elementsEqual(raw) { return hit.name }
        let name = WhatsAppBody.name(raw)
        if entries.count < capacity, entries[key] == nil { entries[key] = (Array(raw), name) }
        return name
    }
}

/// Raw author bytes already counted as participants (exact: bytes compared on a hash hit).
struct RawAuthorSet {
    private var entries: [Int: [[UInt8]]] = [:]
    private var count = 0

    private static func key(_ raw: UnsafeBufferPointer<UInt8>) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(raw))
        return hasher.finalize()
    }

    func contains(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        entries[Self.key(raw)]?.contains { $0.elementsEqual(raw) } ?? false
    }

    /// Adds `raw` (up to 4,096 authors; past that, lines simply take the full path).
    mutating func insert(_ raw: UnsafeBufferPointer<UInt8>) {
        guard count < 4096, !contains(raw) else { return }
        entries[Self.key(raw), default: []].append(Array(raw))
        count += 1
    }
}
