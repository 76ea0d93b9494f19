import Foundation
import SwitchboardCore

/// Telegram Bot API updates delivered by `setWebhook` (FORMATS §3).
///
/// Verification: the `X-Telegram-Bot-Api-Secret-Token` header equals `secret_token`.
/// Dedupe key: `update_id`. Senders with `is_bot`, or the configured `bot_id`, are bots;
/// senders listed under an agent's `handles: {telegram: …}` are agents.
///
/// Topics: the chat's `title` in groups, supergroups and channels, plus the forum topic's name for a
/// message in a forum topic (``forumTopic(_:)``). Private chats give none.
public struct TelegramWebhook: WebhookDeliveryDecoding {
    public struct Settings: Decodable, Sendable {
        public var secret_token: String?
        public var bot_id: String?
    }

    public static let kind = "telegram"
    public static let summary = "Telegram Bot API webhook updates (secret-token header)"
    public static let settings: [SettingSpec] = [
        SettingSpec("secret_token", "string", required: true,
                    "the `secret_token` given to setWebhook; compared with X-Telegram-Bot-Api-Secret-Token"),
        SettingSpec("bot_id", "string", "the bot's own user id (the number before ':' in its token); its messages are bot outbound"),
    ]

    let name: String
    let secretToken: String
    let botId: String?
    let side: BusinessSide

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        secretToken = try WebhookSettingsCheck.secret(settings.secret_token, key: "secret_token", kind: Self.kind)
        botId = settings.bot_id
        side = BusinessSide(platform: "telegram", ids: Set([settings.bot_id].compactMap { $0 }), agents: context.agents)
    }

    public func handshake(_ request: WebhookRequest) -> WebhookResponse? { nil }

    public func verify(_ request: WebhookRequest) throws {
        guard let given = request.headers["x-telegram-bot-api-secret-token"],
              WebhookSignature.constantTimeEqual(given, secretToken) else {
            throw WebhookSignature.mismatch("secret token header missing or wrong")
        }
    }

    public func decodeDelivery(_ request: WebhookRequest) throws -> WebhookDelivery {
        let update = try WebhookJSON.parse(request)
        guard let updateId = update["update_id"]?.stringOrNumber else {
            throw ConnectorError(.format, WebhookJSON.missing("update_id", at: "/"))
        }
        var delivery = WebhookDelivery()
        let messageKeys = ["message", "business_message"]
        guard let key = messageKeys.first(where: { update[$0] != nil }), let message = update[key] else {
            let other = update.members?.map(\.0).first { $0 != "update_id" } ?? "unknown"
            delivery.ignore("telegram.\(other)")
            return delivery
        }
        guard let chatId = message["chat"]?["id"]?.stringOrNumber,
              let date = WebhookJSON.epoch(message["date"]) else {
            delivery.reject(WebhookJSON.missing("chat.id/date", at: "/\(key)"), body: request.body)
            return delivery
        }
        let fromId = message["from"]?["id"]?.stringOrNumber
        let isBot = message["from"]?["is_bot"]?.bool == true || side.isBusiness(fromId)
        let agent = side.agent(fromId)
        let role: ActorRole = agent != nil ? .agent : (isBot ? .bot : .customer)
        let first = message["from"]?["first_name"]?.string
        let last = message["from"]?["last_name"]?.string
        let displayName = [first, last].compactMap { $0 }.joined(separator: " ")
        let text = message["text"]?.string ?? message["caption"]?.string
        let mediaKeys = ["photo", "document", "video", "voice", "audio", "sticker", "video_note", "animation"]
        let topics = Self.topics(message)
        delivery.interactions.append(Interaction(
            source: name, externalId: updateId, channel: .chat, platform: "telegram",
            conversationKey: "telegram:\(chatId)", kind: .message,
            direction: role == .customer ? .inbound : .outbound, actorRole: role,
            actorId: agent ?? fromId.map { "telegram:\($0)" }, actorName: displayName.isEmpty ? nil : displayName,
            customerKey: role == .customer ? fromId.map { "telegram:\($0)" } : nil,
            occurredAt: date, text: text, attachments: mediaKeys.filter { message[$0] != nil }.count,
            provenance: WebhookJSON.provenance(name, request, "update=\(updateId)"), topics: topics))
        return delivery
    }

    /// The topics of a message: the chat title of a group, supergroup or channel, and the forum topic's name.
    static func topics(_ message: JSONValue) -> [String] {
        guard let chat = message["chat"], let type = chat["type"]?.string,
              type == "group" || type == "supergroup" || type == "channel" else { return [] }
        let title = chat["title"]?.string
        let forum = forumTopic(message)
        if title == nil && forum == nil { return [] }
        return Topics.normalize([title, forum].compactMap { $0 })
    }

    /// The name of the forum topic a message is in, when the update says it: the topic's own creation
    /// (or rename) service message carries `forum_topic_created.name` (`forum_topic_edited.name`); a
    /// message sent in the topic (`is_topic_message: true`) carries the creation message as
    /// `reply_to_message` unless it answers another message — then the name is not in the update: nil.
    static func forumTopic(_ message: JSONValue) -> String? {
        if let name = message["forum_topic_created"]?["name"]?.string ?? message["forum_topic_edited"]?["name"]?.string {
            return name
        }
        guard message["is_topic_message"]?.bool == true else { return nil }
        return message["reply_to_message"]?["forum_topic_created"]?["name"]?.string
    }
}
