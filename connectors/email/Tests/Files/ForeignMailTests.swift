import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import EmailConnectors

/// Mail as other programs write it: converters, bounce handlers, broken mailers, mailing lists and their archives.
@Suite("Mail written by other programs")
struct ForeignMailTests {
    static let context = BackfillImporterTests.context
    static let support = "support_addresses: [\"@switchboard-demo.example\"]"

    static func maildir() throws -> MaildirImporter {
        try MaildirImporter(name: "s", settings: ConnectorHarness.settings(for: MaildirImporter.self, yaml: support),
                            context: context)
    }

    static func mbox() throws -> MboxImporter {
        try MboxImporter(name: "s", settings: ConnectorHarness.settings(for: MboxImporter.self, yaml: support),
                         context: context)
    }

    /// Stored interactions by Message-ID (the part of the external id before `#`).
    static func byMessageId(_ stored: [Interaction]) -> [String: Interaction] {
        Dictionary(stored.map { (String($0.externalId.prefix { $0 != "#" }), $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test("a Maildir file and an .eml that begin with an mbox `From ` line import; the line's date stands in for Date")
    func mboxSeparatorFirst() async throws {
        let harness = ConnectorHarness(context: Self.context)
        let summary = try await harness.importFiles(try Self.maildir(), source: "s",
                                                    [try Fixture.url("converted-maildir"), try Fixture.url("bounce-from-line.eml")])
        #expect(summary.stored == 2)
        #expect(summary.deadLetters == 0)
        let stored = Self.byMessageId(await harness.stored())
        let m1 = try #require(stored["<m1@shop.example>"])
        #expect(m1.customerKey == "maria@shop.example" && m1.actorRole == .customer)
        #expect(m1.text == "Hello, the box was crushed.\nFrom now on please pack better.")
        let bounce = try #require(stored["<bounce-1@mx.client.example>"])
        #expect(bounce.occurredAt == Date(timeIntervalSince1970: 1795512600))   // the separator: 24 Nov 2026 09:30 UTC
        #expect(bounce.actorRole == .bot)
        // The converted message is the mbox's first message: same id, stored once.
        let again = try await harness.importFiles(try Self.mbox(), source: "s", [try Fixture.url("support.mbox")])
        #expect(again.duplicates == 1)
        #expect(again.stored == 5)
    }

    @Test("a `From:` field, also the obsolete `From :`, is a header and not a separator")
    func fromFieldIsNoSeparator() {
        let m = MessageParser.parse(Array("From : Olga <olga@x.example>\nSubject: hi\n\nbody".utf8))
        #expect(m.from?.address == "olga@x.example")
        #expect(m.envelopeDate == nil)
        let bom = MessageParser.parse([0xEF, 0xBB, 0xBF] + Array("From: olga@x.example\n\nbody".utf8))
        #expect(bom.from?.address == "olga@x.example")
    }

    @Test("ids that are no ids and reused ids never join unrelated mail; real replies still join")
    func bogusMessageIds() async throws {
        let harness = ConnectorHarness(context: Self.context)
        let summary = try await harness.importFiles(try Self.mbox(), source: "s", [try Fixture.url("bogus-ids.mbox")])
        #expect(summary.stored == 14)
        let stored = await harness.stored()
        func key(_ from: String, _ subject: String) throws -> String {
            try #require(stored.first { $0.actorId?.hasPrefix(from) == true && $0.subject == subject }).conversationKey
        }
        func customerKey(_ customer: String, _ subject: String) throws -> String {
            try #require(stored.first { $0.customerKey == customer && $0.subject == subject && $0.actorRole == .agent })
                .conversationKey
        }
        // `<yes>` on two messages months apart, `<>`, `<1234>`: none of them a thread root.
        let alice = try key("alice@", "Printer jams on page 2")
        #expect(try customerKey("alice@a.example", "Re: Printer jams on page 2") == alice)   // joins by subject
        let bob = try key("bob@", "Refund for order 77")
        let carol = try key("carol@", "Login broken"), dave = try key("dave@", "Change of address")
        // `<1@localhost>` declared again by another sender months later: reused, no longer an id.
        let erin = try key("erin@", "Invoice missing"), frank = try key("frank@", "Delivery address change")
        #expect(erin == "1@localhost")
        #expect(try customerKey("frank@f.example", "Re: Delivery address change") == frank)
        // A reference across three months with nothing in common is ignored; a late real follow-up joins.
        let greta = try key("greta@", "Password reset")
        #expect(greta == "pw-1@g.example")
        #expect(try customerKey("greta@g.example", "Re: Password reset") == greta)
        #expect(try key("greta@", "Re: Password reset") == greta)
        let harry = try key("harry@", "Shipping to Norway")
        #expect(harry == "ship-1@h.example")
        // The agent's address in In-Reply-To (old clients) is not an id.
        let ivan = try key("ivan@", "Re: Warranty"), jack = try key("jack@", "Re: Your quote")
        #expect(ivan == "w-1@i.example" && jack == "q-1@j.example")
        let keys = [alice, bob, carol, dave, erin, frank, greta, harry, ivan, jack]
        #expect(Set(keys).count == keys.count)
        #expect(Set(stored.map(\.conversationKey)).count == keys.count)
    }

    @Test("mailing-list posts are people's mail; only auto-reply signals make a bot")
    func mailingList() async throws {
        let harness = ConnectorHarness(context: Self.context)
        _ = try await harness.importFiles(try Self.mbox(), source: "s", [try Fixture.url("mailing-list.mbox")])
        let stored = Self.byMessageId(await harness.stored())
        func role(_ id: String) throws -> ActorRole { try #require(stored[id]).actorRole }
        #expect(try role("<list-1@example.net>") == .customer)              // Precedence: bulk + List-Id
        #expect(try role("<list-2@example.org>") == .customer)              // Precedence: list + List-Id
        #expect(try role("<spare-1@example.org>") == .customer)             // Precedence: list alone
        #expect(try role("<thanks-1@example.org>") == .customer)            // Auto-Submitted: no
        #expect(try role("<a-list-1@switchboard-demo.example>") == .agent)
        #expect(try role("<ooo-1@example.net>") == .bot)                    // Auto-Submitted through a list
        #expect(try role("<news-1@shop.example>") == .bot)                  // Precedence: bulk, no list
        #expect(try role("<form-1@forms.example>") == .bot)                 // Precedence: junk
        let post = try #require(stored["<list-1@example.net>"]), reply = try #require(stored["<a-list-1@switchboard-demo.example>"])
        #expect(post.conversationKey == reply.conversationKey)
    }

    @Test("the remaining auto-reply headers", arguments: [
        ("X-Autoreply: yes", true), ("X-Autorespond: on", true), ("Precedence: auto_reply", true),
        ("Auto-Submitted: auto-generated; owner-email=x@y.example", true), ("Auto-Submitted: No", false),
        ("Precedence: bulk\nList-Id: <l.example>", false), ("Precedence: BULK", true), ("Precedence: list", false),
    ])
    func autoReplyHeaders(header: String, bot: Bool) {
        let m = MessageParser.parse(Array("From: a@b.example\n\(header)\n\nhi".utf8))
        #expect(m.isAutoReply == bot)
    }

    @Test("pipermail archive: `name at domain` senders are read; ambiguous ones stay dead letters")
    func pipermailArchive() async throws {
        let harness = ConnectorHarness(context: Self.context)
        let summary = try await harness.importFiles(try Self.mbox(), source: "s", [try Fixture.url("pipermail.mbox")])
        #expect(summary.stored == 3)
        #expect(summary.deadLetters == 1)
        let dead = await harness.deadLetters()
        #expect(dead.first?.reason.contains("no readable From address") == true)
        let stored = Self.byMessageId(await harness.stored())
        let post = try #require(stored["<arch-1@example.com>"])
        #expect(post.actorId == "jdoe@example.com" && post.actorName == "John Doe" && post.customerKey == "jdoe@example.com")
        let answer = try #require(stored["<arch-2@switchboard-demo.example>"])
        #expect(answer.actorRole == .agent && answer.actorId == "anna" && answer.conversationKey == post.conversationKey)
        let undated = try #require(stored["<arch-3@mail.example.org>"])
        #expect(undated.actorId == "mary.k@mail.example.org")
        #expect(undated.occurredAt == Date(timeIntervalSince1970: 1795514400))   // the separator line: 10:00 UTC
    }

    @Test("the `at` form in address lists, read only when unambiguous; a name before a bare address")
    func archivedAddresses() {
        let list = MailAddress.list(Array("mary at example.org (Mary), Bob at Acme Corp, support at home, <x at mail.example.net>, a at b at c.example".utf8))
        #expect(list.map(\.address) == ["mary@example.org", "x@mail.example.net"])
        #expect(list.first?.name == "Mary")
        let named = MailAddress.list(Array("\"Doe, John\" JDoe@Example.com, Ann Lee ann@x.example, jo @ y.example".utf8))
        #expect(named == [MailAddress(address: "jdoe@example.com", name: "Doe, John"),
                          MailAddress(address: "ann@x.example", name: "Ann Lee"), MailAddress(address: "jo@y.example", name: nil)])
    }
}
