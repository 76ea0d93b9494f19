import Foundation
import SwitchboardCore

/// The special-use attributes of RFC 6154: what a mailbox is for, whatever its (localised) name.
enum SpecialUse {
    /// Every RFC 6154 attribute, as spelled in the RFC.
    static let attributes = ["\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash"]

    /// The RFC spelling of `text` (`\sent` → `\Sent`); nil when it is none of ``attributes``.
    static func canonical(_ text: String) -> String? {
        attributes.first { $0.caseInsensitiveCompare(text) == .orderedSame }
    }
}

/// One mailbox of a `LIST` response: `* LIST (\HasNoChildren \Sent) "/" &BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-`.
struct ListedMailbox: Equatable, Sendable {
    /// The name as on the wire (modified UTF-7).
    var wire: String
    /// The name as a mail client shows it (decoded).
    var name: String
    /// The attributes as sent (`\HasNoChildren`, `\Sent`, `\Noselect`, Gmail's `\Important`).
    var attributes: [String]
    var delimiter: Character?

    /// The RFC 6154 attributes among ``attributes``, in RFC spelling.
    var specialUse: [String] { attributes.compactMap(SpecialUse.canonical) }

    func has(_ specialUse: String) -> Bool { attributes.contains { $0.caseInsensitiveCompare(specialUse) == .orderedSame } }

    /// False for `\Noselect` and `\NonExistent` entries (hierarchy nodes such as `[Gmail]`).
    var selectable: Bool { !attributes.contains { ["\\noselect", "\\nonexistent"].contains($0.lowercased()) } }

    /// `INBOX` is case-insensitive (RFC 3501 §5.1); every other name is compared as written.
    func named(_ wireName: String) -> Bool {
        wire == wireName || (wire.uppercased() == "INBOX" && wireName.uppercased() == "INBOX")
    }
}

/// Reading `LIST` responses, and the `LIST` command that asks for the special-use attributes.
enum MailboxList {
    /// `LIST "" "*" RETURN (SPECIAL-USE)` where the server has SPECIAL-USE and LIST-EXTENDED (then it
    /// must send the attributes); otherwise plain `LIST "" "*"`, whose answers carry them on most
    /// servers anyway (Gmail, Exchange / Microsoft 365, Dovecot).
    static func command(capabilities: Set<String>) -> String {
        capabilities.contains("SPECIAL-USE") && capabilities.contains("LIST-EXTENDED")
            ? "LIST \"\" \"*\" RETURN (SPECIAL-USE)" : "LIST \"\" \"*\""
    }

    /// The mailbox of one untagged `* LIST …` response; nil for any other response or a malformed one.
    /// The name may be an atom, a quoted string or a literal (then it is the response's first literal).
    static func parse(_ r: IMAPResponse) -> ListedMailbox? {
        var p = Scanner(bytes: r.text)
        guard p.word("*"), p.word("LIST") else { return nil }
        guard p.byte(0x28) else { return nil }   // `(`
        var attributes: [String] = []
        while let a = p.token(), a != ")" { attributes.append(a) }
        p.skipSpaces()
        var delimiter: Character? = nil
        if p.peek == 0x22 {
            let d = p.quoted()
            if let c = d.first { delimiter = c }
        } else if let atom = p.token(), atom.uppercased() != "NIL" {
            return nil
        }
        p.skipSpaces()
        let wire: String
        if p.peek == 0x22 {
            wire = p.quoted()
        } else if p.peek == 0x7B {
            guard p.literalMarker(), let bytes = r.literals.first else { return nil }
            wire = String(decoding: bytes, as: UTF8.self)
        } else if let atom = p.token(), atom != ")" {
            wire = atom
        } else {
            return nil
        }
        return ListedMailbox(wire: wire, name: ModifiedUTF7.decode(wire) ?? wire, attributes: attributes, delimiter: delimiter)
    }

    /// The first hierarchy delimiter among `mailboxes`.
    static func delimiter(_ mailboxes: [ListedMailbox]) -> Character? {
        mailboxes.lazy.compactMap(\.delimiter).first
    }

    /// A cursor over one response line (no literals inside the parts it reads).
    struct Scanner {
        let bytes: [UInt8]
        var i = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skipSpaces() { while i < bytes.count && bytes[i] == 0x20 { i += 1 } }

        /// The next token is `w` (case-insensitive); consumes it only then.
        mutating func word(_ w: String) -> Bool {
            skipSpaces()
            let start = i
            guard let t = token(), t.caseInsensitiveCompare(w) == .orderedSame else { i = start; return false }
            return true
        }

        mutating func byte(_ b: UInt8) -> Bool {
            skipSpaces()
            guard peek == b else { return false }
            i += 1
            return true
        }

        /// An atom up to a space or parenthesis, or `)` on its own; nil at the end.
        mutating func token() -> String? {
            skipSpaces()
            guard i < bytes.count else { return nil }
            if bytes[i] == 0x29 { i += 1; return ")" }
            let start = i
            while i < bytes.count, bytes[i] != 0x20, bytes[i] != 0x28, bytes[i] != 0x29 { i += 1 }
            return i > start ? String(decoding: bytes[start..<i], as: UTF8.self) : nil
        }

