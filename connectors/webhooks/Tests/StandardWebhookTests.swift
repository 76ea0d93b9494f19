import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SwitchboardCore
import SwitchboardServer
import SwitchboardTesting
import Testing
@testable import WebhookConnectors

@Suite struct StandardWebhookTests {
    static let oldKey = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let newKey = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"

    static let yaml = """
        secret: ["\(newKey)", "\(oldKey)"]
        event_type: /type
        mapping:
          conversationKey: /data/ticket_id
          occurredAt: /timestamp
          platform: helpdesk
          channel: web
        events:
          ticket.message_created:
            kind: message
            externalId: /data/message_id
            actorRole: /data/author/role
            direction: inbound
            customerKey: /data/author/email
            actorName: /data/author/name
            text: /data/body
          ticket.status_changed:
            kind: status
            status: /data/status
            actorId: /data/changed_by
            actorRole: agent
          survey.answered:
            kind: survey
            survey.metric: /data/metric
            survey.score: /data/score
            customerKey: /data/customer
        """

    func source() throws -> StandardWebhook { try Kit.make(StandardWebhook.self, name: "helpdesk", yaml: Self.yaml) }

    @Test func messageStatusAndSurveyAreMapped() async throws {
        let store = InMemoryStore()
        try await Kit.live(["helpdesk": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            for (n, f) in ["helpdesk-message.json", "helpdesk-status.json", "helpdesk-survey.json"].enumerated() {
                let body = try Kit.fixture(f)
                let r = try await client.post("/webhooks/helpdesk", body, Kit.standardHeaders(id: "msg_2Kx\(n)", body: body, key: Self.newKey))
                #expect(r.status == .ok)
            }
        }
        let stored = await store.interactions
        #expect(stored.count == 3)
        let message = try #require(stored.first { $0.kind == .message })
        #expect(message.externalId == "msg_9f31")
        #expect(message.actorRole == .customer && message.customerKey == "olga@example.org")
        #expect(message.conversationKey == "T-10482" && message.platform == "helpdesk" && message.channel == .web)
        #expect(message.occurredAt == Timestamp.parseISO8601("2026-11-24T09:15:02.120Z"))
        let status = try #require(stored.first { $0.kind == .status })
        #expect(status.status?.to == .resolved)
        #expect(status.actorId == "anna" && status.actorRole == .agent)
        #expect(status.externalId == "msg_2Kx1")
        let survey = try #require(stored.first { $0.kind == .survey })
        #expect(survey.survey == SurveyInfo(metric: .csat, score: 5, scaleMin: 1, scaleMax: 5))
    }

    @Test func rotatedKeysBothVerifyAndAnUnknownKeyDoesNot() async throws {
        let store = InMemoryStore()
        try await Kit.live(["helpdesk": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let body = try Kit.fixture("helpdesk-status.json")
            #expect(try await client.postStatus("/webhooks/helpdesk", body, Kit.standardHeaders(id: "a1", body: body, key: Self.oldKey)) == .ok)
            #expect(try await client.postStatus("/webhooks/helpdesk", body, Kit.standardHeaders(id: "a2", body: body, key: Self.newKey)) == .ok)
            let stranger = "whsec_" + Data(repeating: 7, count: 24).base64EncodedString()
            #expect(try await client.postStatus("/webhooks/helpdesk", body, Kit.standardHeaders(id: "a3", body: body, key: stranger)) == .unauthorized)
            // Several signatures in one header: one valid is enough.
            var h = Kit.standardHeaders(id: "a4", body: body, key: Self.newKey)
            h[HTTPField.Name("webhook-signature")!] = "v1,AAAA v1a,xyz " + h[HTTPField.Name("webhook-signature")!]!
            #expect(try await client.postStatus("/webhooks/helpdesk", body, h) == .ok)
        }
        #expect(await store.interactions.map(\.externalId).sorted() == ["a1", "a2", "a4"])
    }

    @Test func staleOrFutureTimestampIs401AndNothingStored() async throws {
        let store = InMemoryStore()
        try await Kit.live(["helpdesk": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let body = try Kit.fixture("helpdesk-status.json")
            let old = Kit.standardHeaders(id: "s1", body: body, key: Self.newKey, timestamp: Kit.now - 301 - 5)
            #expect(try await client.postStatus("/webhooks/helpdesk", body, old) == .unauthorized)
            let future = Kit.standardHeaders(id: "s2", body: body, key: Self.newKey, timestamp: Kit.now + 400)
            #expect(try await client.postStatus("/webhooks/helpdesk", body, future) == .unauthorized)
            let metrics = Kit.text(try await client.get("/metrics"))
            #expect(metrics.contains(#"switchboard_webhook_rejected_total{source="helpdesk",reason="stale_timestamp"} 2"#))
        }
        #expect(await store.interactions.isEmpty)
    }

    @Test func tamperedBodyIs401() async throws {
        let store = InMemoryStore()
        try await Kit.live(["helpdesk": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let body = try Kit.fixture("helpdesk-status.json")
            let h = Kit.standardHeaders(id: "t1", body: body, key: Self.newKey)
            let other = Data(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "resolved", with: "reopened").utf8)
            #expect(try await client.postStatus("/webhooks/helpdesk", other, h) == .unauthorized)
            #expect(try await client.postStatus("/webhooks/helpdesk", body, Kit.headers(["webhook-id": "t1"])) == .unauthorized)
        }
        #expect(await store.interactions.isEmpty)
        #expect(await store.deadLetterList.isEmpty)
    }

    @Test func replayedWebhookIdIsStoredOnce() async throws {
        let store = InMemoryStore()
        try await Kit.live(["helpdesk": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let body = try Kit.fixture("helpdesk-status.json")
            for _ in 0..<4 {
                #expect(try await client.postStatus("/webhooks/helpdesk", body, Kit.standardHeaders(id: "msg_same", body: body, key: Self.newKey)) == .ok)
            }
            let metrics = Kit.text(try await client.get("/metrics"))
            #expect(metrics.contains(#"switchboard_webhook_duplicates_total{source="helpdesk"} 3"#))
        }
        #expect(await store.interactions.count == 1)
    }

    @Test func verifiedButUndecodableBodyIsDeadLetteredAndAcknowledged() async throws {
        let store = InMemoryStore()
        try await Kit.live(["helpdesk": try source()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            let notJSON = Data("{\"type\": \"ticket.status_changed\", \"data\": ".utf8)
            #expect(try await client.postStatus("/webhooks/helpdesk", notJSON, Kit.standardHeaders(id: "d1", body: notJSON, key: Self.newKey)) == .ok)
            let badStatus = Data(#"{"type":"ticket.status_changed","timestamp":"2026-11-24T11:40:00Z","data":{"ticket_id":"T-1","status":"archived"}}"#.utf8)
            #expect(try await client.postStatus("/webhooks/helpdesk", badStatus, Kit.standardHeaders(id: "d2", body: badStatus, key: Self.newKey)) == .ok)
            let unknownType = Data(#"{"type":"ticket.tag_added","data":{"ticket_id":"T-1"}}"#.utf8)
            #expect(try await client.postStatus("/webhooks/helpdesk", unknownType, Kit.standardHeaders(id: "d3", body: unknownType, key: Self.newKey)) == .ok)
        }
        #expect(await store.interactions.isEmpty)
        let letters = await store.deadLetterList
        #expect(letters.count == 2)
        #expect(letters[0].raw == Data("{\"type\": \"ticket.status_changed\", \"data\": ".utf8))
        #expect(letters[0].reason.contains("not JSON"))
        #expect(letters[1].reason.contains("'archived' is not one of"))
        #expect(letters.allSatisfy { $0.provenance.hasPrefix("webhook:helpdesk@") })
    }

    @Test func settingsErrorsNameTheKey() {
        #expect(throws: ConnectorError.self) {
            try Kit.make(StandardWebhook.self, name: "h", yaml: "secret: whsec_!!!\nmapping: {conversationKey: /id}")
        }
        do {
            _ = try Kit.make(StandardWebhook.self, name: "h", yaml: "secret: \(Self.newKey)\nmapping: {conversationKey: /id, colour: red}")
            Issue.record("unknown mapping field accepted")
        } catch let e as ConnectorError {
            #expect(e.message.contains("colour"))
        } catch { Issue.record("\(error)") }
    }
}
