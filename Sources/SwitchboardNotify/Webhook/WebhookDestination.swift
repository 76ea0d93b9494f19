import Foundation
import SwitchboardCore

/// `kind: webhook` — a JSON POST signed the Standard Webhooks way (the scheme the `standard-webhooks`
/// connector verifies, ``StandardWebhooks``): headers `webhook-id`, `webhook-timestamp` (Unix seconds) and
/// `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed by the decoded `whsec_` secret.
///
/// ```yaml
/// notifications:
///   ops: {kind: webhook, url: "https://ops.example.com/hook", secret: "${OPS_WEBHOOK_SECRET}"}
/// ```
///
/// The body is the message's ``NotificationEvent`` as `{"type", "timestamp", "data"}` (a report: its name,
/// period and JSON report); a message without one is sent as type `message` with `subject` and `text`. The
/// `webhook-id` is derived from the event's id, so a retry of the same notification carries the same id and a
/// receiver can drop the repeat.
public struct WebhookDestination: NotificationDestination {
    public struct Settings: Decodable, Sendable {
        var url: String
        var secret: String
    }

    public static let kind = "webhook"
    public static let summary = "A JSON POST signed the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature)"
    public static let settings: [SettingSpec] = [
        SettingSpec("url", "url", required: true, "where to POST: https://…, or http:// to 127.0.0.1"),
        SettingSpec("secret", "string", required: true, "the signing key, whsec_ followed by base64; write it as ${OPS_WEBHOOK_SECRET}"),
    ]

    public let name: String
    let key: Data
    let post: HTTPPost

    public init(name: String, settings: Settings) throws {
        self.name = name
        let endpoint = try HTTPEndpoint(settings.url, key: "url", example: "https://ops.example.com/hook")
        guard !settings.secret.isEmpty else {
            throw DestinationSettingsError(key: "secret", "is empty (an unset ${ENV_VAR}?): give the whsec_… signing key")
        }
        do { key = try StandardWebhooks.key(fromSecret: settings.secret) } catch {
            throw DestinationSettingsError(key: "secret", "expected a signing key: whsec_ followed by base64 (the receiver's secret)")
        }
        post = HTTPPost(url: endpoint.url, shownAs: "the webhook at \(endpoint.host)", secrets: [settings.secret])
    }

    /// `msg_` and 32 hex digits, the same for every send of one notification to this destination.
    func id(_ message: NotificationMessage) -> String {
        guard let event = message.event else { return "msg_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "") }
        let mac = StandardWebhooks.hmacSHA256(key: key, [Data("\(name)\n\(event.id)".utf8)])
        return "msg_" + mac.prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// The signed request of `message` at `now`: its headers and body.
    func request(_ message: NotificationMessage, now: Date) -> (headers: [(String, String)], body: Data) {
        let event = message.event ?? NotificationEvent(type: "message", id: "", data: [
            .init("subject", .string(message.subject)), .init("text", .string(message.text)),
        ])
        let body = Data(event.json(timestamp: now).utf8)
        let id = id(message), timestamp = String(Int64(now.timeIntervalSince1970))
        return ([("Content-Type", "application/json"), ("webhook-id", id), ("webhook-timestamp", timestamp),
                 ("webhook-signature", StandardWebhooks.signature(key: key, id: id, timestamp: timestamp, body: body))], body)
    }

    public func deliver(_ message: NotificationMessage) async throws {
        let (headers, body) = request(message, now: Date())
        var post = self.post
        post.headers = headers
        _ = try await post.deliver(Array(body))
    }
}
