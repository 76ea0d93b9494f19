import Crypto
import Foundation

/// One entry of `topics:` in the config (DESIGN §5 "Topics").
///
/// ```yaml
/// topics:
///   - name: billing
///     keywords: ["оплат*", "карт*", invoice]
///   - name: returns
///     regex: '(?i)\b(refund|возврат)'
///     channels: [email, chat]
/// ```
public struct TopicRule: Sendable, Hashable {
    public var name: String
    /// As written: whole words, case-folded; a trailing `*` matches any ending; a keyword of
    /// several words ("credit card") matches those words consecutively.
    public var keywords: [String]
    /// ICU (NSRegularExpression) syntax, searched in the subject and in the text.
    public var regex: String?
    /// Optional limits; nil = any.
    public var channels: Set<Channel>?
    public var sources: Set<String>?
    public var queues: Set<String>?
    public var mailboxes: Set<String>?
    /// The config line of the rule, for messages.
    public var line: Int?

    public init(name: String, keywords: [String] = [], regex: String? = nil, channels: Set<Channel>? = nil,
                sources: Set<String>? = nil, queues: Set<String>? = nil, mailboxes: Set<String>? = nil,
                line: Int? = nil) {
        self.name = name
        self.keywords = keywords
        self.regex = regex
        self.channels = channels
        self.sources = sources
        self.queues = queues
        self.mailboxes = mailboxes
        self.line = line
    }
}

/// A rule that cannot be compiled; the message names the rule.
public struct TopicRuleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The rule's name.
    public var rule: String
    public var line: Int?
    public var message: String
    public init(rule: String, line: Int? = nil, message: String) {
        self.rule = rule
        self.line = line
        self.message = message
    }
    public var description: String {
        "topic '\(rule)'\(line.map { " (line \($0))" } ?? ""): \(message)"
    }
}

/// The word split and case folding shared by the topic matcher and `topics suggest`.
///
/// A word is a maximal run of letters, digits and combining marks; everything else separates
/// words, except format characters (soft hyphen, zero-width joiners, direction marks), which are
/// ignored. Words are folded without depending on the process locale: Unicode lower case,
/// `ё` → `е`, non-spacing marks (Hebrew niqqud and cantillation, accents of decomposed text
/// that do not compose) dropped. Text holding decomposable accents is put in NFC first,
/// so `й` written as `и` + U+0306 stays `й`.
public enum TopicText {
    /// The folded words of `s`, in order.
    public static func words(_ s: String) -> [String] {
        var out: [String] = []
        forEachWord(s) { out.append($0) }
        return out
    }

    /// One keyword or phrase folded the same way as the words of a text (words joined by a space).
    public static func fold(_ s: String) -> String { words(s).joined(separator: " ") }

    /// Calls `body` with each folded word of `s`.
    public static func forEachWord(_ s: String, _ body: (String) -> Void) {
        var text = s
        if needsComposition(text) { text = text.precomposedStringWithCanonicalMapping }
        var word = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                switch v {
                case 0x30...0x39, 0x61...0x7A: word.append(scalar)
                case 0x41...0x5A: word.append(Unicode.Scalar(v + 0x20)!)
                default:
                    if !word.isEmpty { body(String(word)); word = String.UnicodeScalarView() }
                }
                continue
            }
            switch classify(scalar) {
            case .word: appendFolded(scalar, to: &word)
            case .ignored: break
            case .separator:
                if !word.isEmpty { body(String(word)); word = String.UnicodeScalarView() }
            }
        }
        if !word.isEmpty { body(String(word)) }
    }

    enum Kind { case word, ignored, separator }

    @inline(__always) static func classify(_ scalar: Unicode.Scalar) -> Kind {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber, .spacingMark:
            return .word
        case .nonspacingMark, .enclosingMark, .format:
            return .ignored   // marks stay in the word but are dropped by folding
        default:
            return .separator
        }
    }

    @inline(__always) static func appendFolded(_ scalar: Unicode.Scalar, to word: inout String.UnicodeScalarView) {
        let props = scalar.properties
        if props.changesWhenLowercased {
            for s in props.lowercaseMapping.unicodeScalars { appendLower(s, to: &word) }
        } else {
            appendLower(scalar, to: &word)
        }
    }

    @inline(__always) static func appendLower(_ s: Unicode.Scalar, to word: inout String.UnicodeScalarView) {
        switch s.value {
        case 0x0451: word.append("\u{0435}")   // ё → е
        default:
            switch s.properties.generalCategory {
            case .nonspacingMark, .enclosingMark: break   // e.g. the dot of İ's lower case
            default: word.append(s)
            }
        }
    }

    /// Whether `s` holds a combining mark that may compose with the letter before it
    /// (the Combining Diacritical Marks blocks; Hebrew points never compose).
    static func needsComposition(_ s: String) -> Bool {
        for scalar in s.unicodeScalars where scalar.value >= 0x0300 {
            switch scalar.value {
            case 0x0300...0x036F, 0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x20D0...0x20FF: return true
            default: continue
            }
        }
        return false
    }
}

