import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import EmailConnectors

@Suite("IMAP topics: FETCH parsing, keywords, Gmail labels, folder names")
struct ImapTopicsParsingTests {
    static func response(_ text: String, literals: [String] = []) -> IMAPResponse {
        IMAPResponse(text: Array(text.utf8), literals: literals.map { Array($0.utf8) })
    }

    static func source(_ extra: String = "") throws -> ImapSource {
        try ImapSource(name: "gmail", settings: ConnectorHarness.settings(for: ImapSource.self, yaml: """
            url: "imaps://imap.gmail.com:993"
            username: support@switchboard-demo.example
            password: secret
            support_addresses: ["@switchboard-demo.example"]
            \(extra)
            """), context: ConnectorContext())
    }

    @Test("modified UTF-7: Cyrillic, `&-`, round trip; malformed sequences are refused")
    func modifiedUTF7() {
        #expect(ModifiedUTF7.decode("&BB4EPwQ7BDAEQgQw-") == "Оплата")
        #expect(ModifiedUTF7.decode("&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-") == "Отправленные")
        #expect(ModifiedUTF7.decode("Billing/&BBoEOwQ4BDUEPQRCBEs-/VIP") == "Billing/Клиенты/VIP")
        #expect(ModifiedUTF7.decode("R&-D") == "R&D")
        #expect(ModifiedUTF7.decode("plain") == "plain")
        #expect(ModifiedUTF7.decode("Оплата") == "Оплата")          // UTF-8 (UTF8=ACCEPT) passes through
        #expect(ModifiedUTF7.decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-") == "~peter/mail/台北/日本語")   // RFC 3501's example
        #expect(ModifiedUTF7.decode("R&D") == nil)                  // no closing `-`
        #expect(ModifiedUTF7.decode("Q&A-list") == nil)             // `A` is no whole UTF-16 unit
        #expect(ModifiedUTF7.decode("&2D3eAQ-") == "😁")             // a surrogate pair
        #expect(ModifiedUTF7.decode("&2D0-") == nil)                // a lone high surrogate
        #expect(ModifiedUTF7.encode("Оплата") == "&BB4EPwQ7BDAEQgQw-")
        #expect(ModifiedUTF7.encode("R&D") == "R&-D")
        #expect(ModifiedUTF7.encode("~peter/mail/台北/日本語") == "~peter/mail/&U,BTFw-/&ZeVnLIqe-")
        for s in ["Клиенты/VIP & co", "日本語", "a", "€", "Отправленные", "𝄁x"] {
            #expect(ModifiedUTF7.decode(ModifiedUTF7.encode(s)) == s)
        }
    }

    @Test("keywords: system flags and state keywords give no topic; Thunderbird's $label1…5 get their names")
    func keywords() {
        #expect(MailTopics.keyword("billing") == "billing")
        #expect(MailTopics.keyword("Billing") == "Billing")
        #expect(MailTopics.keyword("\\Seen") == nil)
        #expect(MailTopics.keyword("\\Flagged") == nil)
        for k in ["$Forwarded", "$MDNSent", "$Junk", "$NotJunk", "$Phishing", "$SubmitPending", "$Submitted",
                  "Junk", "NonJunk", "$Important", "$forwarded", "NOTJUNK", "$HasAttachment", "$MailFlagBit1"] {
            #expect(MailTopics.keyword(k) == nil, "\(k)")
        }
        #expect(MailTopics.keyword("$label1") == "Important")
        #expect(MailTopics.keyword("$Label2") == "Work")
        #expect(MailTopics.keyword("$label3") == "Personal")
        #expect(MailTopics.keyword("$label4") == "To Do")
        #expect(MailTopics.keyword("$label5") == "Later")
        #expect(MailTopics.keyword("$label6") == "$label6")
        #expect(MailTopics.gmailLabel("\\Inbox") == nil)
        #expect(MailTopics.gmailLabel("\\Important") == nil)
        #expect(MailTopics.gmailLabel("Billing/Refunds") == "Billing/Refunds")
        #expect(MailTopics.gmailLabel("&BB4EPwQ7BDAEQgQw-") == "Оплата")
        #expect(MailTopics.gmailLabel("R&D") == "R&D")              // not modified UTF-7: kept as written
    }

