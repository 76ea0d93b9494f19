import Foundation
import SwitchboardCore

/// X (Twitter) Account Activity API deliveries (FORMATS §3).
///
/// Handshake: `GET ?crc_token=…` → `{"response_token": "sha256=" + base64(HMAC-SHA256(consumer_secret, crc_token))}`.
/// Verification: `x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer_secret, body)>`.
///
/// Both use the same key and the same construction, so an answered CRC is a valid signature of a
/// body equal to the token. The two are kept apart: only tokens shaped like X's (``CRCToken``) are
/// answered, and a delivery whose body is not a JSON object — everything a CRC answer can sign —
/// is refused as unverified.
/// Dedupe key: the direct message event id. Messages sent by `for_user_id` (the subscribed
/// business account) are agent replies; others are customer messages.
public struct XWebhook: WebhookDeliveryDecoding {
    public struct Settings: Decodable, Sendable {
        public var consumer_secret: String?
        public var bot_user_ids: [String]?
    }

    public static let kind = "x"
    public static let summary = "X Account Activity API direct messages (CRC handshake, signature header)"
    public static let settings: [SettingSpec] = [
        SettingSpec("consumer_secret", "string", required: true, "the app's API key secret (consumer secret)"),
        SettingSpec("bot_user_ids", "[string]", "account ids whose messages are automated (bot outbound)"),
    ]

    let name: String
    let secret: Data
    let bots: Set<String>
    let side: BusinessSide

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        secret = Data(try WebhookSettingsCheck.secret(settings.consumer_secret, key: "consumer_secret", kind: Self.kind).utf8)
        bots = Set(settings.bot_user_ids ?? [])
        side = BusinessSide(platform: "x", ids: [], agents: context.agents)
    }

    public func handshake(_ request: WebhookRequest) -> WebhookResponse? {
        guard let token = request.query["crc_token"] else { return nil }
        guard CRCToken.accepts(token) else {
            return WebhookResponse(status: 400, body: Data("crc_token is not shaped like an X CRC token\n".utf8))
        }
        let mac = WebhookSignature.hmacSHA256(key: secret, [Data(token.utf8)])
        let body = #"{"response_token":"sha256=\#(Data(mac).base64EncodedString())"}"#
        return WebhookResponse(status: 200, contentType: "application/json", body: Data(body.utf8))
    }

    public func verify(_ request: WebhookRequest) throws {
        guard CRCToken.isJSONObject(request.body) else {
            throw WebhookSignature.mismatch("the body is not a JSON object")
        }
        guard let header = request.headers["x-twitter-webhooks-signature"], header.hasPrefix("sha256="),
              let given = Data(base64Encoded: String(header.dropFirst(7))) else {
            throw WebhookSignature.mismatch("x-twitter-webhooks-signature missing or malformed")
        }
        let expected = WebhookSignature.hmacSHA256(key: secret, [request.body])
        guard WebhookSignature.constantTimeEqual(Array(given), expected) else {
            throw WebhookSignature.mismatch("x-twitter-webhooks-signature does not match")
        }
    }

    public func decodeDelivery(_ request: WebhookRequest) throws -> WebhookDelivery {
        let root = try WebhookJSON.parse(request)
        guard let owner = root["for_user_id"]?.stringOrNumber else {
            throw ConnectorError(.format, WebhookJSON.missing("for_user_id", at: "/"))
        }
        var delivery = WebhookDelivery()
        for (key, _) in root.members ?? [] where key.hasSuffix("_events") && key != "direct_message_events" {
            delivery.ignore("x.\(key)")
        }
        let names = root["users"]
        for (i, event) in (root["direct_message_events"]?.array ?? []).enumerated() {
            let at = "/direct_message_events/\(i)"
            guard event["type"]?.string == "message_create" else {
                delivery.ignore("x.\(event["type"]?.string ?? "unknown")")
                continue
            }
            let create = event["message_create"]
            guard let id = event["id"]?.stringOrNumber, let sender = create?["sender_id"]?.stringOrNumber,
                  let recipient = create?["target"]?["recipient_id"]?.stringOrNumber,
                  let time = WebhookJSON.epoch(event["created_timestamp"], milliseconds: true) else {
                delivery.reject(WebhookJSON.missing("id/sender_id/recipient_id/created_timestamp", at: at), body: request.body)
                continue
            }
            let outbound = sender == owner
            let customer = outbound ? recipient : sender
            let agent = side.agent(sender)
            let role: ActorRole = outbound ? (bots.contains(sender) ? .bot : .agent) : (agent != nil ? .agent : .customer)
            delivery.interactions.append(Interaction(
                source: name, externalId: id, channel: .social, platform: "x",
                conversationKey: "x:\(owner):\(customer)", kind: .message,
                direction: outbound ? .outbound : .inbound, actorRole: role,
                actorId: agent ?? (role == .customer ? "x:\(sender)" : nil),
                actorName: names?[sender]?["name"]?.string, customerKey: "x:\(customer)", occurredAt: time,
                text: create?["message_data"]?["text"]?.string,
                attachments: create?["message_data"]?["attachment"] == nil ? 0 : 1,
                provenance: WebhookJSON.provenance(name, request, String(at.dropFirst()))))
        }
        return delivery
    }
}