/// The compiled `topics:` rules: which topics a message matches.
///
/// Keywords are compiled into one trie of folded words, so matching a message is a single
/// pass over its words; regular expressions are compiled once.
public struct TopicRules: Sendable {
    public private(set) var rules: [TopicRule]
    /// 12 lowercase hex digits of SHA-256 over a canonical text of the rules; "" for none.
    public let fingerprint: String

    private let trie: KeywordTrie
    private let regexes: [RegexBox?]
    /// Rules with keywords (the text is split only when one of these is eligible).
    private let hasKeywords: [Bool]
    private let anyLimits: Bool
    /// Some rule is limited to mailboxes (only then is a message's mailbox worth reading).
    public let readsMailbox: Bool

    public static let empty = TopicRules(validated: [])

    public var isEmpty: Bool { rules.isEmpty }



    /// Compiles the rules.
    /// - Throws: ``TopicRuleError`` naming the rule for an invalid regular expression or keyword.
    public init(_ rules: [TopicRule]) throws {
        var trie = KeywordTrie()
        var regexes: [RegexBox?] = []
        for (index, rule) in rules.enumerated() {
            for keyword in rule.keywords {
                switch Self.parse(keyword: keyword) {
                case .success(let parsed): trie.insert(parsed.words, prefix: parsed.prefix, rule: index)
                case .failure(let message): throw TopicRuleError(rule: rule.name, line: rule.line, message: message.description)
                }
            }
            if let pattern = rule.regex {
                switch Self.compile(regex: pattern) {
                case .success(let re): regexes.append(RegexBox(re))
                case .failure(let message): throw TopicRuleError(rule: rule.name, line: rule.line, message: message.description)
                }
            } else {
                regexes.append(nil)
            }
        }
        self.rules = rules
        self.trie = trie
        self.regexes = regexes
        self.hasKeywords = rules.map { !$0.keywords.isEmpty }
        self.anyLimits = rules.contains { $0.channels != nil || $0.sources != nil || $0.queues != nil || $0.mailboxes != nil }
        self.readsMailbox = rules.contains { $0.mailboxes != nil }
        self.fingerprint = Self.fingerprint(rules)
    }

    private init(validated: [TopicRule]) {
        rules = validated
        trie = KeywordTrie()
        regexes = []
        hasKeywords = []
        anyLimits = false
        readsMailbox = false
        fingerprint = ""
    }

    // MARK: Matching

