import Foundation
import SwitchboardCore

/// The `values:` setting of `kind: jsonl`: a system's own words for the schema's enumerated fields,
/// `{field: {their value: schema value}}` — `values: {channel: {telephone: phone}, actorRole: {operator: agent}}`.
/// A value not listed is read as it is (and must then be a schema value).
struct ValueMap: Sendable {
    /// The fields that take a map.
    static let fields: [String: [String]] = [
        "channel": Channel.allCases.map(\.rawValue), "kind": InteractionKind.allCases.map(\.rawValue),
        "direction": Direction.allCases.map(\.rawValue), "actorRole": ActorRole.allCases.map(\.rawValue),
        "call.outcome": CallOutcome.allCases.map(\.rawValue), "survey.metric": SurveyMetric.allCases.map(\.rawValue),
        "status.to": ConversationState.allCases.map(\.rawValue),
    ]

    private let map: [String: [String: String]]

    init() { map = [:] }

    /// - Throws: ``ConnectorError`` `.settings` naming an unknown field or a target that is not a schema value.
    init(setting: [String: [String: String]]?) throws {
        for (field, pairs) in setting ?? [:] {
            guard let allowed = Self.fields[field] else {
                throw ConnectorError(.settings, "values: unknown field '\(field)'; fields: \(Self.fields.keys.sorted().joined(separator: ", "))")
            }
            for (from, to) in pairs where !allowed.contains(to) {
                throw ConnectorError(.settings, "values.\(field).\(from): '\(to)' is not one of \(allowed.joined(separator: ", "))")
            }
        }
        map = setting ?? [:]
    }

    /// The schema value for a field's value as read (unchanged when not mapped).
    func schemaValue(_ field: String, _ raw: String?) -> String? {
        guard let raw else { return nil }
        return map[field]?[raw] ?? raw
    }
}
