import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import EmailConnectors

@Suite("mbox and Maildir backfill")
struct BackfillImporterTests {
    static let agents = AgentDirectory([Agent(id: "anna", name: "Anna Smirnova", emails: ["anna@switchboard-demo.example"])])
    static let context = ConnectorContext(agents: agents)

    static func mbox(name: String = "support-mailbox",
                     _ yaml: String = "support_addresses: [\"@switchboard-demo.example\"]") throws -> MboxImporter {
        try MboxImporter(name: name, settings: ConnectorHarness.settings(for: MboxImporter.self, yaml: yaml),
                         context: context)
    }

    @Test("mbox: directions, actors, auto-reply as bot, threads by References and by subject, quotes stripped")
    func mboxThread() async throws {
        let harness = ConnectorHarness(context: Self.context)
        let summary = try await harness.importFiles(try Self.mbox(), source: "support-mailbox", [try Fixture.url("support.mbox")])
        #expect(summary.stored == 6)
        #expect(summary.deadLetters == 0)
        let stored = await harness.stored()
        #expect(ConnectorCompliance.problems(in: stored, source: "support-mailbox").isEmpty)
        let byId = Dictionary(uniqueKeysWithValues: stored.map { ($0.externalId.split(separator: "#").first.map(String.init) ?? "", $0) })
        let m1 = try #require(byId["<m1@shop.example>"])
        #expect(m1.direction == .inbound && m1.actorRole == .customer && m1.customerKey == "maria@shop.example")
        #expect(m1.text == "Hello, the box was crushed.\nFrom now on please pack better.")
        let auto = try #require(byId["<auto-m1@switchboard-demo.example>"])
        #expect(auto.actorRole == .bot && auto.direction == .outbound)
        let a1 = try #require(byId["<a1@switchboard-demo.example>"])
        #expect(a1.actorRole == .agent && a1.direction == .outbound && a1.actorId == "anna")
        #expect(a1.customerKey == "maria@shop.example")
        #expect(a1.text == "Sorry about that, a replacement ships today.")
        let m2 = try #require(byId["<m2@shop.example>"])
        #expect(Set([m1, auto, a1, m2].map(\.conversationKey)) == ["m1@shop.example"])
        let t1 = try #require(byId["<t1@home.example>"]), t2 = try #require(byId["<t2@home.example>"])
        #expect(t1.conversationKey == "t1@home.example")
        #expect(t2.conversationKey == t1.conversationKey)       // `Fwd:` subject, same customer, within 14 days
        #expect(m1.provenance == "file:support.mbox#L1")
        #expect(m1.occurredAt == Date(timeIntervalSince1970: 1795420800))
    }

    @Test("importing the same mbox twice stores nothing new")
    func mboxIdempotent() async throws {
        let harness = ConnectorHarness(context: Self.context)
        try await harness.importFiles(try Self.mbox(name: "s"), source: "s", [try Fixture.url("support.mbox")])
        let again = try await harness.importFiles(try Self.mbox(name: "s"), source: "s", [try Fixture.url("support.mbox")])
        #expect(again.stored == 0)
        #expect(again.duplicates == 6)
    }

    @Test("Maildir (with .Sent) after mbox of the same mail stores nothing twice; Sent mail is outbound")
    func maildirAfterMbox() async throws {
        let harness = ConnectorHarness(context: Self.context)
        let maildir = try MaildirImporter(name: "s", settings: .init(path: nil, supportAddresses: nil), context: Self.context)
        let first = try await harness.importFiles(maildir, source: "s", [try Fixture.url("maildir")])
        #expect(first.stored == 6)
        let stored = await harness.stored()
        let sent = stored.filter { $0.provenance.hasPrefix("file:Sent/") }
        #expect(sent.count == 2)
        #expect(sent.allSatisfy { $0.direction == .outbound && $0.actorRole != .customer })
        let second = try await harness.importFiles(try Self.mbox(name: "s"), source: "s", [try Fixture.url("support.mbox")])
        #expect(second.stored == 0)
        #expect(second.duplicates == 6)
    }

    @Test("malformed files: stored with what could be read, or dead-lettered with file and reason")
    func malformed() async throws {
        let harness = ConnectorHarness(context: Self.context)
        let maildir = try MaildirImporter(name: "s", settings: .init(path: nil, supportAddresses: ["switchboard-demo.example"]),
                                          context: Self.context)
        let names = ["broken-boundary.eml", "bad-base64.eml", "8bit-nodate.eml", "not-an-email.eml", "koi8r.eml", "cp1251-multipart.eml"]
        let summary = try await harness.importFiles(maildir, source: "s", try names.map(Fixture.url))
        #expect(summary.stored == 5)
        #expect(summary.deadLetters == 1)
        let dead = await harness.deadLetters()
        #expect(dead.first?.reason.contains("not-an-email.eml: not an e-mail") == true)
        let stored = await harness.stored()
        let eightBit = try #require(stored.first { $0.externalId.hasPrefix("<eightbit-6@") })
        #expect(eightBit.subject == "Не работает вход")
        #expect(eightBit.occurredAt.timeIntervalSince1970 > 1_600_000_000)   // file time stands in for the missing Date
        let koi = try #require(stored.first { $0.externalId.hasPrefix("<koi8-1@") })
        #expect(koi.subject == "Не приходит счёт за ноябрь")
        let reply = try #require(stored.first { $0.externalId.hasPrefix("<cp1251-2@") })
        #expect(reply.direction == .outbound && reply.customerKey == "ivan@client.example")
        #expect(reply.text == "Добрый день!\nДеньги вернутся в течение 3 дней.")
        #expect(reply.attachments == 1)
    }
}
