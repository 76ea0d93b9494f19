import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import ChatExportConnectors

/// Native topics of chat exports: channel and group names, never a person's name.
@Suite("chat-export topics")
struct ChatExportTopicsTests {
    /// Topics by conversation key prefix (the chat id), each chat's messages sharing one value.
    func topicsByChat(_ r: ImportRun) -> [String: Set<[String]>] {
        var out: [String: Set<[String]>] = [:]
        for i in r.stored {
            let chat = String(i.conversationKey.split(separator: "#").first ?? "")
            let key = chat.contains(":thread:") ? String(chat.prefix(upTo: chat.range(of: ":thread:")!.lowerBound)) : chat
            out[key, default: []].insert(i.topics)
        }
        return out
    }

    // MARK: Slack

    @Test("Slack real export: every message of a channel has the channel's name as topic")
    func slackRealChannels() async throws {
        let r = try await ImportRun.run(SlackImporter.self, [Samples.real("slack/export.zip")])
        #expect(r.stored.count == 158)
        #expect(topicsByChat(r) == ["slack:C0JGLMMNX": [["enrique"]], "slack:C0JL6CGQ2": [["traveling-sailor"]]])
    }

    @Test("Slack folder fixture: thread replies and loose messages share the channel topic")
    func slackThreadFolder() async throws {
        let r = try await ImportRun.run(SlackImporter.self, [try Samples.fixture("slack-thread")])
        #expect(!r.stored.isEmpty)
        #expect(r.stored.allSatisfy { $0.topics == ["support"] })
    }

    @Test("Slack DMs and group DMs (listed or named like one) give no topic; an unlisted channel folder its name")
    func slackDirectMessages() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("slack-dm-\(UUID().uuidString)")
        func write(_ path: String, _ text: String) throws {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let day = #"[{"type":"message","user":"U01CUST","text":"hi","ts":"1710497000.000100"}]"#
        try write("users.json", #"[{"id":"U01CUST","name":"cust","real_name":"Carla Customer"}]"#)
        try write("channels.json", #"[{"id":"C0SUPPORT","name":"support"}]"#)
        try write("dms.json", #"[{"id":"D0LISTED","members":["U01CUST","U02AGNT"]}]"#)
        try write("mpims.json", #"[{"id":"G0MPIM","name":"mpdm-cust--anna--boris-1"}]"#)
        for folder in ["support", "D0LISTED", "mpdm-cust--anna--boris-1", "D0UNLISTED", "mpdm-x--y-1", "billing"] {
            try write("\(folder)/2024-03-15.json", day)
        }
        defer { try? FileManager.default.removeItem(at: root) }
        let r = try await ImportRun.run(SlackImporter.self, [root])
        #expect(r.deadLetters.isEmpty)
        #expect(topicsByChat(r) == [
            "slack:C0SUPPORT": [["support"]], "slack:billing": [["billing"]],
            "slack:D0LISTED": [[]], "slack:G0MPIM": [[]], "slack:D0UNLISTED": [[]], "slack:mpdm-x--y-1": [[]],
        ])
    }

    // MARK: Telegram

    @Test("Telegram forum supergroup: the title on every message, the forum topic on the messages linked to it")
    func telegramForum() async throws {
        let r = try await ImportRun.run(TelegramImporter.self, [try Samples.fixture("telegram_forum.json")])
        #expect(r.deadLetters.isEmpty)
        let byMessage = Dictionary(uniqueKeysWithValues: r.stored.map { ($0.externalId, $0.topics) })
        #expect(byMessage == [
            "telegram:2231908877|1": ["Acme Help Desk"],
            "telegram:2231908877|2": ["Acme Help Desk", "Billing"],
            "telegram:2231908877|3": ["Acme Help Desk", "Billing"],
            "telegram:2231908877|4": ["Acme Help Desk", "Billing"],   // a reply to a message in the topic
            "telegram:2231908877|5": ["Acme Help Desk"],              // the General topic: not named
            "telegram:2231908877|6": ["Acme Help Desk", "Returns"],
            "telegram:2231908877|7": ["Acme Help Desk", "Returns"],
        ])
    }

    @Test("Telegram personal chats and chats without a type give no topic")
    func telegramPrivate() async throws {
        let personal = try await ImportRun.run(TelegramImporter.self, [try Samples.fixture("telegram_personal.json")])
        #expect(!personal.stored.isEmpty && personal.stored.allSatisfy(\.topics.isEmpty))
        // The real whole-account sample names its chat but gives no type: not known to be a group.
        let untyped = try await ImportRun.run(TelegramImporter.self, [Samples.real("telegram/batch_export.json")])
        #expect(!untyped.stored.isEmpty && untyped.stored.allSatisfy(\.topics.isEmpty))
    }

