import Foundation
import SwitchboardCore

/// `kind: slack` — a message posted to a Slack incoming webhook: JSON `{"text": …}`, the subject as a bold
/// title line and the text below it (a report's table in a code block), at most 40,000 characters (Slack's
/// limit; a longer report is cut at a line and says so).
///
/// ```yaml
/// notifications:
///   team: {kind: slack, url: "${SLACK_WEBHOOK_URL}"}
/// ```
///
/// The webhook URL is a secret (its path is the key to the channel): errors name only its host.
public struct SlackDestination: NotificationDestination {
    public struct Settings: Decodable, Sendable {
        var url: String
    }

    public static let kind = "slack"
    public static let summary = "A Slack incoming webhook (JSON {\"text\": …})"
    public static let settings: [SettingSpec] = [
        SettingSpec("url", "url", required: true,
                    "the incoming webhook's URL, https://hooks.slack.com/services/…; write it as ${SLACK_WEBHOOK_URL}"),
    ]
    /// Slack truncates a message's text beyond this.
    static let limit = 40_000

    public let name: String
    let post: HTTPPost

    public init(name: String, settings: Settings) throws {
        self.name = name
        let endpoint = try HTTPEndpoint(settings.url, key: "url", example: "https://hooks.slack.com/services/T000/B000/XXXX")
        var secrets = [endpoint.url]
        if let path = URLComponents(string: endpoint.url)?.path, path.count > 1 { secrets.append(path) }
        post = HTTPPost(url: endpoint.url, headers: [("Content-Type", "application/json; charset=utf-8")],
                        shownAs: "the Slack webhook at \(endpoint.host)", secrets: secrets)
    }

    static let markup = ChatMarkup(
        service: "Slack", limit: limit,
        escape: { $0.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;") },
        bold: { "*\($0)*" }, code: { "```\n\($0)\n```" }, note: { "_\($0)_" })

    /// The JSON body of `message`.
    static func body(_ message: NotificationMessage) -> String {
        "{\"text\":\(JSONString.quoted(ChatText.compose(message, markup)))}"
    }

    public func deliver(_ message: NotificationMessage) async throws {
        _ = try await post.deliver(Array(Self.body(message).utf8))
    }
}
