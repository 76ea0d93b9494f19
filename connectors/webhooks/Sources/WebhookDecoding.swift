import Foundation
import SwitchboardCore

/// Decoding helpers shared by the webhook kinds.
enum WebhookJSON {
    /// Parses the body; a body that is not JSON is a format error (kept as a dead letter by the server).
    static func parse(_ request: WebhookRequest) throws -> JSONValue {
        do {
            return try JSONParser.parse(request.body)
        } catch {
            throw ConnectorError(.format, "body is not JSON: \(error)")
        }
    }

    /// `webhook:<source>@<received time>` — where a delivery came from.
    static func provenance(_ source: String, _ request: WebhookRequest, _ detail: String? = nil) -> String {
        let base = "webhook:\(source)@\(Timestamp.formatISO8601(request.receivedAt))"
        guard let detail else { return base }
        return base + "#" + detail
    }

    /// Seconds or milliseconds since the epoch, as a number or a string.
    static func epoch(_ value: JSONValue?, milliseconds: Bool = false) -> Date? {
        guard let value else { return nil }
        let n: Double?
        switch value {
        case .number(let d): n = d
        case .string(let s): n = Double(s)
        default: n = nil
        }
        guard let n, n.isFinite, n > 0 else { return nil }
        return Date(timeIntervalSince1970: milliseconds ? n / 1000 : n)
    }

    /// A missing-field problem for one part of a delivery.
    static func missing(_ field: String, at path: String) -> String {
        "\(path): missing or invalid `\(field)`"
    }
}

extension WebhookDelivery {
    /// Records a part of the delivery that could not be decoded; the whole body is kept as its raw payload.
    mutating func reject(_ reason: String, body: Data) {
        rejected.append(Rejected(reason: reason, raw: body))
    }
}

/// Agents and business-side ids, looked up the same way by every kind.
struct BusinessSide: Sendable {
    var platform: String
    var ids: Set<String>
    var agents: AgentDirectory

    /// The configured agent behind a platform handle.
    func agent(_ handle: String?) -> String? {
        guard let handle else { return nil }
        return agents.agent(platform: platform, handle: handle)
    }

    /// Whether `id` is one of the business's own accounts (page, bot, business number).
    func isBusiness(_ id: String?) -> Bool {
        guard let id else { return false }
        return ids.contains(id)
    }
}
