import Foundation
import SwitchboardCore

/// Why a JSON object is not an interaction: the field and what was expected.
struct FieldError: Error, CustomStringConvertible {
    var field: String
    var message: String
    var description: String { "\(field): \(message)" }
}

/// Maps one JSON object in the DESIGN §3 field names to an ``Interaction``.
enum InteractionJSON {
    static let required = ["externalId", "channel", "conversationKey", "kind", "direction", "actorRole", "occurredAt"]

    /// One pass over the object's members (the hot path of big imports), then validation.
    static func interaction(from value: JSONValue, defaultSource: String, provenance: String,
                            values: ValueMap = ValueMap()) throws -> Interaction {
        guard case .object(let members) = value else { throw FieldError(field: "line", message: "expected a JSON object") }
        var f = Fields()
        for (key, v) in members where !v.isNull {
            switch key {
            case "id": f.id = try text(v, key)
            case "source": f.source = try text(v, key)
            case "externalId": f.externalId = try text(v, key)
            case "channel": f.channel = try text(v, key)
            case "platform": f.platform = try text(v, key)
            case "conversationKey": f.conversationKey = try text(v, key)
            case "kind": f.kind = try text(v, key)
            case "direction": f.direction = try text(v, key)
            case "actorRole": f.actorRole = try text(v, key)
            case "actorId": f.actorId = try text(v, key)
            case "actorName": f.actorName = try text(v, key)
            case "customerKey": f.customerKey = try text(v, key)
            case "occurredAt": f.occurredAt = try text(v, key)
            case "subject": f.subject = try text(v, key)
            case "text": f.text = try text(v, key)
            case "provenance": f.provenance = try text(v, key)
            case "attachments":
                guard let n = v.number, n >= 0, n.rounded() == n else {
                    throw FieldError(field: "attachments", message: "expected a whole number ≥ 0")
                }
                f.attachments = Int(n)
            case "call": f.call = try callInfo(v, values)
            case "callDetails": f.callDetails = try callDetails(v)
            case "survey": f.survey = try surveyInfo(v, values)
            case "status": f.status = StatusInfo(to: try enumeration(v, "to", prefix: "status.", values))
            case "topics": f.topics = try topics(v)
            default: break
            }
        }
        let kind: InteractionKind = try parse(values.schemaValue("kind", f.kind), "kind")
        if kind == .call && f.call == nil { throw FieldError(field: "call", message: "required when kind is call") }
        if kind == .survey && f.survey == nil { throw FieldError(field: "survey", message: "required when kind is survey") }
        if kind == .status && f.status == nil { throw FieldError(field: "status", message: "required when kind is status") }
        let stamp = try required(f.occurredAt, "occurredAt")
        guard let occurredAt = Timestamp.parseISO8601(stamp) else {
            throw FieldError(field: "occurredAt", message: "expected an ISO 8601 timestamp with offset (2026-03-01T10:00:00Z), got '\(stamp)'")
        }
        return Interaction(
            id: f.id, source: f.source ?? defaultSource, externalId: try required(f.externalId, "externalId"),
            channel: try parse(values.schemaValue("channel", f.channel), "channel"), platform: f.platform ?? "other",
            conversationKey: try required(f.conversationKey, "conversationKey"), kind: kind,
            direction: try parse(values.schemaValue("direction", f.direction), "direction"),
            actorRole: try parse(values.schemaValue("actorRole", f.actorRole), "actorRole"),
            actorId: f.actorId, actorName: f.actorName, customerKey: f.customerKey, occurredAt: occurredAt,
            call: f.call, callDetails: kind == .call ? f.callDetails : nil, survey: f.survey, status: f.status, subject: f.subject, text: f.text,
            attachments: f.attachments, provenance: f.provenance ?? provenance, topics: f.topics)
    }

    /// `"topics": ["vip", "billing"]`: a list of short labels (a single string is one label).
    static func topics(_ v: JSONValue) throws -> [String] {
        switch v {
        case .null: return []
        case .string(let s): return [s]
        case .array(let items):
            return try items.map { item in
                guard case .string(let s) = item else {
                    throw FieldError(field: "topics", message: "expected a list of strings such as [\"vip\", \"billing\"]")
                }
                return s
            }
        default: throw FieldError(field: "topics", message: "expected a list of strings such as [\"vip\", \"billing\"]")
        }
    }

    /// The members of one line as read, before validation.
    private struct Fields {
        var id, source, externalId, channel, platform, conversationKey, kind, direction, actorRole: String?
        var actorId, actorName, customerKey, occurredAt, subject, text, provenance: String?
        var attachments = 0
        var topics: [String] = []
        var call: CallInfo?
        var callDetails: CallDetails?
        var survey: SurveyInfo?
        var status: StatusInfo?
    }

