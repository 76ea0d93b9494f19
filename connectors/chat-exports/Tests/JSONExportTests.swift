import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import ChatExportConnectors

@Suite("telegram-export")
struct TelegramExportTests {
    @Test("real single-chat sample: 2 messages, string and entity-array text, date_unixtime")
    func single() async throws {
        let r = try await ImportRun.run(TelegramImporter.self, [Samples.real("telegram/single_export.json")])
        #expect(r.deadLetters.isEmpty)
        try #require(r.stored.count == 2)
        #expect(r.authors == ["Author 1", "Author 2"])
        #expect(r.stored.map(\.text) == ["Minimal Message", "Link:https://telegram.org/"])
        #expect(r.first == Samples.date("2018-12-05T10:39:10Z"))
        #expect(r.last == Samples.date("2018-12-05T10:49:24Z"))
        #expect(r.stored.allSatisfy { $0.platform == "telegram" && $0.channel == .chat })
    }

    @Test("real whole-account sample (chats.list): the same messages in chat Chatname")
    func batch() async throws {
        let r = try await ImportRun.run(TelegramImporter.self, [Samples.real("telegram/batch_export.json")])
        #expect(r.deadLetters.isEmpty)
        #expect(r.stored.count == 2)
        #expect(r.authors == ["Author 1", "Author 2"])
        #expect(r.stored.allSatisfy { $0.conversationKey.hasPrefix("telegram:Chatname#") })
        #expect(r.first == Samples.date("2018-12-05T10:39:10Z"))
        #expect(r.last == Samples.date("2018-12-05T10:49:24Z"))
    }

    @Test("personal chat fixture: service message, entity array, from_id keys, reply kept, bad messages rejected")
    func personal() async throws {
        let r = try await ImportRun.run(TelegramImporter.self, [try Samples.fixture("telegram_personal.json")])
        try #require(r.stored.count == 5)
        #expect(r.deadLetters.count == 2)
        #expect(r.deadLetters.contains { $0.reason.contains("messages/5") && $0.reason.contains("date_unixtime") })
        #expect(r.stored.map(\.actorRole) == [.system, .customer, .customer, .agent, .customer])
        #expect(r.stored[1].text == "Hello! The Pro plan invoice https://acme.example/inv/77 is wrong")
        #expect(r.stored[1].customerKey == "telegram:4815162342")
        #expect(r.stored[2].attachments == 1)
        #expect(r.stored[3].provenance.hasSuffix("&message=104&reply_to=102"))
        #expect(r.stored[3].externalId == "telegram:4815162342|104")
        #expect(r.stored[1].occurredAt == Samples.date("2024-03-15T12:01:00Z"))
        // Five days of silence: a new conversation.
        #expect(Set(r.stored.map(\.conversationKey)).count == 2)
    }

    @Test("agents by Telegram user id through the global handles")
    func handles() async throws {
        let context = ConnectorContext(timeZone: Samples.utc,
                                       agents: AgentDirectory([Agent(id: "olga-is-staff", handles: ["telegram": "4815162342"])]))
        let r = try await ImportRun.run(TelegramImporter.self, [try Samples.fixture("telegram_personal.json")], context: context)
        #expect(r.stored[1].actorRole == .agent && r.stored[1].actorId == "olga-is-staff")
    }

    @Test("truncated JSON, random bytes and an empty file each give one clear dead letter")
    func badFiles() async throws {
        let whole = try Data(contentsOf: Samples.real("telegram/single_export.json"))
        let truncated = try Samples.temporaryFile("truncated.json", whole.prefix(200))
        let t = try await ImportRun.run(TelegramImporter.self, [truncated])
        #expect(t.stored.isEmpty)
        #expect(t.deadLetters.map(\.reason).first?.contains("truncated.json: the file is truncated") == true)

        let noise = try Samples.temporaryFile("noise.json", Data((0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }))
        let n = try await ImportRun.run(TelegramImporter.self, [noise])
        #expect(n.stored.isEmpty && n.deadLetters.count == 1)
        #expect(n.deadLetters[0].reason.contains("noise.json"))

        let empty = try Samples.temporaryFile("empty.json", Data())
        let e = try await ImportRun.run(TelegramImporter.self, [empty])
        #expect(e.deadLetters.map(\.reason) == ["empty.json: the file is empty; export the chat again"])
    }
}

