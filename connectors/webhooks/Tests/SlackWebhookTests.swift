import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SwitchboardCore
import SwitchboardServer
import SwitchboardTesting
import Testing
@testable import WebhookConnectors

@Suite struct SlackWebhookTests {
    let secret = "8f742231b10e8888abcd99yyyzzz85a5"

    func source() throws -> SlackWebhook {
        try Kit.make(SlackWebhook.self, name: "slack-support", yaml: "signing_secret: \(secret)")
    }

    func signed(_ body: Data, at ts: Int = Kit.now, retry: Int? = nil) -> HTTPFields {
        var pairs = ["x-slack-request-timestamp": "\(ts)",
                     "x-slack-signature": "v0=" + Kit.hex(Kit.hmac(Data(secret.utf8), Data("v0:\(ts):".utf8) + body)),
                     "content-type": "application/json"]
        if let retry { pairs["x-slack-retry-num"] = "\(retry)"; pairs["x-slack-retry-reason"] = "http_timeout" }
        return Kit.headers(pairs)
    }

    @Test func eventCallbackMessagesAreStoredWithRoles() async throws {
        let store = InMemoryStore()
        try await Kit.live(["slack-support": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            for f in ["slack-message.json", "slack-agent-reply.json"] {
                let body = try Kit.fixture(f)
                #expect(try await client.postStatus("/webhooks/slack-support", body, signed(body)) == .ok)
            }
        }
        let byId = Dictionary(uniqueKeysWithValues: await store.interactions.map { ($0.externalId, $0) })
        let customer = try #require(byId["Ev0PV52K21"])
        #expect(customer.actorRole == .customer && customer.customerKey == "slack:U2147483697")
        #expect(customer.conversationKey == "slack:C024BE91L:1764004000.000200")
        #expect(customer.occurredAt == Timestamp.truncatedToMilliseconds(Date(timeIntervalSince1970: 1764004000.0002)))
        let agent = try #require(byId["Ev0PV52K35"])
        #expect(agent.actorRole == .agent && agent.actorId == "anna" && agent.direction == .outbound)
        #expect(agent.conversationKey == customer.conversationKey)
    }

    @Test func urlVerificationIsAnsweredWithTheChallenge() async throws {
        let store = InMemoryStore()
        try await Kit.live(["slack-support": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let body = try Kit.fixture("slack-url-verification.json")
            let r = try await client.post("/webhooks/slack-support", body, signed(body))
            #expect(r.status == .ok)
            #expect(Kit.text(r) == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
            #expect(try await client.postStatus("/webhooks/slack-support", body, signed(body, at: Kit.now - 1000)) == .unauthorized)
        }
        #expect(await store.interactions.isEmpty)
    }

    @Test func wrongSignatureAndStaleTimestampAre401() async throws {
        let store = InMemoryStore()
        try await Kit.live(["slack-support": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let body = try Kit.fixture("slack-message.json")
            var bad = signed(body)
            bad[HTTPField.Name("x-slack-request-timestamp")!] = "\(Kit.now + 1)"
            #expect(try await client.postStatus("/webhooks/slack-support", body, bad) == .unauthorized)
            #expect(try await client.postStatus("/webhooks/slack-support", body, signed(body, at: Kit.now - 301 - 5)) == .unauthorized)
            #expect(try await client.postStatus("/webhooks/slack-support", body, signed(body, at: Kit.now + 360)) == .unauthorized)
        }
        #expect(await store.interactions.isEmpty)
    }

    @Test func retriesAreDeduplicatedByEventId() async throws {
        let store = InMemoryStore()
        try await Kit.live(["slack-support": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let body = try Kit.fixture("slack-message.json")
            #expect(try await client.postStatus("/webhooks/slack-support", body, signed(body)) == .ok)
            #expect(try await client.postStatus("/webhooks/slack-support", body, signed(body, retry: 1)) == .ok)
            #expect(try await client.postStatus("/webhooks/slack-support", body, signed(body, retry: 2)) == .ok)
        }
        #expect(await store.interactions.count == 1)
    }
}
