import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SwitchboardCore
import SwitchboardServer
import SwitchboardTesting
import Testing
@testable import WebhookConnectors

/// Native topics of webhook deliveries: golden values per kind, decoded straight from the fixtures
/// (the connector's own output, before any store normalises it), and the settings' config errors.
@Suite struct WebhookTopicsTests {
    static let metaYAML = """
        app_secret: 8a1c0e6f4b2d9e7a3c5f1b0d2e4a6c8e
        verify_token: hub-verify-42
        """

    func decode(_ source: some WebhookDeliveryDecoding, _ fixture: String, headers: [String: String] = [:]) throws -> WebhookDelivery {
        try source.decodeDelivery(WebhookRequest(method: "POST", path: "/webhooks/t", headers: headers,
                                                 body: try Kit.fixture(fixture)))
    }

    func only(_ source: some WebhookDeliveryDecoding, _ fixture: String, headers: [String: String] = [:]) throws -> Interaction {
        let delivery = try decode(source, fixture, headers: headers)
        #expect(delivery.rejected.isEmpty)
        try #require(delivery.interactions.count == 1)
        return delivery.interactions[0]
    }

    func configProblem<C: Connector>(_ type: C.Type, _ yaml: String) -> String? {
        do {
            _ = try C(name: "t", settings: try ConnectorHarness.settings(for: type, yaml: yaml), context: Kit.context)
            return nil
        } catch let e as ConnectorError {
            #expect(e.code == .settings)
            return e.message
        } catch {
            return "\(error)"
        }
    }

    // MARK: Telegram

    @Test func telegramGroupTitleIsTheTopic() throws {
        let tg = try Kit.make(TelegramWebhook.self, name: "tg", yaml: "secret_token: s")
        let i = try only(tg, "telegram-group.json")
        #expect(i.topics == ["Acme Partners Support"])   // normal form: one space for the tab and the double space
        #expect(i.conversationKey == "telegram:-1001873645120")
    }

    @Test func telegramForumMessageGetsTitleAndTopicName() throws {
        let tg = try Kit.make(TelegramWebhook.self, name: "tg", yaml: "secret_token: s")
        #expect(try only(tg, "telegram-forum.json").topics == ["Acme Help Desk", "Billing"])
        // A reply to another message of the topic does not name the topic: the title only.
        #expect(try only(tg, "telegram-forum-reply.json").topics == ["Acme Help Desk"])
    }

    @Test func telegramPrivateChatHasNoTopic() throws {
        let tg = try Kit.make(TelegramWebhook.self, name: "tg", yaml: "secret_token: s")
        #expect(try only(tg, "telegram-update.json").topics == [])
    }

    @Test func telegramForumTopicNameFromTheServiceMessageItself() throws {
        let created = JSONValue.object([
            ("chat", .object([("id", .number(-100)), ("title", .string("Help")), ("type", .string("supergroup"))])),
            ("forum_topic_created", .object([("name", .string("Returns"))])), ("is_topic_message", .bool(true)),
        ])
        #expect(TelegramWebhook.topics(created) == ["Help", "Returns"])
        // A private chat never has topics, whatever it carries.
        let privateChat = JSONValue.object([
            ("chat", .object([("id", .number(7)), ("title", .string("x")), ("type", .string("private"))])),
            ("forum_topic_created", .object([("name", .string("Returns"))])),
        ])
        #expect(TelegramWebhook.topics(privateChat) == [])
    }

    @Test func telegramForumTopicThroughTheServer() async throws {
        let store = InMemoryStore()
        let tg = try Kit.make(TelegramWebhook.self, name: "tg", yaml: "secret_token: s")
        try await Kit.live(["tg": tg], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let auth = Kit.headers(["x-telegram-bot-api-secret-token": "s", "content-type": "application/json"])
            #expect(try await client.postStatus("/webhooks/tg", try Kit.fixture("telegram-forum.json"), auth) == .ok)
        }
        #expect(await store.interactions.map(\.topics) == [["Acme Help Desk", "Billing"]])
    }

    // MARK: Meta

    @Test func whatsAppUnmappedNumberIsItsOwnTopic() throws {
        let meta = try Kit.make(MetaWebhook.self, name: "meta", yaml: Self.metaYAML)
        #expect(try only(meta, "whatsapp-message.json").topics == ["15550783881"])
    }

