import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SwitchboardCore
import SwitchboardServer
import SwitchboardTesting
import Testing
@testable import WebhookConnectors

@Suite struct TelegramWebhookTests {
    let token = "tg-Secret_7f3a9c"

    func source() throws -> TelegramWebhook {
        try Kit.make(TelegramWebhook.self, name: "tg-bot", yaml: "secret_token: \(token)\nbot_id: \"6011223344\"")
    }

    func auth(_ value: String? = nil) -> HTTPFields {
        Kit.headers(["x-telegram-bot-api-secret-token": value ?? token, "content-type": "application/json"])
    }

    @Test func validUpdateIsStoredAsCustomerMessage() async throws {
        let store = InMemoryStore()
        try await Kit.live(["tg-bot": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let r = try await client.post("/webhooks/tg-bot", try Kit.fixture("telegram-update.json"), auth())
            #expect(r.status == .ok)
        }
        let stored = await store.interactions
        let i = try #require(stored.first)
        #expect(stored.count == 1)
        #expect(i.externalId == "871263401")
        #expect(i.platform == "telegram" && i.channel == .chat)
        #expect(i.conversationKey == "telegram:402918273")
        #expect(i.actorRole == .customer && i.direction == .inbound)
        #expect(i.customerKey == "telegram:402918273")
        #expect(i.actorName == "Ivan Petrov")
        #expect(i.occurredAt == Date(timeIntervalSince1970: 1764003000))
        #expect(i.text == "Добрый день! Не могу войти в личный кабинет")
        #expect(i.provenance.hasPrefix("webhook:tg-bot@"))
    }

    @Test func wrongOrMissingSecretIs401AndNothingStored() async throws {
        let store = InMemoryStore()
        try await Kit.live(["tg-bot": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let body = try Kit.fixture("telegram-update.json")
            let wrong = try await client.post("/webhooks/tg-bot", body, auth("tg-Secret_7f3a9d"))
            #expect(wrong.status == .unauthorized)
            #expect(!Kit.text(wrong).contains("secret"))
            let missing = try await client.post("/webhooks/tg-bot", body, Kit.headers(["content-type": "application/json"]))
            #expect(missing.status == .unauthorized)
        }
        #expect(await store.interactions.isEmpty)
        #expect(await store.deadLetterList.isEmpty)
    }

    @Test func replayedUpdateIsStoredOnce() async throws {
        let store = InMemoryStore()
        try await Kit.live(["tg-bot": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let body = try Kit.fixture("telegram-update.json")
            for _ in 0..<3 { #expect(try await client.postStatus("/webhooks/tg-bot", body, auth()) == .ok) }
        }
        #expect(await store.interactions.count == 1)
    }

    @Test func agentsAndBotsAreTheBusinessSide() async throws {
        let store = InMemoryStore()
        try await Kit.live(["tg-bot": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            for f in ["telegram-agent.json", "telegram-bot.json"] {
                #expect(try await client.postStatus("/webhooks/tg-bot", try Kit.fixture(f), auth()) == .ok)
            }
        }
        let byId = Dictionary(uniqueKeysWithValues: await store.interactions.map { ($0.externalId, $0) })
        #expect(byId["871263402"]?.actorRole == .agent)
        #expect(byId["871263402"]?.actorId == "anna")
        #expect(byId["871263402"]?.direction == .outbound)
        #expect(byId["871263403"]?.actorRole == .bot)
        #expect(byId["871263403"]?.customerKey == nil)
    }

    @Test func otherUpdateTypesAreAcknowledgedNotStored() async throws {
        let store = InMemoryStore()
        try await Kit.live(["tg-bot": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            #expect(try await client.postStatus("/webhooks/tg-bot", try Kit.fixture("telegram-callback.json"), auth()) == .ok)
            let metrics = Kit.text(try await client.get("/metrics"))
            #expect(metrics.contains(#"switchboard_webhook_ignored_total{source="tg-bot",event="telegram.callback_query"} 1"#))
        }
        #expect(await store.interactions.isEmpty)
        #expect(await store.deadLetterList.isEmpty)
    }

    @Test func noHandshakeOnGet() async throws {
        try await Kit.live(["tg-bot": try source()]) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            #expect(try await client.getStatus("/webhooks/tg-bot") == .badRequest)
        }
    }

    @Test func missingSecretIsAConfigError() throws {
        #expect(throws: ConnectorError.self) { try Kit.make(TelegramWebhook.self, name: "tg", yaml: "secret_token: \"\"") }
    }
}
