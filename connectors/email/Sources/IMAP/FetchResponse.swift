/// The items of one untagged `* n FETCH (…)` response that the pull uses, read in one pass over
/// the response text (literals stand there as `{n}` markers; their bytes are in ``IMAPResponse/literals``
/// in order). Items may come in any order; unknown items (ENVELOPE, X-GM-THRID, …) are skipped,
/// nested lists, quoted strings and literals included. Never traps on malformed input: what could
/// not be read stays nil.
struct FetchResponse {
    var uid: UInt64?
    /// The INTERNALDATE string, without quotes.
    var internalDate: [UInt8]?
    /// FLAGS as sent: system flags (`\Seen`) and keywords (`billing`, `$label1`).
    var flags: [String] = []
    /// X-GM-MSGID: Gmail's id of the message, the same in every mailbox (label) it shows in; nil when not sent.
    var gmailMessageId: UInt64?
    /// X-GM-LABELS, strings unquoted and unescaped (still modified UTF-7); nil when not sent.
    var gmailLabels: [String]?
    /// True when a `BODY[]` item was present.
    var hasBody = false
    /// The message bytes of `BODY[]` (a literal, or a quoted string); nil for `NIL` or when unreadable.
    var body: Body?

    enum Body {
        case literal(Int)      // index into the response's literals
        case inline([UInt8])
    }

    /// The FETCH items of `r`; nil when `r` is not an untagged FETCH response.
    static func parse(_ r: IMAPResponse) -> FetchResponse? {
        r.text.withUnsafeBufferPointer { parse($0) }
    }

    static func parse(_ t: UnsafeBufferPointer<UInt8>) -> FetchResponse? {
        // `* ` digits ` FETCH (`
        guard t.count > 10, t[0] == 0x2A, t[1] == 0x20 else { return nil }
        var i = 2
        while i < t.count, isDigit(t[i]) { i += 1 }
        guard i > 2, i + 8 <= t.count, t[i] == 0x20, matches(t, i + 1, "FETCH"), t[i + 6] == 0x20, t[i + 7] == 0x28 else {
            return nil
        }
        var p = Reader(t: t, i: i + 8)
        var f = FetchResponse()
        while true {
            p.skipSpaces()
            guard p.i < t.count, t[p.i] != 0x29 else { break }   // `)`: end of the item list
            let name = p.itemName()
            guard !name.isEmpty else { break }
            p.skipSpaces()
            if equals(t, name, "UID") {
                f.uid = number(t, p.atom())
            } else if equals(t, name, "X-GM-MSGID") {
                f.gmailMessageId = number(t, p.atom())
            } else if equals(t, name, "INTERNALDATE") {
                if case .bytes(let b)? = p.string() { f.internalDate = b } else { p.skipValue() }
            } else if equals(t, name, "FLAGS") {
                f.flags = p.list() ?? []
            } else if equals(t, name, "X-GM-LABELS") {
                f.gmailLabels = p.list(recordLiterals: true) ?? []
                f.gmailLabelLiterals = p.labelLiterals
            } else if equals(t, name, "BODY[]") {
                f.hasBody = true
                switch p.string() {
                case .bytes(let b)?: f.body = .inline(b)
                case .literal(let k)?: f.body = .literal(k)
                case nil: break
                }
            } else {
                p.skipValue()
            }
        }
        return f
    }

    /// Literal labels (`{n}` in the X-GM-LABELS list): (position in ``gmailLabels``, literal index).
    var gmailLabelLiterals: [(Int, Int)] = []

    /// The labels with literal ones filled in from the response's literals.
    func gmailLabels(in r: IMAPResponse) -> [String] {
        guard var labels = gmailLabels else { return [] }
        for (pos, k) in gmailLabelLiterals where pos < labels.count && k < r.literals.count {
            labels[pos] = String(decoding: r.literals[k], as: UTF8.self)
        }
        return labels
    }

    /// The message bytes of `BODY[]` in `r`.
    func bodyBytes(in r: IMAPResponse) -> [UInt8]? {
        switch body {
        case .literal(let k)?: return k < r.literals.count ? r.literals[k] : nil
        case .inline(let b)?: return b
        case nil: return nil
        }
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// The unsigned 64-bit number `t[a]`; nil when empty, not all digits, or too big.
    static func number(_ t: UnsafeBufferPointer<UInt8>, _ a: Range<Int>) -> UInt64? {
        guard !a.isEmpty, a.count <= 20 else { return nil }
        var n: UInt64 = 0
        for k in a {
            guard isDigit(t[k]) else { return nil }
            let (m, o1) = n.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(t[k] - 0x30))
            if o1 || o2 { return nil }
            n = s
        }
        return n
    }