    @Test func whatsAppMappedNumberGivesTheMappedTopic() throws {
        // The display number written as a person would: compared by digits.
        let byDisplay = try Kit.make(MetaWebhook.self, name: "meta", yaml: Self.metaYAML + """

            topics: {"+1 555-078-3881": " Sales  line "}
            """)
        #expect(try only(byDisplay, "whatsapp-message.json").topics == ["Sales line"])
        let byId = try Kit.make(MetaWebhook.self, name: "meta", yaml: Self.metaYAML + """

            topics: {"106540352242922": sales, "15550783881": ignored-when-the-id-is-mapped}
            """)
        #expect(try only(byId, "whatsapp-message.json").topics == ["sales"])
    }

    @Test func messengerPageGivesATopicOnlyWhenMapped() throws {
        let plain = try Kit.make(MetaWebhook.self, name: "meta", yaml: Self.metaYAML)
        #expect(try only(plain, "messenger-message.json").topics == [])
        let mapped = try Kit.make(MetaWebhook.self, name: "meta", yaml: Self.metaYAML + """

            topics: {"104882915872119": shop, "17841405309211844": instagram-shop}
            """)
        #expect(try only(mapped, "messenger-message.json").topics == ["shop"])
        let echoes = try decode(mapped, "messenger-echo.json").interactions
        #expect(!echoes.isEmpty && echoes.allSatisfy { $0.topics == ["shop"] })
        let insta = try decode(mapped, "instagram-message.json")
        #expect(insta.interactions.map(\.topics) == [["instagram-shop"]])
    }

    @Test func metaBadTopicsAreConfigErrorsNamingTheKey() throws {
        let empty = configProblem(MetaWebhook.self, Self.metaYAML + "\ntopics: {\"104882915872119\": \"  \"}")
        #expect(empty?.contains("`topics.104882915872119`") == true)
        let noId = configProblem(MetaWebhook.self, Self.metaYAML + "\ntopics: {\"\": shop}")
        #expect(noId?.contains("`topics`") == true)
    }

    /// A `meta` source whose `topics:` setting is the YAML `topics`, made through the config loader and the registry.
    func metaThroughTheConfig(topics: String) throws -> MetaWebhook {
        let registry = ConnectorRegistry([MetaWebhook.self])
        let config = try ConfigLoader(registry: registry, environment: [:]).load(yaml: """
            connectors:
              - name: meta
                kind: meta
                app_secret: x
                verify_token: y
                topics: \(topics)
            """, file: URL(fileURLWithPath: "/tmp/switchboard.yaml"))
        let entry = try #require(config.connectors.first)
        return try #require(try registry.make(entry, context: Kit.context, file: "switchboard.yaml") as? MetaWebhook)
    }

