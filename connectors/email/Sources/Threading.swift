import Foundation

/// Groups messages into conversations (JWZ-style, simplified to roots).
///
/// A message's parent is its last `References` id, else its `In-Reply-To`;
/// its conversation is the root of that chain: the root already recorded for
/// the nearest known ancestor, else the first `References` id (which names the
/// thread's first message in every mainstream client). A message with no
/// ancestors joins the latest conversation with the same normalised subject
/// and the same customer within ``window`` (14 days); otherwise it starts one
/// keyed by its own Message-ID.
///
/// Ids that cannot name one message are left out of threading: ids that are not
/// `left@right` (`<yes>`, `<>`, `<1234>`), an id equal to an address of the message
/// (old clients put the sender's address in `In-Reply-To`), and an id declared by
/// two different messages (another sender or another `Date:`) — from the second on.
///
/// A reference never joins a message to a thread across more than ``unrelatedGap``
/// (30 days before the thread's first or after its last message) when the two have
/// nothing in common: no subject (normalised; equal, or one containing the other's words) and
/// no person (see ``key(for:customer:people:at:)``). Such a message is threaded as
/// if it had no references.
public struct ThreadIndex: Sendable {
    /// How far apart a message and a conversation of the same customer and subject may be to join without references.
    public var window: TimeInterval = 14 * 86400
    /// How far apart a message and a conversation with nothing in common may be to join through a reference.
    public var unrelatedGap: TimeInterval = 30 * 86400
    private var rootById: [String: String] = [:]
    private var bySubject: [String: (key: String, last: Date)] = [:]
    /// Message-ID (hashed) → a digest of the sender and `Date:` of the message that declared it.
    private var declaredBy: [Int: Int] = [:]
    private var reused: Set<String> = []
    private var threads: [String: Thread] = [:]

    /// What a conversation's messages so far have in common with a newcomer.
    struct Thread: Sendable {
        var first: Date
        var last: Date
        /// Normalised subjects, each padded with a space on both sides (containment is by whole words).
        var subjects: Set<String> = []
        /// Hashes of the people's addresses.
        var people: Set<Int> = []

        /// Days apart and nothing shared: the newcomer only got here through a reference.
        func unrelated(date: Date, subject: String, people other: [String], gap: TimeInterval) -> Bool {
            let distance = date < first ? first.timeIntervalSince(date) : max(0, date.timeIntervalSince(last))
            guard distance > gap else { return false }
            if !subject.isEmpty {
                let padded = " " + subject + " "
                if subjects.contains(where: { $0.contains(padded) || padded.contains($0) }) { return false }
            }
            return !other.contains { people.contains($0.hashValue) }
        }

        mutating func add(date: Date, subject: String, people other: [String]) {
            first = min(first, date)
            last = max(last, date)
            if !subject.isEmpty { subjects.insert(" " + subject + " ") }
            for p in other { people.insert(p.hashValue) }
        }
    }

    public init() {}

    /// The conversation key of `m`, recording it for the messages that follow.
    /// - Parameters:
    ///   - customer: the customer of the message (subject matching stays within one customer).
    ///   - people: who the message is between, the support side left out: its sender when the sender is
    ///     not on the support side, else its recipients that are not.
    public mutating func key(for m: EmailMessage, customer: String?, people: [String] = [], at date: Date) -> String {
        let ownId = threadableOwnId(m)
        let references = m.references.filter { usable($0, in: m) }
        let inReplyTo = m.inReplyTo.filter { usable($0, in: m) }
        var ancestors = references + inReplyTo.filter { !references.contains($0) }
        // Nearest ancestor first: the last References id, then In-Reply-To, then older ones.
        var ordered = Array(references.reversed())
        if let irt = inReplyTo.first, !ordered.contains(irt) { ordered.insert(irt, at: 0) }
        var root: String? = nil
        for id in ordered { if let r = rootById[id] { root = r; break } }
        if root == nil { root = references.first ?? inReplyTo.first }
        let subject = m.subject.map(Self.normaliseSubject) ?? ""
        if let r = root, let thread = threads[r], thread.unrelated(date: date, subject: subject, people: people, gap: unrelatedGap) {
            root = nil
            ancestors = []
        }
        let subjectKey = customer.flatMap { c in subject.isEmpty ? nil : c + "\u{1F}" + subject }
        if root == nil, let sk = subjectKey, let hit = bySubject[sk], abs(date.timeIntervalSince(hit.last)) <= window {
            root = hit.key
        }
        let key = root ?? ownId ?? "hash:" + m.contentHash
        if let id = ownId, rootById[id] == nil { rootById[id] = key }
        for id in ancestors where rootById[id] == nil { rootById[id] = key }
        if let sk = subjectKey {
            if let prev = bySubject[sk], prev.key == key, prev.last > date { } else { bySubject[sk] = (key, date) }
        }
        threads[key, default: Thread(first: date, last: date)].add(date: date, subject: subject, people: people)
        return key
    }

