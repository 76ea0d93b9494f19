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
public struct ThreadIndex: Sendable {
    public var window: TimeInterval = 14 * 86400
    private var rootById: [String: String] = [:]
    private var bySubject: [String: (key: String, last: Date)] = [:]

    public init() {}

    /// The conversation key of `m`, recording it for the messages that follow.
    public mutating func key(for m: EmailMessage, customer: String?, at date: Date) -> String {
        let ancestors = m.references + m.inReplyTo.filter { !m.references.contains($0) }
        var root: String? = nil
        // Nearest ancestor first: the last References id, then In-Reply-To, then older ones.
        var ordered = Array(m.references.reversed())
        if let irt = m.inReplyTo.first, !ordered.contains(irt) { ordered.insert(irt, at: 0) }
        for id in ordered { if let r = rootById[id] { root = r; break } }
        if root == nil { root = m.references.first ?? m.inReplyTo.first }
        let subjectKey = customer.flatMap { c in
            m.subject.map(Self.normaliseSubject).flatMap { $0.isEmpty ? nil : c + "\u{1F}" + $0 }
        }
        if root == nil, let sk = subjectKey, let hit = bySubject[sk], abs(date.timeIntervalSince(hit.last)) <= window {
            root = hit.key
        }
        let key = root ?? m.messageId ?? "hash:" + m.contentHash
        if let id = m.messageId, rootById[id] == nil { rootById[id] = key }
        for id in ancestors where rootById[id] == nil { rootById[id] = key }
        if let sk = subjectKey {
            if let prev = bySubject[sk], prev.key == key, prev.last > date { } else { bySubject[sk] = (key, date) }
        }
        return key
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
        let text = raw.contains("\r") ? raw.replacingOccurrences(of: "\r\n", with: "\n") : raw
        guard text.contains(">") || text.contains("wrote") || text.contains("Original") || text.contains("пиш")
            || text.contains("писал") || text.contains("Исходное") || text.contains("From:") else {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
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
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
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
