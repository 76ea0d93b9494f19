import Foundation
import SwitchboardCore

/// VK Callback API deliveries (FORMATS §3).
///
/// Verification: the body's `secret` equals the configured key. `type: confirmation` is
/// answered with the configured confirmation string; every other delivery with plain `ok`.
/// Dedupe key: `event_id`. `message_new` from users are customer messages; `message_reply`
/// (and `out: 1`) are the community's replies: agents when the admin id is under
/// `handles: {vk: …}`, otherwise agent without id.
public struct VKWebhook: WebhookDeliveryDecoding {
    public struct Settings: Decodable, Sendable {
        public var secret: String?
        public var confirmation: String?
        public var group_id: String?
    }

    public static let kind = "vk"
    public static let summary = "VK Callback API (confirmation string, secret key, answers ok)"
    public static let settings: [SettingSpec] = [
        SettingSpec("secret", "string", required: true, "the Callback API secret key, sent in every body"),
        SettingSpec("confirmation", "string", required: true, "the string VK expects back for `type: confirmation`"),
        SettingSpec("group_id", "string", "the community id; deliveries for another group are refused as unverified"),
    ]

    static let ok = WebhookResponse(status: 200, body: Data("ok".utf8))

    let name: String
    let secret: String
    let confirmation: String
    let groupId: String?
    let side: BusinessSide

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        secret = try WebhookSettingsCheck.secret(settings.secret, key: "secret", kind: Self.kind)
        confirmation = try WebhookSettingsCheck.secret(settings.confirmation, key: "confirmation", kind: Self.kind)
        groupId = settings.group_id
        side = BusinessSide(platform: "vk", ids: [], agents: context.agents)
    }

    public func handshake(_ request: WebhookRequest) -> WebhookResponse? { nil }

    public func verify(_ request: WebhookRequest) throws {
        // The secret travels inside the JSON: parse only as far as needed to read it.
        guard let root = try? JSONParser.parse(request.body), let given = root["secret"]?.string,
              WebhookSignature.constantTimeEqual(given, secret) else {
            throw WebhookSignature.mismatch("secret missing or wrong")
        }
        if let groupId, root["group_id"]?.stringOrNumber != groupId {
            throw WebhookSignature.mismatch("delivery for another group")
        }
    }

    public func decodeDelivery(_ request: WebhookRequest) throws -> WebhookDelivery {
        let root = try WebhookJSON.parse(request)
        var delivery = WebhookDelivery(acknowledgement: Self.ok)
        let type = root["type"]?.string ?? "unknown"
        if type == "confirmation" {
            delivery.acknowledgement = WebhookResponse(status: 200, body: Data(confirmation.utf8))
            return delivery
        }
        guard type == "message_new" || type == "message_reply" else {
            delivery.ignore("vk.\(type)")
            return delivery
        }
        guard let eventId = root["event_id"]?.stringOrNumber else {
            throw ConnectorError(.format, WebhookJSON.missing("event_id", at: "/"))
        }
        // message_new carries {message: …}; message_reply carries the message itself.
        let object = root["object"]
        guard let message = object?["message"] ?? object, let peer = message["peer_id"]?.stringOrNumber,
              let time = WebhookJSON.epoch(message["date"]) else {
            delivery.reject(WebhookJSON.missing("object.message.peer_id/date", at: "/object"), body: request.body)
            return delivery
        }
        let from = message["from_id"]?.stringOrNumber
        let outbound = type == "message_reply" || message["out"]?.number == 1
        let admin = message["admin_author_id"]?.stringOrNumber ?? from
        let agent = outbound ? side.agent(admin) : side.agent(from)
        let role: ActorRole = outbound || agent != nil ? .agent : .customer
        delivery.interactions.append(Interaction(
            source: name, externalId: eventId, channel: .social, platform: "vk",
            conversationKey: "vk:\(root["group_id"]?.stringOrNumber ?? "0"):\(peer)", kind: .message,
            direction: role == .customer ? .inbound : .outbound, actorRole: role,
            actorId: agent ?? (role == .customer ? from.map { "vk:\($0)" } : nil),
            customerKey: "vk:\(role == .customer ? (from ?? peer) : peer)",
            occurredAt: time, text: message["text"]?.string, attachments: message["attachments"]?.array?.count ?? 0,
            provenance: WebhookJSON.provenance(name, request, "event=\(eventId)")))
        return delivery
    }
}