    @Test func metaTopicsOfTheWrongShapeIsAConfigProblemAtTheKey() throws {
        #expect {
            _ = try metaThroughTheConfig(topics: "[shop]")
        } throws: { error in
            (error as? ConfigError)?.problems.contains { $0.keyPath == "connectors[0].topics" } == true
        }
    }

    @Test func metaTopicsThroughTheConfigLoader() throws {
        let meta = try metaThroughTheConfig(topics: #"{104882915872119: shop, "+1 555-078-3881": sales-line}"#)
        #expect(try only(meta, "messenger-message.json").topics == ["shop"])
        #expect(try only(meta, "whatsapp-message.json").topics == ["sales-line"])
    }

    @Test func quotedAndPlainNumericIdsReadAlike() throws {
        let meta = try metaThroughTheConfig(topics: #"{"104882915872119": shop, 104882915872120: other}"#)
        #expect(meta.topics.topics("104882915872119") == ["shop"] && meta.topics.topics("104882915872120") == ["other"])
    }

    // MARK: Slack

    func slack(_ extra: String = "") throws -> SlackWebhook {
        try Kit.make(SlackWebhook.self, name: "slack", yaml: "signing_secret: s3cr3t\n" + extra)
    }

    @Test func slackChannelNameComesFromTheChannelsSetting() throws {
        #expect(try only(slack(), "slack-message.json").topics == [])
        let named = try slack("channels: {C024BE91L: \"#support\", C0OTHER: billing}")
        #expect(try only(named, "slack-message.json").topics == ["support"])
        #expect(try only(named, "slack-dm.json").topics == [])
    }

    @Test func slackDirectMessageIdOrEmptyNameIsAConfigError() {
        let dm = configProblem(SlackWebhook.self, "signing_secret: s\nchannels: {D0PNCRP9N: alice}")
        #expect(dm?.contains("`channels.D0PNCRP9N`") == true)
        let blank = configProblem(SlackWebhook.self, "signing_secret: s\nchannels: {C024BE91L: \"#\"}")
        #expect(blank?.contains("`channels.C024BE91L`") == true)
    }

    // MARK: Standard Webhooks

    static let helpdeskYAML = """
        secret: "\(StandardWebhookTests.newKey)"
        mapping:
          conversationKey: /data/ticket_id
          externalId: /data/message_id
          occurredAt: /timestamp
          text: /data/body
        """

    @Test func standardWebhooksTopicsPointerToAnArray() throws {
        let hook = try Kit.make(StandardWebhook.self, name: "hd", yaml: Self.helpdeskYAML + "\n  topics: /data/tags")
        let i = try only(hook, "helpdesk-tagged.json", headers: ["webhook-id": "msg_t1"])
        #expect(i.topics == ["1C export", "integrations"])   // trimmed, deduplicated, null skipped, sorted
    }

    @Test func standardWebhooksTopicsPointerToAString() throws {
        let hook = try Kit.make(StandardWebhook.self, name: "hd", yaml: Self.helpdeskYAML + "\n  topics: /data/queue")
        #expect(try only(hook, "helpdesk-tagged.json").topics == ["Tier 2"])
        // Nothing at the pointer: no topics; a constant: that topic.
        let missing = try Kit.make(StandardWebhook.self, name: "hd", yaml: Self.helpdeskYAML + "\n  topics: /data/labels")
        #expect(try only(missing, "helpdesk-tagged.json").topics == [])
        let constant = try Kit.make(StandardWebhook.self, name: "hd", yaml: Self.helpdeskYAML + "\n  topics: helpdesk")
        #expect(try only(constant, "helpdesk-tagged.json").topics == ["helpdesk"])
        let none = try Kit.make(StandardWebhook.self, name: "hd", yaml: Self.helpdeskYAML)
        #expect(try only(none, "helpdesk-tagged.json").topics == [])
    }

    @Test func standardWebhooksTopicsPointerToAnObjectIsAFormatError() throws {
        let hook = try Kit.make(StandardWebhook.self, name: "hd", yaml: Self.helpdeskYAML + "\n  topics: /data/author")
        #expect {
            _ = try decode(hook, "helpdesk-tagged.json")
        } throws: { error in
            (error as? ConnectorError)?.message.contains("mapping.topics (/data/author)") == true
        }
    }

    @Test func standardWebhooksEmptyTopicsConstantIsAConfigError() {
        let problem = configProblem(StandardWebhook.self, Self.helpdeskYAML + "\n  topics: \" \"")
        #expect(problem?.contains("`mapping.topics`") == true)
        let inEvent = configProblem(StandardWebhook.self, """
            secret: "\(StandardWebhookTests.newKey)"
            event_type: /type
            mapping: {conversationKey: /data/ticket_id}
            events:
              ticket.message_created: {topics: ""}
            """)
        #expect(inEvent?.contains("`events.ticket.message_created.topics`") == true)
    }

    @Test func standardWebhooksTopicsThroughTheServer() async throws {
        let store = InMemoryStore()
        let hook = try Kit.make(StandardWebhook.self, name: "hd", yaml: Self.helpdeskYAML + "\n  topics: /data/tags")
        try await Kit.live(["hd": hook], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let body = try Kit.fixture("helpdesk-tagged.json")
            let headers = Kit.standardHeaders(id: "msg_t9", body: body, key: StandardWebhookTests.newKey)
            #expect(try await client.postStatus("/webhooks/hd", body, headers) == .ok)
        }
        #expect(await store.interactions.map(\.topics) == [["1C export", "integrations"]])
    }

    // MARK: Kinds without topics

    @Test func vkAndXGiveNoTopics() throws {
        let vk = try Kit.make(VKWebhook.self, name: "vk", yaml: "secret: s\nconfirmation: c")
        #expect(try decode(vk, "vk-message-new.json").interactions.allSatisfy(\.topics.isEmpty))
        let x = try Kit.make(XWebhook.self, name: "x", yaml: "consumer_secret: s")
        #expect(try decode(x, "x-direct-message.json").interactions.allSatisfy(\.topics.isEmpty))
    }
}