    @Test("folder names: INBOX and Sent/Trash/All Mail give no topic; delimiters become /")
    func folders() {
        #expect(MailTopics.imapFolder("INBOX", delimiter: "/") == nil)
        #expect(MailTopics.imapFolder("inbox", delimiter: nil) == nil)
        #expect(MailTopics.imapFolder("Support", delimiter: "/") == "Support")
        #expect(MailTopics.imapFolder("Support/Billing", delimiter: "/") == "Support/Billing")
        #expect(MailTopics.imapFolder("INBOX/Billing", delimiter: "/") == "Billing")
        #expect(MailTopics.imapFolder("INBOX.Support.Billing", delimiter: ".") == "Support/Billing")
        #expect(MailTopics.imapFolder("Support.Billing", delimiter: "/") == "Support.Billing")
        for plain in ["Sent", "INBOX.Sent", "Sent Items", "Trash", "Junk", "Spam", "Drafts", "Archive",
                      "[Gmail]/All Mail", "[Gmail]/Starred", "Отправленные", "Корзина"] {
            #expect(MailTopics.imapFolder(plain, delimiter: plain.contains(".") ? "." : "/") == nil, "\(plain)")
        }
        #expect(MailTopics.imapFolder("Клиенты", delimiter: "/") == "Клиенты")
        #expect(MailTopics.maildirFolderName("Support.Billing") == "Support/Billing")
        #expect(MailTopics.maildirFolderName("&BBoEOwQ4BDUEPQRCBEs-.VIP") == "Клиенты/VIP")
        #expect(MailTopics.maildirFolder("Sent") == nil)
        #expect(MailTopics.maildirFolder("") == nil)
        let u = { (p: String) in URL(fileURLWithPath: "/archive/" + p) }
        #expect(MailTopics.mboxFolder(u("Billing.mbox")) == "Billing")
        #expect(MailTopics.mboxFolder(u("Refunds")) == "Refunds")
        #expect(MailTopics.mboxFolder(u("mbox")) == nil)
        #expect(MailTopics.mboxFolder(u("INBOX.mbox")) == nil)
        #expect(MailTopics.mboxFolder(u("Inbox")) == nil)
        #expect(MailTopics.mboxFolder(u("Sent.mbox")) == nil)
        #expect(MailTopics.mboxFolder(u("All mail Including Spam and Trash.mbox")) == nil)   // Google Takeout
        #expect(MailTopics.mboxFolder(u("message.eml")) == nil)
    }

    @Test("configured mailbox names: Unicode is encoded for the wire, names already in modified UTF-7 are sent as written")
    func mailboxNames() {
        #expect(ImapSource.mailboxNames("INBOX") == ("INBOX", "INBOX"))
        #expect(ImapSource.mailboxNames("Клиенты") == ("&BBoEOwQ4BDUEPQRCBEs-", "Клиенты"))
        #expect(ImapSource.mailboxNames("&BBoEOwQ4BDUEPQRCBEs-") == ("&BBoEOwQ4BDUEPQRCBEs-", "Клиенты"))
        #expect(ImapSource.mailboxNames("R&D") == ("R&-D", "R&D"))
        #expect(ImapSource.capabilities("* CAPABILITY IMAP4rev1 X-GM-EXT-1 IDLE")?.contains("X-GM-EXT-1") == true)
        #expect(ImapSource.capabilities("* OK hello") == nil)
    }

    @Test("FETCH items in any order; Gmail's documented form; unknown items, nested lists and literals skipped")
    func fetchParsing() throws {
        // Gmail's documented response shape: labels first, quoted and modified UTF-7.
        let gmail = Self.response(
            "* 1 FETCH (X-GM-LABELS (\\Inbox \"Billing/Refunds\" \"&BB4EPwQ7BDAEQgQw-\") UID 42 FLAGS (\\Seen $label1) BODY[] {5})",
            literals: ["hello"])
        let f = try #require(FetchResponse.parse(gmail))
        #expect(f.uid == 42)
        #expect(f.flags == ["\\Seen", "$label1"])
        #expect(f.gmailLabels == ["\\Inbox", "Billing/Refunds", "&BB4EPwQ7BDAEQgQw-"])
        #expect(f.hasBody)
        #expect(f.bodyBytes(in: gmail) == Array("hello".utf8))
        #expect(ImapSource.topics(f, in: gmail, folder: nil) == ["Important", "Billing/Refunds", "Оплата"])

        // Dovecot's order; an ENVELOPE with nested lists, quotes holding `)` and a literal before the body.
        let dovecot = Self.response(
            "* 7 fetch (uid 9 INTERNALDATE \"02-Dec-2026 09:00:00 +0000\" ENVELOPE (\"x\" \"a ) b\" ((NIL NIL \"a\" \"b\")) {3} NIL) "
            + "RFC822.SIZE 4 FLAGS (billing \\Seen $Forwarded NonJunk) BODY[] {4})",
            literals: ["s(j", "body"])
        let d = try #require(FetchResponse.parse(dovecot))
        #expect(d.uid == 9)
        #expect(d.internalDate == Array("02-Dec-2026 09:00:00 +0000".utf8))
        #expect(d.flags == ["billing", "\\Seen", "$Forwarded", "NonJunk"])
        #expect(d.gmailLabels == nil)
        #expect(d.bodyBytes(in: dovecot) == Array("body".utf8))
        #expect(ImapSource.topics(d, in: dovecot, folder: "Support") == ["billing", "Support"])

        // A label sent as a literal, escapes in quoted labels.
        let lit = Self.response("* 2 FETCH (UID 3 X-GM-LABELS ({7} \"Say \\\"hi\\\"\" \\Starred) BODY[] {2})", literals: ["Urgent!", "hi"])
        let l = try #require(FetchResponse.parse(lit))
        #expect(l.gmailLabels(in: lit) == ["Urgent!", "Say \"hi\"", "\\Starred"])
        #expect(l.bodyBytes(in: lit) == Array("hi".utf8))

        // Flag updates carry no body; NIL body; not a FETCH at all.
        let update = try #require(FetchResponse.parse(Self.response("* 3 FETCH (FLAGS (\\Seen))")))
        #expect(update.uid == nil && !update.hasBody)
        let nilBody = try #require(FetchResponse.parse(Self.response("* 3 FETCH (UID 5 BODY[] NIL)")))
        #expect(nilBody.hasBody && nilBody.body == nil)
        #expect(FetchResponse.parse(Self.response("* 3 EXPUNGE")) == nil)
        #expect(FetchResponse.parse(Self.response("* SEARCH 1 2 3 4 5 6")) == nil)
        // Cut-off and garbage input never traps.
        for junk in ["* 1 FETCH (", "* 1 FETCH (UID", "* 1 FETCH (FLAGS (a b", "* 1 FETCH (X-GM-LABELS (\"unterminated",
                     "* 1 FETCH (BODY[] {", "* 1 FETCH (BODY[HEADER.FIELDS (A B)] {9}", "* 1 FETCH ())))", "* 1 FETCH ([[[ ]"] {
            _ = FetchResponse.parse(Self.response(junk))
        }
    }

