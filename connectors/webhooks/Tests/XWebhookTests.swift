import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SwitchboardCore
import SwitchboardServer
import SwitchboardTesting
import Testing
@testable import WebhookConnectors

@Suite struct XWebhookTests {
    let secret = "Bn3xHnLQdXw0sTz2kWqP8RrVu5YyCcEeFgHhJjKkMmNnPpQq"

    func source() throws -> XWebhook { try Kit.make(XWebhook.self, name: "x-dm", yaml: "consumer_secret: \(secret)") }

    func signed(_ body: Data, secret: String? = nil) -> HTTPFields {
        Kit.headers(["x-twitter-webhooks-signature": "sha256=" + Kit.hmac(Data((secret ?? self.secret).utf8), body).base64EncodedString(),
                     "content-type": "application/json"])
    }

    @Test func crcHandshakeAnswersTheHMACOfTheToken() async throws {
        try await Kit.live(["x-dm": try source()]) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let r = try await client.get("/webhooks/x-dm?crc_token=qK7mW2xZpL9")
            #expect(r.status == .ok)
            let expected = "sha256=" + Kit.hmac(Data(secret.utf8), Data("qK7mW2xZpL9".utf8)).base64EncodedString()
            let json = try JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) as? [String: String]
            #expect(json?["response_token"] == expected)
        }
    }

    @Test func directMessageIsStored() async throws {
        let store = InMemoryStore()
        try await Kit.live(["x-dm": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let body = try Kit.fixture("x-direct-message.json")
            #expect(try await client.postStatus("/webhooks/x-dm", body, signed(body)) == .ok)
        }
        let i = try #require(await store.interactions.first)
        #expect(i.externalId == "1865203957102394375")
        #expect(i.actorRole == .customer && i.direction == .inbound && i.actorName == "Jordan")
        #expect(i.conversationKey == "x:4337869213:3001969357")
        #expect(i.occurredAt == Date(timeIntervalSince1970: 1764006000.123))
    }

    @Test func wrongSignatureIs401AndNothingStored() async throws {
        let store = InMemoryStore()
        try await Kit.live(["x-dm": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let body = try Kit.fixture("x-direct-message.json")
            #expect(try await client.postStatus("/webhooks/x-dm", body, signed(body, secret: "nope")) == .unauthorized)
            #expect(try await client.postStatus("/webhooks/x-dm", body, Kit.headers([:])) == .unauthorized)
        }
        #expect(await store.interactions.isEmpty)
    }

    @Test func replayIsStoredOnce() async throws {
        let store = InMemoryStore()
        try await Kit.live(["x-dm": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let body = try Kit.fixture("x-direct-message.json")
            for _ in 0..<3 { #expect(try await client.postStatus("/webhooks/x-dm", body, signed(body)) == .ok) }
        }
        #expect(await store.interactions.count == 1)
    }
}
