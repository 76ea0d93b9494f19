import Foundation

/// Native topics of e-mail: what the mailbox owner (or a mail client, a helpdesk, Gmail) labelled a
/// message with. Every function here answers nil for a label that says nothing about content.
///
/// | source | topic |
/// | --- | --- |
/// | IMAP keyword (FLAGS item without `\`) | as written, except ``ignoredKeywords``; Thunderbird's `$label1`…`$label5` become ``thunderbirdLabels`` |
/// | Gmail `X-GM-LABELS` | every label except system ones (`\Inbox`, `\Sent`, …), modified UTF-7 decoded |
/// | IMAP mailbox | its name with a leading `INBOX` level dropped and levels joined by `/`, except ``isPlainFolder(_:)`` ones |
/// | Maildir++ folder | `.Support.Billing` → `Support/Billing` (modified UTF-7 decoded) |
/// | mbox file | the base name without extension, except `mbox`, `inbox` and ``isPlainFolder(_:)`` ones |
/// | file imports only | Thunderbird's `X-Mozilla-Keys` (keywords, as IMAP) and Google Takeout's `X-Gmail-Labels` |
enum MailTopics {
    /// Keywords that flag handling, not content (compared case-insensitively, as IMAP does):
    /// the IANA "IMAP and JMAP keywords" registered for state (RFC 5788, RFC 8457, RFC 9051 …) and the
    /// junk-filter marks of Thunderbird, Apple Mail and Dovecot.
    static let ignoredKeywords: Set<String> = [
        // forwarding, receipts, submission, importance
        "$forwarded", "forwarded", "$mdnsent", "$submitpending", "$submitted", "$redirected", "$important",
        "$autosent", "$notify", "$muted", "$followed", "$imported",
        // junk and phishing marks
        "$junk", "$notjunk", "$nonjunk", "junk", "nonjunk", "notjunk", "junkrecorded", "$phishing", "$notphishing",
        // attachment and list detection (Dovecot, Fastmail, Apple)
        "$hasattachment", "$hasnoattachment", "$hasmemo", "$ismailinglist", "$istrusted",
        "$unsubscribed", "$canunsubscribe",
        // Apple Mail flag colours
        "$mailflagbit0", "$mailflagbit1", "$mailflagbit2",
        // JMAP names of the system flags, should a server expose them as keywords
        "$seen", "$answered", "$flagged", "$draft", "$deleted", "$recent",
    ]

    /// Thunderbird's five default tags, stored as keywords `$label1`…`$label5`: the names it shows
    /// (a tag renamed in Thunderbird keeps its key, so it still arrives under the default name).
    static let thunderbirdLabels: [String: String] = [
        "$label1": "Important", "$label2": "Work", "$label3": "Personal", "$label4": "To Do", "$label5": "Later",
    ]

    /// The topic of an IMAP keyword (a FLAGS item without a leading backslash); nil for system flags
    /// (`\Seen`) and ``ignoredKeywords``.
    static func keyword(_ k: String) -> String? {
        guard let first = k.utf8.first, first != 0x5C else { return nil }   // `\Seen`, `\Flagged`, …
        let lower = k.lowercased()
        if ignoredKeywords.contains(lower) { return nil }
        return thunderbirdLabels[lower] ?? k
    }

    /// The topic of a Gmail label; nil for system labels (`\Inbox`, `\Important`, `\Sent`, `\Starred`, `\Draft`, …).
    /// Modified UTF-7 is decoded; a label that is not valid modified UTF-7 (`R&D`) is kept as written.
    static func gmailLabel(_ label: String) -> String? {
        guard let first = label.utf8.first, first != 0x5C else { return nil }
        return ModifiedUTF7.decode(label) ?? label
    }

    /// Google Takeout's `X-Gmail-Labels` names system labels in words; these give no topic.
    static let takeoutSystemLabels: Set<String> = [
        "inbox", "sent", "important", "starred", "opened", "unread", "archived", "spam", "trash", "draft", "drafts",
        "chat", "chats", "sent messages", "all mail",
    ]