    @Test("recorded Gmail session: X-GM-EXT-1 → X-GM-LABELS fetched; labels (modified UTF-7 Cyrillic, literal, escapes) and keywords become topics")
    func recordedGmailPull() async throws {
        let server = try RecordedServer(folder: "gmail")
        let imap = try Self.source("mailboxes: [\"[Gmail]/All Mail\"]")
        let sink = CollectingSink(source: "gmail")
        try await imap.pull(state: ImapState(), session: IMAPSession(server), into: sink)
        // A configured name: CAPABILITY and LIST (special-use attributes, delimiter) once, only when there is something to fetch.
        #expect(server.commands == ["EXAMINE \"[Gmail]/All Mail\"", "UID SEARCH UID 1:*", "CAPABILITY", "LIST \"\" \"*\" RETURN (SPECIAL-USE)",
                                    "UID FETCH 42:43 (UID INTERNALDATE RFC822.SIZE FLAGS X-GM-MSGID X-GM-LABELS BODY.PEEK[])"])
        let stored = await sink.accepted
        #expect(await sink.rejected.isEmpty)
        #expect(stored.count == 2)
        let refund = try #require(stored.first { $0.subject == "Refund for order 4411" })
        // \Inbox, \Important, \Seen, $Forwarded, $NotPhishing dropped; $label1 is Thunderbird's "Important";
        // [Gmail]/All Mail is no topic.
        #expect(refund.topics == ["Billing/Refunds", "Important", "Say \"hi\"", "Оплата"])
        #expect(refund.provenance == "imaps://imap.gmail.com:993/[Gmail]/All Mail;UIDVALIDITY=11;UID=42")
        let invoice = try #require(stored.first { $0.subject == "Invoice" })
        #expect(invoice.topics == ["R&D", "Urgent!", "vip"])      // \Starred and Junk dropped
    }

    @Test("recorded session without X-GM-EXT-1: no X-GM-LABELS requested; a mailbox with delimiter `.` gives a / topic")
    func recordedNonGmailPull() async throws {
        let server = try RecordedServer(folder: "gmail", replacing: [
            "CAPABILITY": "* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT THREAD=REFERENCES MOVE\r\n",
            "LIST": "* LIST (\\Noselect) \".\" \"\"\r\n",
        ])
        let imap = try Self.source("mailboxes: [INBOX.Support.Billing]")
        let sink = CollectingSink(source: "gmail")
        try await imap.pull(state: ImapState(), session: IMAPSession(server), into: sink)
        #expect(server.commands.contains("UID FETCH 42:43 (UID INTERNALDATE RFC822.SIZE FLAGS BODY.PEEK[])"))
        let stored = await sink.accepted
        #expect(stored.count == 2)
        // (The recording still carries labels: a server that sends them unasked is believed.)
        #expect(stored.first { $0.subject == "Invoice" }?.topics == ["R&D", "Support/Billing", "Urgent!", "vip"])

        let server2 = try RecordedServer(folder: "gmail")
        let sink2 = CollectingSink(source: "gmail")
        try await Self.source("mailboxes: [Billing]\nfolder_topic: false").pull(state: ImapState(), session: IMAPSession(server2), into: sink2)
        // No folder topic, but LIST is still asked: it says whether the mailbox is flagged \Sent.
        #expect(server2.commands.filter { $0.hasPrefix("LIST") } == ["LIST \"\" \"*\" RETURN (SPECIAL-USE)"])
        #expect(await sink2.accepted.first { $0.subject == "Invoice" }?.topics == ["R&D", "Urgent!", "vip"])
    }
}
