import Foundation

/// How a chat destination (Slack, Telegram) shows a message's ``NotificationMessage/text``.
public enum NotificationTextStyle: Sendable, Hashable {
    /// Prose: sent as text (an alert's lines).
    case plain
    /// Fixed-width text whose columns must line up (a report's table): sent in a code block.
    case preformatted
}

/// A notification as data, for destinations that post JSON (`kind: webhook`): what it is about (`type`),
/// an identity that stays the same when the same notification is sent again (a retry), and its fields.
///
/// A scheduled report is `type: report` with the report's name, period and JSON report; an alert will be
/// `type: alert` with its rule, state (`warning`, `breached`, `resolved`), source, conversation key,
/// customer, channel, waiting since and agent — the same type, other fields.
///
/// ```swift
/// let event = NotificationEvent(type: "alert", id: "alert:chat-frt:helpdesk:T-1:breached", data: [
///     .init("rule", .string("frt_breached")), .init("state", .string("breached")),
///     .init("waiting_since", .time(start)), .init("agent", .null),
/// ])
/// event.json(timestamp: Date())   // {"type":"alert","timestamp":"…","data":{"rule":"frt_breached",…}}
/// ```
public struct NotificationEvent: Sendable, Hashable {
    /// One member of `data`.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: Value
        public init(_ name: String, _ value: Value) {
            self.name = name
            self.value = value
        }
    }

    /// A field's value as JSON.
    public enum Value: Sendable, Hashable {
        case string(String)
        case number(Double)
        case bool(Bool)
        /// An instant, written as ISO 8601 in UTC.
        case time(Date)
        case strings([String])
        case null
        /// A JSON document written elsewhere (the JSON report), inserted as it is; it must be valid JSON.
        case json(String)
    }

    /// `report`; alerts will use `alert`.
    public var type: String
    /// The same for every send of one notification (a report's slot, an alert's state change), so a receiver
    /// can drop a repeat; `kind: webhook` derives its `webhook-id` from it.
    public var id: String
    public var data: [Field]

    public init(type: String, id: String, data: [Field]) {
        self.type = type
        self.id = id
        self.data = data
    }

    /// The JSON body `{"type":…,"timestamp":…,"data":{…}}` (the Standard Webhooks payload shape), `timestamp`
    /// being when it is sent.
    public func json(timestamp: Date) -> String {
        let members = data.map { JSONString.quoted($0.name) + ":" + Self.text($0.value) }
        return "{\"type\":\(JSONString.quoted(type)),\"timestamp\":\(JSONString.quoted(Timestamp.formatISO8601(timestamp))),"
            + "\"data\":{\(members.joined(separator: ","))}}"
    }

    static func text(_ value: Value) -> String {
        switch value {
        case .string(let s): return JSONString.quoted(s)
        case .number(let n): return n.isFinite ? (n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)) : "null"
        case .bool(let b): return b ? "true" : "false"
        case .time(let d): return JSONString.quoted(Timestamp.formatISO8601(d))
        case .strings(let a): return "[" + a.map(JSONString.quoted).joined(separator: ",") + "]"
        case .null: return "null"
        case .json(let text):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? "null" : trimmed
        }
    }
}
