import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import EmailConnectors

@Suite("mbox and Maildir topics")
struct FileTopicsTests {
    static let context = ConnectorContext()

    static func topics(_ stored: [Interaction]) -> [String: [String]] {
        Dictionary(uniqueKeysWithValues: stored.map { ($0.externalId.split(separator: "#").first.map(String.init) ?? "", $0.topics) })
    }

    static func maildir(_ yaml: String = "") throws -> MaildirImporter {
        try MaildirImporter(name: "s", settings: ConnectorHarness.settings(for: MaildirImporter.self, yaml: yaml), context: context)
    }

    static func mbox(_ yaml: String = "") throws -> MboxImporter {
        try MboxImporter(name: "s", settings: ConnectorHarness.settings(for: MboxImporter.self, yaml: yaml), context: context)
    }

    @Test("Maildir: the Maildir++ folder (.Support.Billing → Support/Billing, modified UTF-7 decoded) and keywords from :2,… letters")
    func maildirFolders() async throws {
        let harness = ConnectorHarness(context: Self.context)
        let summary = try await harness.importFiles(try Self.maildir("support_addresses: [\"@switchboard-demo.example\"]"),
                                                    source: "s", [try Fixture.url("maildir-topics")])
        #expect(summary.stored == 5)
        let stored = await harness.stored()
        let t = Self.topics(stored)
        #expect(t["<mt1@shop.example>"] == ["vip"])                                  // root: no folder topic; `a` = vip
        #expect(t["<mt2@shop.example>"] == ["Support/Billing", "To Do", "billing"])  // `abc`: billing, $Forwarded (skipped), $label4
        #expect(t["<mt3@shop.example>"] == ["Support/Billing"])                      // new/: no info, no keywords
        #expect(t["<mt4@client.example>"] == ["Клиенты"])
        #expect(t["<mt5@switchboard-demo.example>"] == [])                           // .Sent: no topic
        let sent = try #require(stored.first { $0.externalId.hasPrefix("<mt5@") })
        #expect(sent.direction == .outbound)
        #expect(stored.first { $0.externalId.hasPrefix("<mt2@") }?.provenance == "file:Support.Billing/1795500060.M2P1.testhost:2,RSabc")

        // A Maildir++ folder given as the root is read as that folder.
        let one = ConnectorHarness(context: Self.context)
        try await one.importFiles(try Self.maildir(), source: "s", [try Fixture.url("maildir-topics/.Support.Billing")])
        #expect(Self.topics(await one.stored())["<mt3@shop.example>"] == ["Support/Billing"])
    }

    @Test("folder_topic: false on maildir and mbox keeps keywords and client labels, drops folder names")
    func folderTopicOff() async throws {
        let harness = ConnectorHarness(context: Self.context)
        try await harness.importFiles(try Self.maildir("folder_topic: false"), source: "s", [try Fixture.url("maildir-topics")])
        let t = Self.topics(await harness.stored())
        #expect(t["<mt1@shop.example>"] == ["vip"])
        #expect(t["<mt2@shop.example>"] == ["To Do", "billing"])
        #expect(t["<mt3@shop.example>"] == [])
        #expect(t["<mt4@client.example>"] == [])

        let m = ConnectorHarness(context: Self.context)
        try await m.importFiles(try Self.mbox("folder_topic: false"), source: "s", [try Fixture.url("Billing.mbox")])
        let tm = Self.topics(await m.stored())
        #expect(tm["<mb1@shop.example>"] == ["Work", "refund"])
        #expect(tm["<mb2@shop.example>"] == ["Shipping, Delays", "Оплата"])
    }

    @Test("mbox: the file's base name (not mbox/inbox), Thunderbird's X-Mozilla-Keys and Takeout's X-Gmail-Labels; .eml files give no folder")
    func mboxTopics() async throws {
        let harness = ConnectorHarness(context: Self.context)
        let summary = try await harness.importFiles(try Self.mbox(), source: "s",
                                                    [try Fixture.url("Billing.mbox"), try Fixture.url("support.mbox"), try Fixture.url("koi8r.eml")])
        #expect(summary.stored == 9)
        let t = Self.topics(await harness.stored())
        #expect(t["<mb1@shop.example>"] == ["Billing", "Work", "refund"])          // $label2 → Work; $Forwarded skipped
        // Inbox, Important, Opened and Category … are Gmail's own; the quoted label keeps its comma; RFC 2047 decoded.
        #expect(t["<mb2@shop.example>"] == ["Billing", "Shipping, Delays", "Оплата"])
        #expect(t["<m1@shop.example>"] == ["support"])
        #expect(t["<koi8-1@mail.example.ru>"] == [])

        // The same labels in mail pulled over IMAP would come from the sender: not read there.
        var ingest = EmailIngest(mapping: EmailMapping(source: "s", platform: "imap", supportAddresses: [], agents: ConnectorContext().agents))
        let bytes = Array("From: a@b.example\nDate: Wed, 02 Dec 2026 10:00:00 +0000\nX-Gmail-Labels: Urgent\nX-Mozilla-Keys: vip\n\nhi\n".utf8)
        bytes.withUnsafeBufferPointer { ingest.add($0, fallbackDate: nil, fromSent: false, provenance: "imap://x/INBOX;UIDVALIDITY=1;UID=1") }
        bytes.withUnsafeBufferPointer { ingest.add($0, fallbackDate: nil, fromSent: false, provenance: "file:x", clientLabels: true) }
        #expect(ingest.accepted.map(\.topics) == [[], ["Urgent", "vip"]])
    }

    @Test("an imap source's backfill import passes folder_topic on to the mbox reader")
    func imapBackfillFolderTopic() async throws {
        let imap = try ImapSource(name: "s", settings: ConnectorHarness.settings(for: ImapSource.self, yaml: """
            url: "imaps://imap.example.com"
            username: u
            password: p
            folder_topic: false
            """), context: Self.context)
        let harness = ConnectorHarness(context: Self.context)
        try await harness.importFiles(imap, source: "s", [try Fixture.url("Billing.mbox")])
        #expect(Self.topics(await harness.stored())["<mb1@shop.example>"] == ["Work", "refund"])
    }
}