    // MARK: WhatsApp

    @Test("WhatsApp group named by the export file: the group name is the topic")
    func whatsAppGroup() async throws {
        let r = try await ImportRun.run(WhatsAppImporter.self, [try Samples.fixture("WhatsApp Chat with Acme Returns.txt")],
                                        yaml: "agents: [\"Anna (Support)\"]")
        #expect(r.deadLetters.isEmpty)
        try #require(r.stored.count == 7)
        #expect(r.stored.allSatisfy { $0.topics == ["Acme Returns"] })
        #expect(r.messages.filter { $0.actorRole == .customer }.count == 3)
    }

    @Test("WhatsApp one-to-one chats give no topic: the name in the file is a person (or the business)")
    func whatsAppOneToOne() async throws {
        let zip = try await ImportRun.run(WhatsAppImporter.self, [try Samples.fixture("WhatsApp Chat - Ivan Petrov.zip")])
        #expect(!zip.stored.isEmpty && zip.stored.allSatisfy(\.topics.isEmpty))
        // The customer's own export names the business; agents listed or not, still one customer.
        for yaml in ["", "agents: [\"Acme Support\"]"] {
            let txt = try await ImportRun.run(WhatsAppImporter.self, [try Samples.fixture("WhatsApp Chat - Acme Support.txt")],
                                              yaml: yaml)
            #expect(!txt.stored.isEmpty && txt.stored.allSatisfy(\.topics.isEmpty))
        }
    }

    @Test("WhatsApp files not named by WhatsApp give no topic, even for a group")
    func whatsAppUnnamed() async throws {
        let r = try await ImportRun.run(WhatsAppImporter.self, [try Samples.fixture("android_group_ru.txt")])
        #expect(!r.stored.isEmpty && r.stored.allSatisfy(\.topics.isEmpty))
        let real = try await ImportRun.run(WhatsAppImporter.self, [Samples.real("whatsapp/test_dateformat1.txt")])
        #expect(!real.stored.isEmpty && real.stored.allSatisfy(\.topics.isEmpty))
    }

    @Test("groupName counts authors besides agents, You and the named partner")
    func groupNameRule() {
        let roles = RoleResolver(platform: "whatsapp", directory: AgentDirectory([]), agents: ["Anna"], customer: nil,
                                 defaultCountry: nil)
        #expect(WhatsAppImporter.groupName("Acme", authors: ["Ivan", "Olga", "Anna"], roles: roles) == "Acme")
        #expect(WhatsAppImporter.groupName("Acme", authors: ["Ivan", "Anna", "You"], roles: roles) == nil)
        #expect(WhatsAppImporter.groupName("Ivan", authors: ["Ivan", "Boris"], roles: roles) == nil)
        #expect(WhatsAppImporter.groupName("ivan", authors: ["Ivan", "Boris", "Olga"], roles: roles) == "ivan")
    }

    // MARK: Discord, Messenger

    @Test("Discord: a server channel's name is the topic, a DM gives none")
    func discord() async throws {
        let url = try Samples.fixture("discord_support.json")
        let r = try await ImportRun.run(DiscordImporter.self, [url])
        #expect(!r.stored.isEmpty && r.stored.allSatisfy { $0.topics == ["support"] })
        var text = try String(contentsOf: url, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"GuildTextChat\"", with: "\"DirectTextChat\"")
        let dm = try await ImportRun.run(DiscordImporter.self, [try Samples.temporaryFile("dm.json", Data(text.utf8))])
        #expect(!dm.stored.isEmpty && dm.stored.allSatisfy(\.topics.isEmpty))
    }

    @Test("Messenger: a two-person thread gives no topic, a group thread its title")
    func messenger() async throws {
        let url = try Samples.fixture("messenger_message_1.json")
        let pair = try await ImportRun.run(MessengerImporter.self, [url])
        #expect(!pair.stored.isEmpty && pair.stored.allSatisfy(\.topics.isEmpty))
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        json["participants"] = [["name": "Ren\u{00C3}\u{00A9}e M\u{00C3}\u{00BC}ller"], ["name": "Acme Support"], ["name": "Boris"]]
        json["title"] = "Acme VIP \u{00E2}\u{009C}\u{0085}"   // mojibake of "Acme VIP ✅", repaired
        let group = try Samples.temporaryFile("message_1.json", try JSONSerialization.data(withJSONObject: json))
        let r = try await ImportRun.run(MessengerImporter.self, [group])
        #expect(!r.stored.isEmpty && r.stored.allSatisfy { $0.topics == ["Acme VIP ✅"] })
    }
}
