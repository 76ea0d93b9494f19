import Foundation
import SwitchboardCore

/// `kind: telegram` — a message sent by a Telegram bot: `POST {api_url}/bot{bot_token}/sendMessage` with JSON
/// `chat_id`, `text` and `parse_mode: HTML`; the subject in bold, the text below it (a report's table as
/// `<pre>`), at most 4096 characters (Telegram's limit; a longer report is cut at a line and says so).
///
/// ```yaml
/// notifications:
///   duty: {kind: telegram, bot_token: "${TG_BOT_TOKEN}", chat_id: "-1001234567890"}
/// ```
///
/// The bot token is a secret and part of the URL: errors name the host only, and the token is masked in
/// anything that could carry it.
public struct TelegramDestination: NotificationDestination {
    public struct Settings: Decodable, Sendable {
        var botToken: String
        var chatId: ChatID
        var apiUrl: String?

        enum CodingKeys: String, CodingKey {
            case botToken = "bot_token", chatId = "chat_id", apiUrl = "api_url"
        }
    }

    /// `chat_id:` as written, quoted or not (`-1001234567890`, `@channel`).
    struct ChatID: Decodable, Sendable {
        var text: String
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { text = s } else { text = String(try c.decode(Int64.self)) }
        }
    }

    public static let kind = "telegram"
    public static let summary = "A Telegram bot's sendMessage to a chat"
    public static let settings: [SettingSpec] = [
        SettingSpec("bot_token", "string", required: true, "the bot's token from @BotFather; write it as ${TG_BOT_TOKEN}"),
        SettingSpec("chat_id", "string", required: true, "the chat, group or channel: its id (-1001234567890) or @channelname"),
        SettingSpec("api_url", "url", "the Bot API server (default https://api.telegram.org)"),
    ]
    static let defaultAPI = "https://api.telegram.org"
    /// Telegram refuses a longer message text.
    static let limit = 4096

    public let name: String
    let chatID: String
    let post: HTTPPost

    public init(name: String, settings: Settings) throws {
        self.name = name
        let token = settings.botToken.trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else {
            throw DestinationSettingsError(key: "bot_token", "is empty (an unset ${TG_BOT_TOKEN}?): give the bot's token from @BotFather")
        }
        guard token.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "/" && $0 != "?" && $0 != "#" }) else {
            throw DestinationSettingsError(key: "bot_token", "is not a bot token (expected digits, a colon and letters, without spaces or /)")
        }
        chatID = settings.chatId.text.trimmingCharacters(in: .whitespaces)
        guard !chatID.isEmpty else {
            throw DestinationSettingsError(key: "chat_id", "is empty: give the chat's id (-1001234567890) or @channelname")
        }
        var api = settings.apiUrl ?? Self.defaultAPI
        while api.hasSuffix("/") { api.removeLast() }
        let endpoint = try HTTPEndpoint(api, key: "api_url", example: Self.defaultAPI)
        post = HTTPPost(url: "\(endpoint.url)/bot\(token)/sendMessage",
                        headers: [("Content-Type", "application/json; charset=utf-8")],
                        shownAs: "Telegram at \(endpoint.host)", secrets: [token, "bot" + token],
                        reason: { body in
                            guard let d = (try? JSONParser.parse(body))?["description"]?.string else { return nil }
                            return d.count > 200 ? String(d.prefix(197)) + "..." : d
                        })
    }

    static let markup = ChatMarkup(
        service: "Telegram", limit: limit,
        escape: { $0.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;") },
        bold: { "<b>\($0)</b>" }, code: { "<pre>\($0)</pre>" }, note: { "<i>\($0)</i>" })

    /// The JSON body of `message`: a numeric chat id as a number, `@channel` as a string.
    func body(_ message: NotificationMessage) -> String {
        let chat = Int64(chatID).map(String.init) ?? JSONString.quoted(chatID)
        return "{\"chat_id\":\(chat),\"text\":\(JSONString.quoted(ChatText.compose(message, Self.markup))),\"parse_mode\":\"HTML\"}"
    }

    public func deliver(_ message: NotificationMessage) async throws {
        _ = try await post.deliver(Array(body(message).utf8))
    }
}
