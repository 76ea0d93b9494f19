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
        var cleaned = WhatsAppHeader.stripMarks(bytes)
        if cleaned.first == 0x7E { // ~
            cleaned.removeFirst()
        }
        var s = String(decoding: cleaned, as: UTF8.self)
        s = s.trimmingCharacters(in: .whitespaces)
        return s
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
