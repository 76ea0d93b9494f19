import Foundation
import SwitchboardCore

/// Slack Events API deliveries (FORMATS §3).
///
/// Verification: `X-Slack-Signature: v0=<hex HMAC-SHA256(signing_secret, "v0:" + timestamp + ":" + body)>`
/// with `X-Slack-Request-Timestamp` within ±300 s. `url_verification` is answered with its challenge.
/// Dedupe key: `event_id` (retries carry `X-Slack-Retry-Num` and the same id).
/// Users under an agent's `handles: {slack: U…}` are agents; `bot_id` or `bot_message` are bots.
///
/// Topics: events carry the channel id only (Slack's API is not called), so a message's topic is the
/// channel's name from the `channels` setting (`{C024BE91L: support}`); channels not listed, direct
/// messages (`D…`, `channel_type: im`) and group DMs (`mpim`) give none.
public struct SlackWebhook: WebhookDeliveryDecoding {
    public struct Settings: Decodable, Sendable {
        public var signing_secret: String?
        public var bot_user_ids: [String]?
        public var channels: IdTopicSetting?
    }

    public static let kind = "slack"
    public static let summary = "Slack Events API (v0 signature, url_verification, event_callback messages)"
    public static let settings: [SettingSpec] = [
        SettingSpec("signing_secret", "string", required: true, "the app's Signing Secret (Basic Information page)"),
        SettingSpec("bot_user_ids", "[string]", "user ids of the workspace's bots, whose messages are bot outbound"),
        SettingSpec("channels", "{channel id: name}",
                    "channel names by id (`{C024BE91L: support}`): a message in a listed channel gets its name as topic (events carry the id only)"),
    ]

    let name: String
    let secret: Data
    let side: BusinessSide
    /// Channel id → `[name]` (the topic of its messages).
    let channels: TopicMap

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        secret = Data(try WebhookSettingsCheck.secret(settings.signing_secret, key: "signing_secret", kind: Self.kind).utf8)
        side = BusinessSide(platform: "slack", ids: Set(settings.bot_user_ids ?? []), agents: context.agents)
        channels = try TopicMap(settings.channels?.entries, key: "channels", kind: Self.kind) { name in
            name.hasPrefix("#") ? String(name.dropFirst()) : name
        }
        if let dm = channels.containsId(where: { $0.hasPrefix("D") }) {
            throw ConnectorError(.settings, "`channels.\(dm)` is a direct-message id: direct messages give no topic; list channel ids (C…, G…) only")
        }
    }

    public func handshake(_ request: WebhookRequest) -> WebhookResponse? { nil }

    public func verify(_ request: WebhookRequest) throws {
        guard let ts = request.headers["x-slack-request-timestamp"], let header = request.headers["x-slack-signature"],
              header.hasPrefix("v0="), let given = WebhookSignature.fromHex(header.dropFirst(3)) else {
            throw WebhookSignature.mismatch("X-Slack-Signature or X-Slack-Request-Timestamp missing")
        }
        let expected = WebhookSignature.hmacSHA256(key: secret, [Data("v0:\(ts):".utf8), request.body])
        guard WebhookSignature.constantTimeEqual(given, expected) else {
            throw WebhookSignature.mismatch("X-Slack-Signature does not match")
        }
        try WebhookSignature.checkFresh(ts, now: request.receivedAt)
    }

    public func decodeDelivery(_ request: WebhookRequest) throws -> WebhookDelivery {
        let root = try WebhookJSON.parse(request)
        var delivery = WebhookDelivery()
        switch root["type"]?.string ?? "" {
        case "url_verification":
            guard let challenge = root["challenge"]?.string else {
                throw ConnectorError(.format, WebhookJSON.missing("challenge", at: "/"))
            }
            delivery.acknowledgement = WebhookResponse(status: 200, body: Data(challenge.utf8))
            return delivery
        case "event_callback":
            break
        case let other:
            delivery.ignore("slack.\(other.isEmpty ? "unknown" : other)")
            return delivery
        }
        guard let eventId = root["event_id"]?.string, let event = root["event"] else {
            throw ConnectorError(.format, WebhookJSON.missing("event_id/event", at: "/"))
        }
        guard event["type"]?.string == "message" else {
            delivery.ignore("slack.\(event["type"]?.string ?? "unknown")")
            return delivery
        }
        let subtype = event["subtype"]?.string
        if let subtype, !["bot_message", "thread_broadcast", "file_share", "me_message"].contains(subtype) {
            delivery.ignore("slack.message.\(subtype)")
            return delivery
        }
        guard let ts = event["ts"]?.string, let time = Double(ts), let channel = event["channel"]?.string else {
            delivery.reject(WebhookJSON.missing("event.ts/event.channel", at: "/event"), body: request.body)
            return delivery
        }
        let user = event["user"]?.string
        let agent = side.agent(user)
        let isBot = event["bot_id"] != nil || subtype == "bot_message" || side.isBusiness(user)
        let role: ActorRole = agent != nil ? .agent : (isBot ? .bot : .customer)
        let thread = event["thread_ts"]?.string ?? ts
        var topics: [String] = []
        if !channels.isEmpty, !channel.hasPrefix("D") {
            let type = event["channel_type"]?.string
            if type != "im", type != "mpim", let mapped = channels.topics(channel) { topics = mapped }
        }
        delivery.interactions.append(Interaction(
            source: name, externalId: eventId, channel: .chat, platform: "slack",
            conversationKey: "slack:\(channel):\(thread)", kind: .message,
            direction: role == .customer ? .inbound : .outbound, actorRole: role,
            actorId: agent ?? (user ?? event["bot_id"]?.string).map { "slack:\($0)" },
            customerKey: role == .customer ? user.map { "slack:\($0)" } : nil,
            occurredAt: Date(timeIntervalSince1970: time), text: event["text"]?.string,
            attachments: event["files"]?.array?.count ?? 0,
            provenance: WebhookJSON.provenance(name, request, "event=\(eventId)"),
            topics: topics))
        return delivery
    }
}