    private static func text(_ v: JSONValue, _ key: String) throws -> String {
        guard let s = v.stringOrNumber else { throw FieldError(field: key, message: "expected a string") }
        return s
    }

    private static func required(_ value: String?, _ key: String) throws -> String {
        guard let value, !value.isEmpty else { throw FieldError(field: key, message: "required field is missing or empty") }
        return value
    }

    private static func parse<E: RawRepresentable & CaseIterable>(_ raw: String?, _ key: String) throws -> E
    where E.RawValue == String {
        let raw = try required(raw, key)
        guard let e = E(rawValue: raw) else {
            throw FieldError(field: key, message: "'\(raw)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return e
    }

    static func callInfo(_ v: JSONValue, _ values: ValueMap = ValueMap()) throws -> CallInfo {
        CallInfo(queue: try optionalString(v, "queue", prefix: "call."), agentId: try optionalString(v, "agentId", prefix: "call."),
                 waitSeconds: try optionalNumber(v, "waitSeconds", prefix: "call."),
                 talkSeconds: try optionalNumber(v, "talkSeconds", prefix: "call."),
                 outcome: try enumeration(v, "outcome", prefix: "call.", values))
    }

    /// `"callDetails": {"context": …, "lastApp": …, "exitPosition": 2, …}`: where a call ended (every field optional).
    static func callDetails(_ v: JSONValue) throws -> CallDetails? {
        func position(_ key: String) throws -> Int? {
            guard let n = try optionalNumber(v, key, prefix: "callDetails.") else { return nil }
            guard n >= 1, n.rounded() == n, n < 1e9 else { throw FieldError(field: "callDetails.\(key)", message: "expected a whole number ≥ 1") }
            return Int(n)
        }
        func seconds(_ key: String) throws -> Double? {
            guard let n = try optionalNumber(v, key, prefix: "callDetails.") else { return nil }
            guard n >= 0 else { throw FieldError(field: "callDetails.\(key)", message: "expected a number of seconds ≥ 0") }
            return n
        }
        return CallDetails(
            context: try optionalString(v, "context", prefix: "callDetails."), lastApp: try optionalString(v, "lastApp", prefix: "callDetails."),
            lastData: try optionalString(v, "lastData", prefix: "callDetails."), entryPosition: try position("entryPosition"),
            exitPosition: try position("exitPosition"), exitKey: try optionalString(v, "exitKey", prefix: "callDetails."),
            holdSeconds: try seconds("holdSeconds"), durationSeconds: try seconds("durationSeconds")).normalized
    }

    static func surveyInfo(_ v: JSONValue, _ values: ValueMap = ValueMap()) throws -> SurveyInfo {
        let metric: SurveyMetric = try enumeration(v, "metric", prefix: "survey.", values)
        guard let score = try optionalNumber(v, "score", prefix: "survey.") else {
            throw FieldError(field: "survey.score", message: "required")
        }
        let defaults: (Double, Double) = metric == .nps ? (0, 10) : (metric == .csat ? (1, 5) : (1, 7))
        let lo = try optionalNumber(v, "scaleMin", prefix: "survey.") ?? defaults.0
        let hi = try optionalNumber(v, "scaleMax", prefix: "survey.") ?? defaults.1
        guard lo < hi, score >= lo, score <= hi else {
            throw FieldError(field: "survey.score", message: "expected a score within \(lo)…\(hi), got \(score)")
        }
        return SurveyInfo(metric: metric, score: score, scaleMin: lo, scaleMax: hi)
    }

    static func string(_ v: JSONValue, _ key: String, prefix: String = "") throws -> String {
        guard let s = try optionalString(v, key, prefix: prefix), !s.isEmpty else {
            throw FieldError(field: prefix + key, message: "required field is missing or empty")
        }
        return s
    }

    static func optionalString(_ v: JSONValue, _ key: String, prefix: String = "") throws -> String? {
        guard let x = v[key], !x.isNull else { return nil }
        guard let s = x.stringOrNumber else { throw FieldError(field: prefix + key, message: "expected a string") }
        return s
    }

    static func optionalNumber(_ v: JSONValue, _ key: String, prefix: String = "") throws -> Double? {
        guard let x = v[key], !x.isNull else { return nil }
        if let n = x.number { return n }
        if let s = x.string, let n = Double(s) { return n }
        throw FieldError(field: prefix + key, message: "expected a number")
    }

    static func enumeration<E: RawRepresentable & CaseIterable>(_ v: JSONValue, _ key: String, prefix: String = "",
                                                                _ values: ValueMap = ValueMap()) throws -> E
    where E.RawValue == String {
        let raw = values.schemaValue(prefix + key, try string(v, key, prefix: prefix)) ?? ""
        guard let e = E(rawValue: raw) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw FieldError(field: prefix + key, message: "'\(raw)' is not one of \(allowed)")
        }
        return e
    }
}
