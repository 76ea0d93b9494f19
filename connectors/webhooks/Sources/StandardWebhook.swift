import Foundation
import SwitchboardCore

/// Generic deliveries signed per the Standard Webhooks specification (FORMATS §3),
/// mapped to interaction fields by JSON pointers — how a helpdesk pushes messages,
/// status changes and survey answers.
///
/// Verification: `webhook-signature` holds space-separated `v1,<base64 HMAC-SHA256(key,
/// id + "." + timestamp + "." + body)>`; any configured `whsec_…` key may match (rotation);
/// `webhook-timestamp` must be within ±300 s. Dedupe key: `webhook-id`, unless the
/// mapping names `externalId`. The `topics` field reads a string (one topic) or an array of strings.
public struct StandardWebhook: WebhookDeliveryDecoding {
    public struct Settings: Decodable, Sendable {
        public var secret: StringList?
        public var mapping: [String: String]?
        public var event_type: String?
        public var events: [String: [String: String]]?
        public var tolerance: String?
    }

    /// One string or a list of strings in YAML.
    public struct StringList: Decodable, Sendable {
        public var values: [String]
        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let one = try? c.decode(String.self) { values = [one] } else { values = try c.decode([String].self) }
        }
    }

    public static let kind = "standard-webhooks"
    public static let summary = "Standard Webhooks deliveries (webhook-id/timestamp/signature) mapped by JSON pointers"
    public static let settings: [SettingSpec] = [
        SettingSpec("secret", "string or [string]", required: true,
                    "`whsec_…` signing key; a list during key rotation (any one may sign)"),
        SettingSpec("mapping", "{field: pointer-or-constant}",
                    "interaction field → JSON pointer into the body (`/data/ticket_id`) or a constant (`chat`); required unless `events` maps every type; `topics` may point at a string or an array of strings"),
        SettingSpec("event_type", "string", "JSON pointer to the delivery's event type (`/type`); selects an entry of `events`"),
        SettingSpec("events", "{type: {field: pointer-or-constant}}",
                    "per event type mapping merged over `mapping`; types not listed are acknowledged and counted as ignored"),
        SettingSpec("tolerance", "duration", "accepted distance of webhook-timestamp from now (default 5m)"),
    ]

    /// Fields the mapping may name.
    static let fields: Set<String> = [
        "externalId", "channel", "platform", "conversationKey", "kind", "direction", "actorRole", "actorId",
        "actorName", "customerKey", "occurredAt", "status", "survey.metric", "survey.score", "survey.scaleMin",
        "survey.scaleMax", "subject", "text", "attachments", "topics",
    ]

    let name: String
    let verifier: StandardWebhooks.Verifier
    let mapping: [String: String]
    let eventType: String?
    /// Per event type: `mapping` with the event's own fields over it.
    let events: [String: [String: String]]?
    let tolerance: TimeInterval

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        guard let secrets = settings.secret?.values, !secrets.isEmpty, !secrets.contains(where: \.isEmpty) else {
            throw ConnectorError(.settings, "`secret` is required for kind standard-webhooks: a `whsec_…` key, e.g. `secret: ${HELPDESK_WEBHOOK_SECRET}`")
        }
        verifier = StandardWebhooks.Verifier(keys: try secrets.map { s in
            do { return try StandardWebhooks.key(fromSecret: s) } catch {
                throw ConnectorError(.settings, "`secret` must be a `whsec_` key followed by base64")
            }
        })
        let mapping = settings.mapping ?? [:]
        let all = [("mapping", mapping)] + (settings.events ?? [:]).sorted { $0.key < $1.key }.map { ("events.\($0.key)", $0.value) }
        for (key, map) in all {
            let unknown = map.keys.filter { !Self.fields.contains($0) }.sorted()
            guard unknown.isEmpty else {
                throw ConnectorError(.settings, "unknown field(s) \(unknown.joined(separator: ", ")) in `\(key)`; known: \(Self.fields.sorted().joined(separator: ", "))")
            }
            if let constant = map["topics"], !constant.hasPrefix("/"), Topics.normalize(label: constant) == nil {
                throw ConnectorError(.settings, "`\(key).topics` is empty: give a JSON pointer such as /data/tags (a string or an array of strings) or a topic")
            }
            if !(key == "mapping" && settings.events != nil), map.merging(mapping, uniquingKeysWith: { a, _ in a })["conversationKey"] == nil {
                throw ConnectorError(.settings, "`\(key).conversationKey` is required (a JSON pointer such as /data/ticket_id)")
            }
        }
        if settings.events != nil, settings.event_type == nil {
            throw ConnectorError(.settings, "`events` needs `event_type`, the JSON pointer to the delivery's type (e.g. /type)")
        }
        self.mapping = mapping
        eventType = settings.event_type
        // Each event's fields over `mapping`, merged once here rather than per delivery.
        events = settings.events?.mapValues { specific in mapping.merging(specific) { _, new in new } }
        if let t = settings.tolerance {
            guard let seconds = DurationText.seconds(t) else {
                throw ConnectorError(.settings, "`tolerance` must be a duration such as 300s or 5m, not '\(t)'")
            }
            tolerance = seconds
        } else {
            tolerance = WebhookSignature.tolerance
        }
    }

    public func handshake(_ request: WebhookRequest) -> WebhookResponse? { nil }

    public func verify(_ request: WebhookRequest) throws {
        guard let id = request.headers["webhook-id"], let ts = request.headers["webhook-timestamp"],
              let header = request.headers["webhook-signature"] else {
            throw WebhookSignature.mismatch("webhook-id, webhook-timestamp or webhook-signature missing")
        }
        guard verifier.matches(header, id: id, timestamp: ts, body: request.body) else { throw WebhookSignature.mismatch("no webhook-signature matches") }
        try WebhookSignature.checkFresh(ts, now: request.receivedAt, tolerance: tolerance)
    }

    public func decodeDelivery(_ request: WebhookRequest) throws -> WebhookDelivery {
        let body = try WebhookJSON.parse(request)
        var fields = mapping
        if let eventType, let events {
            let type = body.pointer(eventType)?.stringOrNumber ?? "unknown"
            guard let merged = events[type] else {
                var delivery = WebhookDelivery()
                delivery.ignore("standard-webhooks.\(type)")
                return delivery
            }
            fields = merged
        }
        let map = FieldMap(mapping: fields, body: body)
        let webhookId = request.headers["webhook-id"] ?? ""
        let kind = try map.enumValue("kind", InteractionKind.self) ?? .message
        let defaults = Self.defaults(for: kind)
        guard let conversationKey = map.text("conversationKey") else {
            throw ConnectorError(.format, "mapping.conversationKey (\(fields["conversationKey"] ?? "")) found nothing in the body")
        }
        let mappedTime = try map.date("occurredAt") ?? WebhookJSON.epoch(.string(request.headers["webhook-timestamp"] ?? ""))
        guard let occurredAt = mappedTime else { throw ConnectorError(.format, "no occurredAt: map it or send webhook-timestamp") }
        var status: StatusInfo?
        var survey: SurveyInfo?
        if kind == .status {
            guard let to = try map.enumValue("status", ConversationState.self) else {
                throw ConnectorError(.format, "a status delivery needs mapping.status (open, pending, resolved, reopened)")
            }
            status = StatusInfo(to: to)
        }
        if kind == .survey {
            guard let metric = try map.enumValue("survey.metric", SurveyMetric.self), let score = map.number("survey.score") else {
                throw ConnectorError(.format, "a survey delivery needs mapping.survey.metric (csat, nps, ces) and survey.score")
            }
            let scale: (Double, Double) = metric == .nps ? (0, 10) : (1, 5)
            survey = SurveyInfo(metric: metric, score: score, scaleMin: map.number("survey.scaleMin") ?? scale.0,
                                scaleMax: map.number("survey.scaleMax") ?? scale.1)
        }
        let interaction = Interaction(
            source: name, externalId: map.text("externalId") ?? webhookId,
            channel: try map.enumValue("channel", Channel.self) ?? .web, platform: map.text("platform") ?? "webhook",
            conversationKey: conversationKey, kind: kind,
            direction: try map.enumValue("direction", Direction.self) ?? defaults.0,
            actorRole: try map.enumValue("actorRole", ActorRole.self) ?? defaults.1,
            actorId: map.text("actorId"), actorName: map.text("actorName"), customerKey: map.text("customerKey"),
            occurredAt: occurredAt, survey: survey, status: status, subject: map.text("subject"), text: map.text("text"),
            attachments: Int(map.number("attachments") ?? 0),
            provenance: WebhookJSON.provenance(name, request, "webhook-id=\(webhookId)"), topics: try map.topics("topics"))
        return WebhookDelivery(interactions: [interaction])
    }

    /// Direction and actor when the mapping does not say: surveys come from the customer,
    /// status changes from the helpdesk, messages from the customer.
    static func defaults(for kind: InteractionKind) -> (Direction, ActorRole) {
        switch kind {
        case .status: return (.internal, .system)
        default: return (.inbound, .customer)
        }
    }
}