    /// Folders whose name says where mail sits, not what it is about (compared case-insensitively, last level).
    static let plainFolders: Set<String> = [
        "inbox", "drafts", "draft", "trash", "deleted", "deleted items", "deleted messages", "bin",
        "junk", "junk e-mail", "junk email", "spam", "bulk mail", "archive", "archives", "all mail", "outbox",
        "important", "starred", "flagged", "templates",
        "входящие", "черновики", "удаленные", "удалённые", "корзина", "спам", "архив", "исходящие", "шаблоны",
    ]

    /// True for INBOX, Sent, Drafts, Trash, Junk, Archive, `[Gmail]/All Mail` and the like.
    static func isPlainFolder(_ name: String) -> Bool {
        if EmailMapping.isSentMailbox(name) { return true }
        let last = name.split(whereSeparator: { $0 == "/" }).last.map { $0.lowercased() } ?? ""
        return last.isEmpty || plainFolders.contains(last) || last.hasPrefix("all mail")
    }

    /// The topic of an IMAP mailbox: `Support` → `Support`, `INBOX/Billing` and `INBOX.Billing`
    /// (delimiter `.`) → `Billing`, `Support.Billing` (delimiter `.`) → `Support/Billing`; nil for
    /// INBOX and other ``isPlainFolder(_:)`` names. `name` is the decoded (Unicode) name.
    static func imapFolder(_ name: String, delimiter: Character?) -> String? {
        var levels = delimiter.map { d in name.split(separator: d, omittingEmptySubsequences: true).map(String.init) } ?? [name]
        if levels.count > 1 && levels[0].lowercased() == "inbox" { levels.removeFirst() }
        let joined = levels.joined(separator: "/")
        return isPlainFolder(joined) ? nil : joined
    }

    /// The decoded name of a Maildir++ folder (`Support.Billing` → `Support/Billing`, modified UTF-7 decoded per level).
    static func maildirFolderName(_ label: String) -> String {
        label.split(separator: ".", omittingEmptySubsequences: true)
            .map { ModifiedUTF7.decode(String($0)) ?? String($0) }.joined(separator: "/")
    }

    /// The topic of a Maildir++ folder given by ``maildirFolderName(_:)``; nil for the root and plain folders.
    static func maildirFolder(_ name: String) -> String? {
        name.isEmpty || isPlainFolder(name) ? nil : name
    }

    /// The topic of an mbox file: its base name without extension, except `mbox`, `inbox` and plain
    /// folder names; nil for `.eml` files (a file holding one message is no folder).
    static func mboxFolder(_ file: URL) -> String? {
        let ext = file.pathExtension.lowercased()
        if ext == "eml" || ext == "msg" { return nil }
        let base = file.deletingPathExtension().lastPathComponent
        let lower = base.lowercased()
        if lower == "mbox" || lower == "inbox" || isPlainFolder(base) { return nil }
        return base
    }

    /// Topics from labels a mail client or an export wrote into a file's headers: Thunderbird's
    /// `X-Mozilla-Keys` (space-separated keywords) and Google Takeout's `X-Gmail-Labels`
    /// (comma-separated, `"…"` around labels with a comma; `Category …` and system labels skipped).
    /// Read in file imports only: in mail pulled over IMAP these headers come from the sender.
    static func clientLabels(_ m: EmailMessage) -> [String] {
        var out: [String] = []
        if let keys = m.mozillaKeys {
            for k in keys.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                if let t = keyword(String(k)) { out.append(t) }
            }
        }
        if let labels = m.gmailLabels {
            for l in splitTakeoutLabels(labels) {
                let lower = l.lowercased()
                if takeoutSystemLabels.contains(lower) || lower.hasPrefix("category ") { continue }
                out.append(l)
            }
        }
        return out
    }

    static func splitTakeoutLabels(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var quoted = false
        for ch in s {
            if ch == "\"" { quoted.toggle(); continue }
            if ch == "," && !quoted {
                let t = cur.trimmingCharacters(in: .whitespaces)
                if !t.isEmpty { out.append(t) }
                cur = ""
                continue
            }
            cur.append(ch)
        }
        let t = cur.trimmingCharacters(in: .whitespaces)
        if !t.isEmpty { out.append(t) }
        return out
    }
}