    /// Whether the reference `id` of `m` may thread it: well-formed, not reused, not one of the message's addresses.
    private func usable(_ id: String, in m: EmailMessage) -> Bool {
        guard MessageIDs.isWellFormed(id), !reused.contains(id) else { return false }
        let lower = id.lowercased()
        return m.from?.address != lower && m.replyTo?.address != lower
            && !m.to.contains { $0.address == lower } && !m.cc.contains { $0.address == lower }
    }

    /// The message's own id when it may thread: well-formed and not declared before by another message.
    private mutating func threadableOwnId(_ m: EmailMessage) -> String? {
        guard let id = m.messageId, MessageIDs.isWellFormed(id), !reused.contains(id) else { return nil }
        var h = Hasher()
        h.combine(m.from?.address)
        h.combine(m.date)
        let digest = h.finalize()
        if let previous = declaredBy[id.hashValue] {
            if previous == digest { return id }
            reused.insert(id)
            return nil
        }
        declaredBy[id.hashValue] = digest
        return id
    }

    private static let prefixes = ["re", "fw", "fwd", "aw", "wg", "sv", "vs", "tr", "ответ", "отв", "ha", "rif"]

    /// `Re: Fwd: AW: Ответ: RE[2]: Hello` → `hello`.
    public static func normaliseSubject(_ subject: String) -> String {
        var s = Substring(subject.lowercased())
        while true {
            s = s.drop { $0.isWhitespace }
            var matched = false
            for p in prefixes where s.hasPrefix(p) {
                var rest = s.dropFirst(p.count)
                // Optional counter: `re[2]:`, `re(2):`, `re^2:`.
                if let open = rest.first, open == "[" || open == "(" {
                    let close: Character = open == "[" ? "]" : ")"
                    if let c = rest.firstIndex(of: close), rest[rest.index(after: rest.startIndex)..<c].allSatisfy(\.isNumber) {
                        rest = rest[rest.index(after: c)...]
                    }
                } else if rest.first == "^" {
                    rest = rest.dropFirst().drop(while: \.isNumber)
                }
                rest = rest.drop { $0 == " " }
                if rest.first == ":" || rest.first == "：" {
                    s = rest.dropFirst()
                    matched = true
                    break
                }
            }
            if !matched { break }
        }
        return s.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

/// Removes quoted earlier messages from a reply's text: `>` lines, and
/// everything from an attribution line (`On … wrote:`, `… пишет:`) or an
/// `-----Original Message-----` separator on.
public enum QuoteStripper {
    public static func strip(_ raw: String) -> String {
        let text = raw.utf8.contains(0x0D) ? unixLineEnds(raw) : raw
        guard mayQuote(text) else { return text.trimmed(.whitespacesAndNewlines) }
        var kept: [Substring] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var i = 0
        while i < lines.count {
            let line = lines[i].trimmingTrailingSpaces()
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix(">") { i += 1; continue }
            if isSeparator(trimmed) { break }
            if isAttribution(trimmed) && followedByQuote(lines, after: i) { break }
            if trimmed.hasPrefix("From:") && nextLines(lines, after: i, contain: ["Sent:", "Date:", "Отправлено:"]) { break }
            kept.append(line)
            i += 1
        }
        return kept.joined(separator: "\n").trimmed(.whitespacesAndNewlines)
    }

    /// `text` with every CR LF turned into LF, as `replacingOccurrences(of: "\r\n", with: "\n")` does it.
    /// Byte by byte where that is exact: Foundation compares whole composed characters, so it leaves a CR LF
    /// alone when a combining mark, joiner or other extending scalar follows it. Only a text with a CR LF
    /// followed by anything but end of text or a plainly separate character (letter, digit, punctuation,
    /// symbol, space, control) is handed to Foundation.
    static func unixLineEnds(_ text: String) -> String {
        var text = text
        let exact: String? = text.withUTF8 { buf in
            var out: [UInt8] = []
            out.reserveCapacity(buf.count)
            var i = 0
            while i < buf.count {
                if buf[i] == 0x0D && i + 1 < buf.count && buf[i + 1] == 0x0A {
                    if i + 2 < buf.count && buf[i + 2] >= 0x80 {
                        var bytes = UnsafeBufferPointer(rebasing: buf[(i + 2)...]).makeIterator()
                        var decoder = UTF8()
                        guard case .scalarValue(let next) = decoder.decode(&bytes), standsAlone(next) else { return nil }
                    }
                    out.append(0x0A)
                    i += 2
                } else {
                    out.append(buf[i])
                    i += 1
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        return exact ?? text.replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// A scalar that never joins the character before it (no mark, joiner, modifier or format character).
    private static func standsAlone(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII { return true }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .otherLetter, .decimalNumber, .letterNumber,
             .otherNumber, .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol,
             .spaceSeparator, .control:
            // Hangul vowel and final jamo extend a syllable.
            return !(0x1160...0x11FF).contains(s.value) && !(0xD7B0...0xD7FF).contains(s.value)
        default:
            return false
        }
    }

    /// The markers that make a text worth reading line by line.
    private static let markers = [">", "wrote", "Original", "пиш", "писал", "Исходное", "From:"]
    private static let markerBytes = markers.map { Array($0.utf8) }

    /// Whether `text` contains one of ``markers`` (Foundation's search, which compares whole characters).
    /// Most texts contain none: a byte search says so without Foundation's per-character comparison;
    /// only a text whose bytes contain a marker is asked again the way it always was.
    static func mayQuote(_ text: String) -> Bool {
        var text = text
        let bytesMatch = text.withUTF8 { buf in markerBytes.contains { UTF8Search.contains(buf, $0) } }
        return bytesMatch && markers.contains { text.contains($0) }
    }

    static func isSeparator(_ l: Substring) -> Bool {
        l.hasPrefix("-----Original Message") || l.hasPrefix("-----Исходное сообщение") || l.hasPrefix("-------- Original")
    }

    static func isAttribution(_ l: Substring) -> Bool {
        let s = l.lowercased()
        return s.hasSuffix("wrote:") || s.hasSuffix("пишет:") || s.hasSuffix("писал:") || s.hasSuffix("писал(а):")
            || s.hasSuffix("написал:") || s.hasSuffix("написал(а):") || s.hasSuffix("schrieb:")
    }

    private static func followedByQuote(_ lines: [Substring], after i: Int) -> Bool {
        var j = i + 1
        while j < lines.count && lines[j].allSatisfy(\.isWhitespace) { j += 1 }
        return j == lines.count || lines[j].drop { $0 == " " }.hasPrefix(">")
    }

    private static func nextLines(_ lines: [Substring], after i: Int, contain markers: [String]) -> Bool {
        for j in (i + 1)..<min(lines.count, i + 4) where markers.contains(where: { lines[j].hasPrefix($0) }) { return true }
        return false
    }
}

/// Byte search in UTF-8 text (no allocation, no Unicode comparison).
enum UTF8Search {
    /// Whether `needle` occurs in `haystack` byte for byte.
    static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return false }
        let n = needle.count
        var i = 0
        let limit = haystack.count - n
        while i <= limit {
            if haystack[i] == first {
                var k = 1
                while k < n && haystack[i + k] == needle[k] { k += 1 }
                if k == n { return true }
            }
            i += 1
        }
        return false
    }
}