        /// A quoted string at `i` (on `"`), `\"` and `\\` unescaped.
        mutating func quoted() -> String {
            var out: [UInt8] = []
            i += 1
            while i < bytes.count {
                let c = bytes[i]
                if c == 0x22 { i += 1; break }
                if c == 0x5C && i + 1 < bytes.count { out.append(bytes[i + 1]); i += 2; continue }
                out.append(c)
                i += 1
            }
            return String(decoding: out, as: UTF8.self)
        }

        /// A `{n}` or `{n+}` marker at `i`.
        mutating func literalMarker() -> Bool {
            var j = i + 1
            while j < bytes.count, bytes[j] >= 0x30 && bytes[j] <= 0x39 { j += 1 }
            if j < bytes.count && bytes[j] == 0x2B { j += 1 }
            guard j > i + 1, j < bytes.count, bytes[j] == 0x7D else { return false }
            i = j + 1
            return true
        }
    }
}

/// Which mailboxes an `imap` source reads, from its `mailboxes` setting and the server's `LIST`.
///
/// - No `mailboxes` setting: on Gmail (`X-GM-EXT-1`) with a `\All` mailbox, that one alone (every
///   message once; the `\Sent` label says which are the team's); elsewhere `INBOX` and the mailbox
///   flagged `\Sent`, when there is one.
/// - An entry starting with `\` names a mailbox by its special-use attribute (`\Sent`, `\All`, …).
/// - Any other entry is a mailbox name, read as configured.
/// A mailbox is the team's outbound mail when LIST flags it `\Sent`, or (servers without the
/// attribute, configs that name it) when its name is one of the usual Sent names.
struct MailboxPlan: Equatable, Sendable {
    /// One mailbox to read.
    struct Entry: Equatable, Sendable {
        var wire: String
        /// The decoded name: provenance, folder topic, topic rules.
        var shown: String
        /// The key of its resume state (the configured entry for names, as before; the shown name otherwise).
        var key: String
        /// Its special-use attributes (empty when LIST did not show it, or showed none).
        var specialUse: [String]
        /// How it was chosen, for `switchboard check`: the configured entry, or `automatic`.
        var chosenBy: String

        /// Its mail is the team's outbound mail.
        var isSent: Bool { specialUse.contains("\\Sent") || EmailMapping.isSentMailbox(shown) }
        /// Gmail's All Mail (or another server's \All): every message once.
        var isAll: Bool { specialUse.contains("\\All") }
    }

    var entries: [Entry]
    /// Configured `\Flag` entries no mailbox carries.
    var missing: [String]

    /// - Parameters:
    ///   - configured: the `mailboxes` setting; nil for the default.
    ///   - listed: the server's LIST answer.
    ///   - gmail: the server advertised `X-GM-EXT-1`.
    ///   - resumed: the mailboxes the source's resume state knows. A Gmail source that already read
    ///     INBOX (the default before `\All`) keeps INBOX + `\Sent`, so its stored mail is not read
    ///     again from All Mail under new ids.
    static func resolve(_ configured: [String]?, listed: [ListedMailbox], gmail: Bool,
                        resumed: Set<String> = []) -> MailboxPlan {
        var plan = MailboxPlan(entries: [], missing: [])
        func add(_ e: Entry) { if !plan.entries.contains(where: { $0.wire == e.wire }) { plan.entries.append(e) } }
        func special(_ flag: String, chosenBy: String) -> Entry? {
            guard let m = listed.first(where: { $0.selectable && $0.has(flag) }) else { return nil }
            return Entry(wire: m.wire, shown: m.name, key: m.name, specialUse: m.specialUse, chosenBy: chosenBy)
        }
        guard let configured else {
            if gmail, let all = special("\\All", chosenBy: "automatic: Gmail's \\All mailbox"),
               resumed.contains(all.key) || !resumed.contains("INBOX") {
                add(all)
                return plan
            }
            let inbox = listed.first { $0.named("INBOX") }
            add(Entry(wire: inbox?.wire ?? "INBOX", shown: "INBOX", key: "INBOX", specialUse: inbox?.specialUse ?? [],
                      chosenBy: "automatic"))
            if let sent = special("\\Sent", chosenBy: "automatic: flagged \\Sent") { add(sent) }
            return plan
        }
        for item in configured {
            if item.hasPrefix("\\") {
                let flag = SpecialUse.canonical(item) ?? item
                if let e = special(flag, chosenBy: item) { add(e) } else { plan.missing.append(flag) }
                continue
            }
            let names = ImapSource.mailboxNames(item)
            let m = listed.first { $0.named(names.wire) }
            add(Entry(wire: names.wire, shown: names.shown, key: item, specialUse: m?.specialUse ?? [], chosenBy: item))
        }
        return plan
    }
}

extension ImapSource {
    /// The `mailboxes` setting, checked: not empty, and every `\…` entry an RFC 6154 attribute.
    static func checkedMailboxes(_ configured: [String]?) throws -> [String]? {
        guard let configured else { return nil }
        guard !configured.isEmpty else {
            throw ConnectorError(.settings, "mailboxes is empty: leave it out to read INBOX and the mailbox flagged \\Sent, or list mailboxes")
        }
        for m in configured where m.hasPrefix("\\") && SpecialUse.canonical(m) == nil {
            throw ConnectorError(.settings, "mailboxes: '\(m)' is no special-use flag; use one of "
                + "\(SpecialUse.attributes.joined(separator: ", ")), or a mailbox name without a leading backslash")
        }
        return configured
    }
}
