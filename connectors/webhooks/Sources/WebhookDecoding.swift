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

/// A `topics:`-style setting: a platform id (page, account, number, channel) → the topic it gives.
///
/// Labels are put in ``Topics`` normal form once, when the settings are read, each in a one-element
/// array kept for the connector's life: a lookup hands out a stored array and allocates nothing.
struct TopicMap: Sendable {
    private var byId: [String: [String]] = [:]

    /// An empty map (nothing configured).
    init() {}

    /// Reads `setting` (nil: nothing mapped).
    /// - Parameters:
    ///   - key: the setting's name, for errors (`topics`).
    ///   - kind: the connector kind, for errors.
    ///   - label: rewrites a value before it is normalised (e.g. drops a leading `#`).
    /// - Throws: ``ConnectorError`` `.settings` naming `key.<id>` for an empty id or a value with no label left.
    init(_ setting: [String: String]?, key: String, kind: String, label: (String) -> String = { $0 }) throws {
        for (id, value) in setting ?? [:] {
            let trimmed = id.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else {
                throw ConnectorError(.settings, "`\(key)` has an empty id for kind \(kind): write `\(key): {\"<id>\": \"<topic>\"}`")
            }
            guard let topic = Topics.normalize(label: label(value)) else {
                throw ConnectorError(.settings, "`\(key).\(trimmed)` is empty for kind \(kind): give the topic to record, e.g. `\(key): {\"\(trimmed)\": \"sales\"}`")
            }
            byId[trimmed] = [topic]
        }
    }

    var isEmpty: Bool { byId.isEmpty }

    /// The topics `id` is mapped to; nil when it is not mapped.
    func topics(_ id: String?) -> [String]? {
        guard let id, !byId.isEmpty else { return nil }
        return byId[id]
    }

    /// Whether some id satisfies `predicate` (settings checks).
    func containsId(where predicate: (String) -> Bool) -> String? {
        byId.keys.sorted().first(where: predicate)
    }
}

/// A `{id: topic}` setting as written in YAML (`topics`, `channels`); ids are usually numbers (Page
/// ids, phone numbers), quoted or not.
public struct IdTopicSetting: Decodable, Sendable {
    public var entries: [String: String]

    public init(_ entries: [String: String]) { self.entries = entries }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        var out: [String: String] = [:]
        for key in c.allKeys { out[key.stringValue] = try c.decode(String.self, forKey: key) }
        entries = out
    }
}