@Suite("slack-export")
struct SlackExportTests {
    @Test("real workspace export zip: 158 messages in 2 channels, bots, joins, 4 people")
    func realZip() async throws {
        let r = try await ImportRun.run(SlackImporter.self, [Samples.real("slack/export.zip")])
        #expect(r.deadLetters.isEmpty)
        #expect(r.stored.count == 158)
        #expect(r.stored.filter { $0.actorRole == .bot }.count == 94)
        #expect(r.system.count == 11)
        #expect(r.authors.isSuperset(of: ["Hamza Faran", "Harry Potter", "Hermione Granger", "heroeshannibal"]))
        #expect(r.stored.filter { $0.actorRole == .customer }.count == 53)
        #expect(Set(r.stored.compactMap { $0.conversationKey.split(separator: "#").first }) == ["slack:C0JGLMMNX", "slack:C0JL6CGQ2"])
        #expect(r.first == Samples.date("2016-01-15T05:55:18Z"))
        #expect(r.last == Samples.date("2016-03-29T12:33:06Z"))
        #expect(r.stored.reduce(0) { $0 + $1.attachments } == 4)
        #expect(r.stored.first { $0.actorRole == .customer }?.customerKey?.hasPrefix("slack:U0") == true)
        #expect(ConnectorCompliance.problems(in: r.stored, source: "chat").isEmpty)
    }

    @Test("unpacked folder: thread is one conversation with a bot reply; edits are not new messages")
    func threadFolder() async throws {
        let context = ConnectorContext(timeZone: Samples.utc,
                                       agents: AgentDirectory([Agent(id: "anna", handles: ["slack": "U02AGNT"])]))
        let r = try await ImportRun.run(SlackImporter.self, [try Samples.fixture("slack-thread")], context: context)
        #expect(r.deadLetters.count == 1, "\(r.deadLetters.map(\.reason))")   // the message without ts
        try #require(r.stored.count == 7)
        let thread = r.stored.filter { $0.conversationKey == "slack:C0SUPPORT:thread:1710497000.000200" }
        #expect(thread.map(\.actorRole) == [.customer, .bot, .agent, .customer])
        #expect(thread[0].text == "Our SSO login fails since this morning")
        #expect(thread[2].actorId == "anna")
        #expect(thread[3].attachments == 1)
        #expect(thread[1].actorName == "Help Bot" && thread[1].direction == .outbound)
        #expect(r.system.map(\.text) == ["<@U01CUST> has joined the channel", "<@U01CUST> has left the channel"])
        #expect(!r.stored.contains { $0.text == "Our SSO login fails since this morning!" })
        let loose = try #require(r.stored.first { $0.text == "Unrelated: where are the invoices?" })
        #expect(loose.conversationKey.hasPrefix("slack:C0SUPPORT#"))
        #expect(loose.externalId == "slack:C0SUPPORT|1710500000.000700")
    }
}

@Suite("discord-export and messenger-export")
struct DiscordMessengerTests {
    @Test("Discord: reply kept, bot flagged, join is system, offsets honoured")
    func discord() async throws {
        let r = try await ImportRun.run(DiscordImporter.self, [try Samples.fixture("discord_support.json")],
                                        yaml: "agents: [\"5002\"]")
        #expect(r.deadLetters.isEmpty)
        try #require(r.stored.count == 4)
        #expect(r.stored.map(\.actorRole) == [.system, .customer, .agent, .bot])
        #expect(r.stored[1].attachments == 1)
        #expect(r.stored[1].customerKey == "discord:5001")
        #expect(r.stored[2].provenance.hasSuffix("&message=9003&reply_to=9002"))
        #expect(r.stored[2].occurredAt == Samples.date("2024-03-15T12:31:10Z"))
        #expect(r.stored[1].occurredAt == Samples.date("2024-03-15T12:01:10.123Z"))
        #expect(r.stored[2].actorName == "Anna (Support)")
    }

    @Test("Messenger: mojibake repaired, newest-first put in order, title is the customer in a two-person thread")
    func messenger() async throws {
        let r = try await ImportRun.run(MessengerImporter.self, [try Samples.fixture("messenger_message_1.json")])
        #expect(r.deadLetters.isEmpty)
        try #require(r.stored.count == 3)
        #expect(r.stored.map(\.actorName) == ["Renée Müller", "Renée Müller", "Acme Support"])
        #expect(r.stored.map(\.actorRole) == [.customer, .customer, .agent])
        #expect(r.stored[0].text == "Bonjour, ma commande n'est pas arrivée 😕")
        #expect(r.stored[2].text == "Bonjour Renée, c'est réglé ✅")
        #expect(r.stored[1].attachments == 1)
        #expect(r.stored[0].customerKey == "facebook:Renée Müller")
        #expect(r.stored.map(\.occurredAt) == r.stored.map(\.occurredAt).sorted())
        let insta = try await ImportRun.run(MessengerImporter.self, [try Samples.fixture("messenger_message_1.json")],
                                            yaml: "platform: instagram")
        #expect(insta.stored.allSatisfy { $0.platform == "instagram" })
    }

    @Test("repair leaves correct text alone")
    func repairIdempotent() {
        #expect(MessengerImporter.repair("Ð\u{98}Ð²Ð°Ð½") == "Иван")
        #expect(MessengerImporter.repair("Иван") == "Иван")
        #expect(MessengerImporter.repair("plain") == "plain")
        #expect(MessengerImporter.repair("café") == "café")   // é alone is not valid UTF-8 as a byte
    }
}
