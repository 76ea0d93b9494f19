import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SwitchboardCore
import SwitchboardServer
import SwitchboardTesting
import Testing
@testable import WebhookConnectors

@Suite struct MetaWebhookTests {
    let secret = "8a1c0e6f4b2d9e7a3c5f1b0d2e4a6c8e"

    func source() throws -> MetaWebhook {
        try Kit.make(MetaWebhook.self, name: "meta", yaml: """
            app_secret: \(secret)
            verify_token: hub-verify-42
            bot_app_ids: ["1517230848341567"]
            """)
    }

    func signed(_ body: Data, secret: String? = nil) -> HTTPFields {
        Kit.headers(["x-hub-signature-256": "sha256=" + Kit.hex(Kit.hmac(Data((secret ?? self.secret).utf8), body)),
                     "content-type": "application/json"])
    }

    func deliver(_ fixtures: [String], store: InMemoryStore) async throws {
        try await Kit.live(["meta": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            for f in fixtures {
                let body = try Kit.fixture(f)
                #expect(try await client.postStatus("/webhooks/meta", body, signed(body)) == .ok)
            }
        }
    }

    @Test func messengerMessageIsStored() async throws {
        let store = InMemoryStore()
        try await deliver(["messenger-message.json"], store: store)
        let i = try #require(await store.interactions.first)
        #expect(i.externalId == "m_Aq3yWcDb1TqVd2Y4p8mXhZyvS7mJq0y")
        #expect(i.platform == "facebook" && i.channel == .social)
        #expect(i.actorRole == .customer && i.direction == .inbound)
        #expect(i.conversationKey == "facebook:104882915872119:6283920119027341")
        #expect(i.customerKey == "facebook:6283920119027341")
        #expect(i.occurredAt == Date(timeIntervalSince1970: 1764000000.001))
    }

    @Test func echoesAreAgentOrBotAndReadsAreIgnored() async throws {
        let store = InMemoryStore()
        try await deliver(["messenger-message.json", "messenger-echo.json"], store: store)
        let byId = Dictionary(uniqueKeysWithValues: await store.interactions.map { ($0.externalId, $0) })
        #expect(byId.count == 3)
        let human = try #require(byId["m_7hPq0kTzC1Rr9wXbB3nQe5uLs2Vg8yA"])
        #expect(human.actorRole == .agent && human.direction == .outbound)
        #expect(human.conversationKey == "facebook:104882915872119:6283920119027341")
        #expect(byId["m_bot_autoreply_Xq1w2e3r4t5y6u7i8o"]?.actorRole == .bot)
    }

    @Test func instagramBadPartIsDeadLetteredGoodPartStored() async throws {
        let store = InMemoryStore()
        try await deliver(["instagram-message.json"], store: store)
        let stored = await store.interactions
        #expect(stored.count == 1)
        #expect(stored.first?.platform == "instagram")
        #expect(stored.first?.attachments == 1)
        let letters = await store.deadLetterList
        #expect(letters.count == 1)
        #expect(letters.first?.reason.contains("/entry/0/messaging/1") == true)
        #expect(letters.first?.raw == (try Kit.fixture("instagram-message.json")))
    }

    @Test func whatsappMessageLinksToPhoneAndStatusesAreNotMessages() async throws {
        let store = InMemoryStore()
        try await deliver(["whatsapp-message.json", "whatsapp-statuses.json"], store: store)
        let stored = await store.interactions
        #expect(stored.count == 1)
        let i = try #require(stored.first)
        #expect(i.platform == "whatsapp")
        #expect(i.customerKey == "+16505551234")
        #expect(i.actorName == "Sheena Nelson")
        #expect(i.conversationKey == "whatsapp:106540352242922:16505551234")
        #expect(i.externalId.hasPrefix("wamid."))
        #expect(await store.deadLetterList.isEmpty)
    }

    @Test func handshakeEchoesChallengeOnlyForTheRightToken() async throws {
        try await Kit.live(["meta": try source()]) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let ok = try await client.get("/webhooks/meta?hub.mode=subscribe&hub.verify_token=hub-verify-42&hub.challenge=1158201444")
            #expect(ok.status == .ok)
            #expect(Kit.text(ok) == "1158201444")
            let bad = try await client.get("/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444")
            #expect(bad.status == .forbidden)
            #expect(!Kit.text(bad).contains("1158201444"))
        }
    }

    @Test func wrongSignatureIs401AndNothingStored() async throws {
        let store = InMemoryStore()
        try await Kit.live(["meta": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let body = try Kit.fixture("messenger-message.json")
            #expect(try await client.postStatus("/webhooks/meta", body, signed(body, secret: "other-secret")) == .unauthorized)
            var tampered = body
            tampered[tampered.count - 5] ^= 1
            #expect(try await client.postStatus("/webhooks/meta", tampered, signed(body)) == .unauthorized)
            #expect(try await client.postStatus("/webhooks/meta", body, Kit.headers(["x-hub-signature-256": "sha256=zz"])) == .unauthorized)
        }
        #expect(await store.interactions.isEmpty)
        #expect(await store.deadLetterList.isEmpty)
    }

    @Test func replayedDeliveryIsStoredOnce() async throws {
        let store = InMemoryStore()
        try await deliver(["messenger-echo.json", "messenger-echo.json", "messenger-echo.json"], store: store)
        #expect(await store.interactions.count == 2)
    }
}
