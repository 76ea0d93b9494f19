import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SwitchboardCore
import SwitchboardServer
import SwitchboardTesting
import Testing
@testable import WebhookConnectors

/// The GET handshakes must not sign what an attacker chooses: the X CRC answer is
/// HMAC(consumer secret, token), the very signature X puts on a delivery whose body is the token.
@Suite struct HandshakeOracleTests {
    let secret = "Bn3xHnLQdXw0sTz2kWqP8RrVu5YyCcEeFgHhJjKkMmNnPpQq"
    /// What X sends: the base64 of a UUID, 48 characters.
    let realToken = Data("3dd82dfc-b9db-46d8-940e-3bcc903d8244".utf8).base64EncodedString()

    func x() throws -> XWebhook { try Kit.make(XWebhook.self, name: "x-dm", yaml: "consumer_secret: \(secret)") }

    func crc(_ client: any TestClientProtocol, _ token: String, source: String = "x-dm") async throws -> TestResponse {
        let encoded = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token
        return try await client.get("/webhooks/\(source)?crc_token=\(encoded)")
    }

    static func responseToken(_ r: TestResponse) -> String? {
        let json = try? JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) as? [String: String]
        return json?["response_token"]
    }

    @Test func aDeliveryForgedThroughTheCRCEndpointIsRefusedAndNothingIsStored() async throws {
        let store = InMemoryStore()
        try await Kit.live(["x-dm": try x()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            // The attack: ask the CRC endpoint to "answer" the forged body, then post the body with that answer.
            let forged = String(decoding: try Kit.fixture("x-direct-message.json"), as: UTF8.self)
                .replacingOccurrences(of: "1865203957102394375", with: "1865203957102399999")
            let answer = try await crc(client, forged)
            #expect(answer.status == .badRequest)
            #expect(Self.responseToken(answer) == nil)
            let header = "sha256=" + (Self.responseToken(answer).map { String($0.dropFirst(7)) } ?? "")
            #expect(try await client.postStatus("/webhooks/x-dm", Data(forged.utf8),
                                                Kit.headers(["x-twitter-webhooks-signature": header])) == .unauthorized)

            // A token the endpoint does answer signs only a body equal to that token, which is refused as well.
            let signed = try await crc(client, realToken)
            let signature = try #require(Self.responseToken(signed))
            #expect(try await client.postStatus("/webhooks/x-dm", Data(realToken.utf8),
                                                Kit.headers(["x-twitter-webhooks-signature": signature])) == .unauthorized)
        }
        #expect(await store.interactions.isEmpty)
        #expect(await store.deadLetterList.isEmpty)
    }

    @Test func aRealLookingCRCCheckGetsItsCorrectAnswer() async throws {
        try await Kit.live(["x-dm": try x()]) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            for token in [realToken, String(realToken.prefix(46)) + "==", "A-b_C+d/E9f8g7h6"] {
                let r = try await crc(client, token)
                #expect(r.status == .ok, "\(token)")
                #expect(Self.responseToken(r) == "sha256=" + Kit.hmac(Data(secret.utf8), Data(token.utf8)).base64EncodedString())
            }
        }
    }

    @Test func jsonLookingShortAndOverlongTokensAreRefused() async throws {
        try await Kit.live(["x-dm": try x()]) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let refused = [#"{"a":1}"#, "[1,2,3,4,5]", #""abcdefgh""#, "12345678", "1234567890123", "1e100000",
                           "abc", String(repeating: "A", count: 65), "abc=defghijk", "abcdefgh===", "abcd efgh", "abcdéfgh"]
            for token in refused {
                let r = try await crc(client, token)
                #expect(r.status == .badRequest, "\(token)")
                #expect(Self.responseToken(r) == nil, "\(token)")
            }
            #expect(try await crc(client, String(repeating: "A", count: 64)).status == .ok)
        }
    }

    @Test func crcRequestsAreRateLimitedPerSource() async throws {
        let sources: [String: any WebhookSource] = ["x-dm": try x(), "x-other": try x()]
        try await Kit.live(sources) { (client: any TestClientProtocol, server: WebhookServer) async throws in
            let limiter = server.receiver.handshakes
            let burst = Int(limiter.burst)
            let started = ContinuousClock.now
            var answered = 0
            var limited: TestResponse?
            while limited == nil, answered < burst * 10 {
                let r = try await crc(client, realToken)
                if r.status == .tooManyRequests { limited = r } else { answered += 1 }
            }
            // The burst, plus what refilled while the requests ran (nothing when they are quick).
            let elapsed = ContinuousClock.now - started
            let refilled = Int(Double(elapsed.components.seconds + 1) * limiter.perMinute / 60)
            #expect(answered >= burst && answered <= burst + refilled, "\(answered) answered in \(elapsed)")
            let refusal = try #require(limited)
            #expect(Self.responseToken(refusal) == nil)
            #expect(try await crc(client, realToken, source: "x-other").status == .ok)
            let metrics = Kit.text(try await client.get("/metrics"))
            #expect(metrics.contains(#"reason="handshake_rate""#))
        }
    }

    @Test func theBudgetRefillsOverTime() {
        let limiter = HandshakeLimiter(burst: 2, perMinute: 6)
        let start = ContinuousClock.now
        #expect(limiter.allow(source: "a", now: start))
        #expect(limiter.allow(source: "a", now: start))
        #expect(!limiter.allow(source: "a", now: start + .seconds(1)))
        #expect(limiter.allow(source: "a", now: start + .seconds(11)))
        #expect(!limiter.allow(source: "a", now: start + .seconds(12)))
        #expect(limiter.allow(source: "b", now: start + .seconds(12)))
    }

    /// Slack's url_verification and VK's confirmation are POSTs answered only after the delivery's
    /// signature or secret is checked; Meta's echo returns the challenge itself, nothing derived from a secret.
    @Test func otherHandshakesAnswerOnlyVerifiedRequests() async throws {
        let slack = try Kit.make(SlackWebhook.self, name: "slack", yaml: "signing_secret: 8f742231b10e8888abcd99yyyzzz85a5")
        let meta = try Kit.make(MetaWebhook.self, name: "meta", yaml: "app_secret: app-secret-1\nverify_token: hub-verify-42")
        try await Kit.live(["slack": slack, "meta": meta]) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let body = try Kit.fixture("slack-url-verification.json")
            let unsigned = try await client.post("/webhooks/slack", body, Kit.headers(["content-type": "application/json"]))
            #expect(unsigned.status == .unauthorized)
            #expect(!Kit.text(unsigned).contains("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"))
            let challenge = #"{"object":"page","entry":[]}"#
            let echo = try await client.get("/webhooks/meta?hub.mode=subscribe&hub.verify_token=hub-verify-42&hub.challenge="
                + (challenge.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            #expect(Kit.text(echo) == challenge)
        }
    }
}