    /// `t[at...]` starts with the ASCII `word`, case-insensitively.
    static func matches(_ t: UnsafeBufferPointer<UInt8>, _ at: Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard at + n <= t.count else { return false }
        let w = word.utf8Start
        for k in 0..<n {
            var c = t[at + k]
            if c >= 0x61 && c <= 0x7A { c -= 0x20 }
            if c != w[k] { return false }
        }
        return true
    }

    static func equals(_ t: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, _ word: StaticString) -> Bool {
        r.count == word.utf8CodeUnitCount && matches(t, r.lowerBound, word)
    }

    enum StringValue {
        case bytes([UInt8])
        case literal(Int)
    }

    /// A cursor over the response text that counts literal markers as it passes them.
    struct Reader {
        let t: UnsafeBufferPointer<UInt8>
        var i: Int
        var literalIndex = 0
        var labelLiterals: [(Int, Int)] = []

        mutating func skipSpaces() { while i < t.count && t[i] == 0x20 { i += 1 } }

        /// An item name such as `UID`, `BODY[]`, `BODY[HEADER.FIELDS (A B)]<0>`.
        mutating func itemName() -> Range<Int> {
            let start = i
            var depth = 0
            while i < t.count {
                let c = t[i]
                if c == 0x5B { depth += 1 }
                else if c == 0x5D { depth -= 1 }
                else if depth <= 0 && (c == 0x20 || c == 0x28 || c == 0x29) { break }
                i += 1
            }
            return start..<i
        }

        /// An atom (number, NIL, flag): up to a space, `(` or `)`.
        mutating func atom() -> Range<Int> {
            let start = i
            while i < t.count, t[i] != 0x20, t[i] != 0x28, t[i] != 0x29 { i += 1 }
            return start..<i
        }

        /// A quoted string, a literal, or nil for NIL / anything else (which is skipped).
        mutating func string() -> StringValue? {
            guard i < t.count else { return nil }
            if t[i] == 0x22 { return .bytes(quoted()) }
            if t[i] == 0x7B, let k = literal() { return .literal(k) }
            skipValue()
            return nil
        }

        /// The bytes of a quoted string at `i` (on `"`), `\"` and `\\` unescaped.
        mutating func quoted() -> [UInt8] {
            var out: [UInt8] = []
            i += 1
            while i < t.count {
                let c = t[i]
                if c == 0x22 { i += 1; break }
                if c == 0x5C && i + 1 < t.count { out.append(t[i + 1]); i += 2; continue }
                out.append(c)
                i += 1
            }
            return out
        }

        /// A literal marker `{n}` at `i`: its index among the response's literals.
        mutating func literal() -> Int? {
            var j = i + 1
            while j < t.count, FetchResponse.isDigit(t[j]) { j += 1 }
            if j < t.count && t[j] == 0x2B { j += 1 }
            guard j > i + 1, j < t.count, t[j] == 0x7D else { return nil }
            i = j + 1
            defer { literalIndex += 1 }
            return literalIndex
        }

        /// A parenthesised list of atoms and strings (nested lists skipped); nil when no list is here.
        /// `recordLiterals`: literal elements (left empty) are recorded in ``labelLiterals``.
        mutating func list(recordLiterals: Bool = false) -> [String]? {
            guard i < t.count, t[i] == 0x28 else { skipValue(); return nil }
            i += 1
            var out: [String] = []
            while true {
                skipSpaces()
                guard i < t.count else { return out }
                switch t[i] {
                case 0x29: i += 1; return out
                case 0x28: skipValue()
                case 0x22: out.append(String(decoding: quoted(), as: UTF8.self))
                case 0x7B:
                    if let k = literal() {
                        if recordLiterals { labelLiterals.append((out.count, k)) }
                        out.append("")
                    } else {
                        i += 1
                    }
                default:
                    let a = atom()
                    if a.isEmpty { i += 1 } else { out.append(String(decoding: UnsafeBufferPointer(rebasing: t[a]), as: UTF8.self)) }
                }
            }
        }

        /// Skips one value: an atom, a quoted string, a literal marker or a (nested) list.
        mutating func skipValue() {
            guard i < t.count else { return }
            switch t[i] {
            case 0x22: _ = quoted()
            case 0x7B: if literal() == nil { i += 1 }
            case 0x28:
                var depth = 0
                while i < t.count {
                    let c = t[i]
                    if c == 0x22 { _ = quoted(); continue }
                    if c == 0x7B, literal() != nil { continue }
                    i += 1
                    if c == 0x28 { depth += 1 } else if c == 0x29 { depth -= 1; if depth == 0 { return } }
                }
            default:
                let a = atom()
                if a.isEmpty { i += 1 }
            }
        }
    }
}
