import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SwitchboardCore
import SwitchboardServer
import SwitchboardTesting
import Testing
@testable import WebhookConnectors

@Suite struct VKWebhookTests {
    func source() throws -> VKWebhook {
        try Kit.make(VKWebhook.self, name: "vk-group", yaml: "secret: aQ9vX2kLm7\nconfirmation: 8c2f1d0e\ngroup_id: \"218273645\"")
    }
    let json = Kit.headers(["content-type": "application/json"])

    @Test func messageNewIsStoredAndAnsweredOk() async throws {
        let store = InMemoryStore()
        try await Kit.live(["vk-group": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let r = try await client.post("/webhooks/vk-group", try Kit.fixture("vk-message-new.json"), json)
            #expect(r.status == .ok)
            #expect(Kit.text(r) == "ok")
        }
        let i = try #require(await store.interactions.first)
        #expect(i.externalId == "c0d3a4b5e6f708192a3b4c5d6e7f8091a2b3c4d5")
        #expect(i.platform == "vk" && i.actorRole == .customer && i.customerKey == "vk:51234567")
        #expect(i.conversationKey == "vk:218273645:51234567")
        #expect(i.text == "Когда будет доставка?")
    }

    @Test func confirmationIsAnsweredWithTheConfiguredString() async throws {
        let store = InMemoryStore()
        try await Kit.live(["vk-group": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let r = try await client.post("/webhooks/vk-group", try Kit.fixture("vk-confirmation.json"), json)
            #expect(r.status == .ok)
            #expect(Kit.text(r) == "8c2f1d0e")
        }
        #expect(await store.interactions.isEmpty)
    }

    @Test func wrongSecretOrGroupIs401AndNothingStored() async throws {
        let store = InMemoryStore()
        try await Kit.live(["vk-group": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let body = String(decoding: try Kit.fixture("vk-message-new.json"), as: UTF8.self)
            let wrong = Data(body.replacingOccurrences(of: "aQ9vX2kLm7", with: "aQ9vX2kLm8").utf8)
            #expect(try await client.postStatus("/webhooks/vk-group", wrong, json) == .unauthorized)
            let noSecret = Data(body.replacingOccurrences(of: #","secret":"aQ9vX2kLm7""#, with: "").utf8)
            #expect(try await client.postStatus("/webhooks/vk-group", noSecret, json) == .unauthorized)
            let otherGroup = Data(body.replacingOccurrences(of: "218273645", with: "111").utf8)
            #expect(try await client.postStatus("/webhooks/vk-group", otherGroup, json) == .unauthorized)
            let confirmation = Data(String(decoding: try Kit.fixture("vk-confirmation.json"), as: UTF8.self)
                .replacingOccurrences(of: "aQ9vX2kLm7", with: "guess").utf8)
            let r = try await client.post("/webhooks/vk-group", confirmation, json)
            #expect(r.status == .unauthorized)
            #expect(!Kit.text(r).contains("8c2f1d0e"))
        }
        #expect(await store.interactions.isEmpty)
    }

    @Test func replayedEventIsStoredOnce() async throws {
        let store = InMemoryStore()
        try await Kit.live(["vk-group": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            for _ in 0..<3 {
                #expect(try await client.postStatus("/webhooks/vk-group", try Kit.fixture("vk-message-new.json"), json) == .ok)
            }
        }
        #expect(await store.interactions.count == 1)
    }
}