    /// The names of the rules that match, in rule order, each once. `subject` and `text` are both searched.
    public func match(subject: String?, text: String?, channel: Channel, source: String, queue: String?,
                      mailbox: String?) -> [String] {
        guard !rules.isEmpty else { return [] }
        var eligible = [Bool](repeating: true, count: rules.count)
        var anyEligible = false, anyKeywords = false
        for (i, rule) in rules.enumerated() {
            if anyLimits {
                if let c = rule.channels, !c.contains(channel) { eligible[i] = false; continue }
                if let s = rule.sources, !s.contains(source) { eligible[i] = false; continue }
                if let q = rule.queues, !(queue.map(q.contains) ?? false) { eligible[i] = false; continue }
                if let m = rule.mailboxes, !(mailbox.map(m.contains) ?? false) { eligible[i] = false; continue }
            }
            anyEligible = true
            if hasKeywords[i] { anyKeywords = true }
        }
        guard anyEligible else { return [] }
        var matched = [Bool](repeating: false, count: rules.count)
        if anyKeywords {
            for part in [subject, text] {
                guard let part, !part.isEmpty else { continue }
                trie.match(TopicText.words(part), eligible: eligible, into: &matched)
            }
        }
        for (i, box) in regexes.enumerated() where eligible[i] && !matched[i] {
            guard let box else { continue }
            for part in [subject, text] {
                guard let part, !part.isEmpty else { continue }
                if box.regex.firstMatch(in: part, options: [], range: NSRange(part.startIndex..., in: part)) != nil {
                    matched[i] = true
                    break
                }
            }
        }
        var names: [String] = []
        var seen: Set<String> = []
        for (i, rule) in rules.enumerated() where matched[i] && seen.insert(rule.name).inserted {
            names.append(rule.name)
        }
        return names
    }

    // MARK: Provenance

    /// The IMAP mailbox of a provenance such as `imap://host/INBOX;UIDVALIDITY=7;UID=42` or
    /// `imaps://host/Support%2FBilling;UIDVALIDITY=…` (percent-decoded); nil for other provenances.
    public static func mailbox(fromProvenance provenance: String) -> String? {
        let lower = provenance.prefix(8).lowercased()
        let schemeEnd: String.Index
        if lower.hasPrefix("imaps://") {
            schemeEnd = provenance.index(provenance.startIndex, offsetBy: 8)
        } else if lower.hasPrefix("imap://") {
            schemeEnd = provenance.index(provenance.startIndex, offsetBy: 7)
        } else {
            return nil
        }
        let rest = provenance[schemeEnd...]
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        var path = rest[rest.index(after: slash)...]
        // The mailbox ends at the `;UIDVALIDITY=` the connector appends (a mailbox name may itself hold ';').
        if let r = path.range(of: ";UIDVALIDITY=", options: [.caseInsensitive, .backwards]) {
            path = path[..<r.lowerBound]
        } else if let semi = path.firstIndex(of: ";") {
            path = path[..<semi]
        }
        guard !path.isEmpty else { return nil }
        let raw = String(path)
        return raw.removingPercentEncoding ?? raw
    }

    // MARK: Compilation

    struct ParsedKeyword: Sendable, Hashable {
        var words: [String]
        var prefix: Bool
    }

    /// A keyword's folded words and whether its last word ends in `*`; or what is wrong with it.
    static func parse(keyword: String) -> Result<ParsedKeyword, KeywordProblem> {
        var body = Substring(keyword)
        var prefix = false
        if body.hasSuffix("*") {
            body.removeLast()
            prefix = true
        }
        if body.contains("*") {
            return .failure(KeywordProblem("keyword '\(keyword)': '*' is allowed only at the end (a prefix match of the last word)"))
        }
        if body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return .failure(KeywordProblem(prefix ? "keyword '\(keyword)': '*' needs a word before it"
                                                  : "empty keyword"))
        }
        if prefix, let last = body.unicodeScalars.last, TopicText.classify(last) == .separator {
            return .failure(KeywordProblem("keyword '\(keyword)': '*' must follow a letter or digit directly (write 'оплат*', not 'оплат *')"))
        }
        let words = TopicText.words(String(body))
        if words.isEmpty {
            return .failure(KeywordProblem("keyword '\(keyword)' has no letters or digits"))
        }
        return .success(ParsedKeyword(words: words, prefix: prefix))
    }

    struct KeywordProblem: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Compiles a rule's regular expression; the failure says what the parser found.
    static func compile(regex pattern: String) -> Result<NSRegularExpression, KeywordProblem> {
        if pattern.isEmpty { return .failure(KeywordProblem("empty regular expression")) }
        do {
            return .success(try NSRegularExpression(pattern: pattern, options: []))
        } catch {
            // NSRegularExpression's error says only "the value is invalid"; Swift's regex
            // parser (close to ICU syntax) names the fault.
            var reason = "the ICU regex engine rejected it"
            do { _ = try Regex(pattern) } catch let parseError { reason = "\(parseError)" }
            return .failure(KeywordProblem("invalid regular expression '\(pattern)': \(reason)"))
        }
    }

    /// Canonical text: each field length-prefixed so no two rule lists share it.
    static func fingerprint(_ rules: [TopicRule]) -> String {
        guard !rules.isEmpty else { return "" }
        var text = "switchboard-topics-v1\n"
        func field(_ tag: String, _ value: String) { text += "\(tag)\(value.utf8.count):\(value)\n" }
        func list(_ tag: String, _ values: [String]?) {
            guard let values else { text += "\(tag)-\n"; return }
            text += "\(tag)\(values.count)\n"
            for v in values { field(" ", v) }
        }
        for rule in rules {
            field("rule", rule.name)
            list("keywords", rule.keywords)
            if let r = rule.regex { field("regex", r) } else { text += "regex-\n" }
            list("channels", rule.channels.map { $0.map(\.rawValue).sorted() })
            list("sources", rule.sources.map { $0.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } })
            list("queues", rule.queues.map { $0.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } })
            list("mailboxes", rule.mailboxes.map { $0.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } })
        }
        let digest = SHA256.hash(data: Data(text.utf8))
        return InteractionID.hex(digest.prefix(6))
    }
}