/// Reads mapped fields: a value starting with `/` is a JSON pointer into the body, anything else a constant.
struct FieldMap {
    let mapping: [String: String]
    let body: JSONValue

    func raw(_ field: String) -> JSONValue? {
        guard let spec = mapping[field] else { return nil }
        if spec.hasPrefix("/") {
            guard let v = body.pointer(spec), !v.isNull else { return nil }
            return v
        }
        return .string(spec)
    }

    func text(_ field: String) -> String? {
        guard let v = raw(field) else { return nil }
        if let b = v.bool { return b ? "true" : "false" }
        return v.stringOrNumber
    }

    func number(_ field: String) -> Double? {
        guard let v = raw(field) else { return nil }
        return v.number ?? v.string.flatMap(Double.init)
    }

    /// Topics: a string is one topic, an array of strings (or numbers) several; nothing mapped or found: none.
    /// - Throws: ``ConnectorError`` `.format` when the value is an object, a boolean or an array holding one.
    func topics(_ field: String) throws -> [String] {
        guard let v = raw(field) else { return [] }
        if let one = v.stringOrNumber { return Topics.normalize([one]) }
        guard let items = v.array else {
            throw ConnectorError(.format, "mapping.\(field) (\(mapping[field] ?? "")): expected a string or an array of strings")
        }
        var labels: [String] = []
        labels.reserveCapacity(items.count)
        for item in items where !item.isNull {
            guard let label = item.stringOrNumber else {
                throw ConnectorError(.format, "mapping.\(field) (\(mapping[field] ?? "")): expected a string or an array of strings, found an array holding something else")
            }
            labels.append(label)
        }
        return Topics.normalize(labels)
    }

    func date(_ field: String) throws -> Date? {
        guard let v = raw(field) else { return nil }
        if let s = v.string, let d = Timestamp.parseISO8601(s) { return d }
        if let n = v.number ?? v.string.flatMap(Double.init) {
            return Date(timeIntervalSince1970: n > 1e11 ? n / 1000 : n)
        }
        throw ConnectorError(.format, "mapping.\(field): '\(v.stringOrNumber ?? "?")' is neither ISO 8601 nor epoch seconds/milliseconds")
    }

    func enumValue<E: RawRepresentable & CaseIterable>(_ field: String, _ type: E.Type) throws -> E? where E.RawValue == String {
        guard let s = text(field) else { return nil }
        guard let e = E(rawValue: s.lowercased()) else {
            throw ConnectorError(.format, "mapping.\(field): '\(s)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return e
    }
}

/// `30s`, `5m`, `72h`, `7d` → seconds.
enum DurationText {
    static func seconds(_ text: String) -> TimeInterval? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let unit = t.last, let n = Double(t.dropLast()), n >= 0 else { return Double(t) }
        switch unit {
        case "s": return n
        case "m": return n * 60
        case "h": return n * 3600
        case "d": return n * 86400
        default: return nil
        }
    }
}
