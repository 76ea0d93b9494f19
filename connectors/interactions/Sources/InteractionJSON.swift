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

    static func interaction(from value: JSONValue, defaultSource: String, provenance: String) throws -> Interaction {
        guard case .object = value else { throw FieldError(field: "line", message: "expected a JSON object") }
        let source = try optionalString(value, "source") ?? defaultSource
        let externalId = try string(value, "externalId")
        let channel: Channel = try enumeration(value, "channel")
        let call = try value["call"].flatMap { $0.isNull ? nil : try callInfo($0) }
        let survey = try value["survey"].flatMap { $0.isNull ? nil : try surveyInfo($0) }
        let status = try value["status"].flatMap { v -> StatusInfo? in
            v.isNull ? nil : StatusInfo(to: try enumeration(v, "to", prefix: "status."))
        }
        let kind: InteractionKind = try enumeration(value, "kind")
        if kind == .call && call == nil { throw FieldError(field: "call", message: "required when kind is call") }
        if kind == .survey && survey == nil { throw FieldError(field: "survey", message: "required when kind is survey") }
        if kind == .status && status == nil { throw FieldError(field: "status", message: "required when kind is status") }
        let stamp = try string(value, "occurredAt")
        guard let occurredAt = Timestamp.parseISO8601(stamp) else {
            throw FieldError(field: "occurredAt", message: "expected an ISO 8601 timestamp with offset (2026-03-01T10:00:00Z), got '\(stamp)'")
        }
        var attachments = 0
        if let a = value["attachments"], !a.isNull {
            guard let n = a.number, n >= 0, n.rounded() == n else {
                throw FieldError(field: "attachments", message: "expected a whole number ≥ 0")
            }
            attachments = Int(n)
        }
        return Interaction(
            id: try optionalString(value, "id"), source: source, externalId: externalId, channel: channel,
            platform: try optionalString(value, "platform") ?? "other",
            conversationKey: try string(value, "conversationKey"), kind: kind,
            direction: try enumeration(value, "direction"), actorRole: try enumeration(value, "actorRole"),
            actorId: try optionalString(value, "actorId"), actorName: try optionalString(value, "actorName"),
            customerKey: try optionalString(value, "customerKey"), occurredAt: occurredAt,
            call: call, survey: survey, status: status,
            subject: try optionalString(value, "subject"), text: try optionalString(value, "text"),
            attachments: attachments, provenance: try optionalString(value, "provenance") ?? provenance)
    }

    static func callInfo(_ v: JSONValue) throws -> CallInfo {
        CallInfo(queue: try optionalString(v, "queue", prefix: "call."), agentId: try optionalString(v, "agentId", prefix: "call."),
                 waitSeconds: try optionalNumber(v, "waitSeconds", prefix: "call."),
                 talkSeconds: try optionalNumber(v, "talkSeconds", prefix: "call."),
                 outcome: try enumeration(v, "outcome", prefix: "call."))
    }

    static func surveyInfo(_ v: JSONValue) throws -> SurveyInfo {
        let metric: SurveyMetric = try enumeration(v, "metric", prefix: "survey.")
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

    static func enumeration<E: RawRepresentable & CaseIterable>(_ v: JSONValue, _ key: String, prefix: String = "") throws -> E
    where E.RawValue == String {
        let raw = try string(v, key, prefix: prefix)
        guard let e = E(rawValue: raw) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw FieldError(field: prefix + key, message: "'\(raw)' is not one of \(allowed)")
        }
        return e
    }
}