/// NSRegularExpression is immutable and documented thread-safe once built.
final class RegexBox: @unchecked Sendable {
    let regex: NSRegularExpression
    init(_ regex: NSRegularExpression) { self.regex = regex }
}

/// The keywords of every rule as a trie over folded words' scalars.
///
/// A node reached at a word's end holds the rules whose one-word keyword is that word
/// (`exact`) and the continuations of multi-word keywords starting with it (`phrases`);
/// every node passed holds the rules of `*` keywords with that prefix (`prefix`).
struct KeywordTrie: Sendable {
    struct Phrase: Sendable {
        var rest: [String]
        var lastIsPrefix: Bool
        var rule: Int
    }
    struct Node: Sendable {
        var children: [Unicode.Scalar: Int32] = [:]
        var exact: [Int] = []
        var prefix: [Int] = []
        var phrases: [Phrase] = []
    }
    var nodes: [Node] = [Node()]

    mutating func insert(_ words: [String], prefix: Bool, rule: Int) {
        guard let first = words.first else { return }
        var n = 0
        for s in first.unicodeScalars {
            if let next = nodes[n].children[s] {
                n = Int(next)
            } else {
                nodes.append(Node())
                nodes[n].children[s] = Int32(nodes.count - 1)
                n = nodes.count - 1
            }
        }
        if words.count == 1 {
            if prefix { append(rule, to: &nodes[n].prefix) } else { append(rule, to: &nodes[n].exact) }
        } else {
            nodes[n].phrases.append(Phrase(rest: Array(words.dropFirst()), lastIsPrefix: prefix, rule: rule))
        }
    }

    private func append(_ rule: Int, to list: inout [Int]) {
        if list.last != rule { list.append(rule) }
    }

    /// Marks in `matched` every eligible rule with a keyword found in `words`.
    func match(_ words: [String], eligible: [Bool], into matched: inout [Bool]) {
        guard nodes.count > 1 else { return }
        for (position, word) in words.enumerated() {
            var n = 0
            var complete = true
            for s in word.unicodeScalars {
                guard let next = nodes[n].children[s] else { complete = false; break }
                n = Int(next)
                for r in nodes[n].prefix where eligible[r] { matched[r] = true }
            }
            guard complete else { continue }
            let node = nodes[n]
            for r in node.exact where eligible[r] { matched[r] = true }
            for p in node.phrases where eligible[p.rule] && !matched[p.rule] {
                guard position + p.rest.count < words.count else { continue }
                var ok = true
                for (k, expected) in p.rest.enumerated() {
                    let actual = words[position + 1 + k]
                    if k == p.rest.count - 1 && p.lastIsPrefix {
                        if !actual.unicodeScalars.starts(with: expected.unicodeScalars) { ok = false; break }
                    } else if !actual.unicodeScalars.elementsEqual(expected.unicodeScalars) {
                        ok = false; break
                    }
                }
                if ok { matched[p.rule] = true }
            }
        }
    }
}
