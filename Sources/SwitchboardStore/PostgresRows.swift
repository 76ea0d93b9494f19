import Foundation
import Logging
import PostgresNIO
import SwitchboardCore

/// Row ⇄ Interaction mapping of the PostgreSQL store
/// (column order of ``SQLiteSchema/columns``).
extension PostgresStore {
    /// Inserts a batch as one UNNEST statement (one array per column) and returns how many rows were new.
    static func insert(_ interactions: [Interaction], on conn: PostgresConnection, logger: Logger) async throws -> Int {
        let n = interactions.count
        func texts(_ value: (Interaction) -> String?) -> NullableArray {
            var out: [String?] = []
            out.reserveCapacity(n)
            for i in interactions { out.append(value(i)) }
            return .text(out)
        }
        func reals(_ value: (Interaction) -> Double?) -> NullableArray {
            var out: [Double?] = []
            out.reserveCapacity(n)
            for i in interactions { out.append(value(i)) }
            return .float8(out)
        }
        var binds = PostgresBindings(capacity: InteractionColumn.allCases.count)
        for c in InteractionColumn.allCases {
            switch c.storage {
            case .text: binds.append(texts { c.text(of: $0) })
            case .real: binds.append(reals { c.real(of: $0) })
            case .integer: binds.append(interactions.map { c.integer(of: $0) })
            }
        }
        let rows = try await PostgresReader(conn, logger: logger).rows(PostgresQuery(unsafeSQL: PostgresSchema.insertSQL, binds: binds))
        return try rows.first?.decode(Int.self) ?? 0
    }

    static func interaction(_ row: PostgresRow) throws -> Interaction {
        typealias C = InteractionColumn
        let r = row.makeRandomAccess()
        func text(_ c: C) throws -> String { try r[c.index].decode(String.self) }
        func optText(_ c: C) throws -> String? { try r[c.index].decode(String?.self) }
        func real(_ c: C) throws -> Double? { try r[c.index].decode(Double?.self) }
        func enumValue<E: RawRepresentable>(_ c: C) throws -> E where E.RawValue == String {
            let raw = try text(c)
            guard let e = E(rawValue: raw) else {
                throw StoreError(.corrupt, "stored value '\(raw)' of column \(c.name) is not a known \(E.self)")
            }
            return e
        }
        let callOutcome = try optText(.callOutcome)
        let surveyMetric = try optText(.surveyMetric)
        let statusTo = try optText(.statusTo)
        var i = Interaction(
            id: try text(.id), source: try text(.source), externalId: try text(.externalId), channel: try enumValue(.channel),
            platform: try text(.platform), conversationKey: try text(.conversationKey), kind: try enumValue(.kind),
            direction: try enumValue(.direction), actorRole: try enumValue(.actorRole), actorId: try optText(.actorId),
            actorName: try optText(.actorName), customerKey: try optText(.customerKey),
            occurredAt: date(try r[C.occurredAt.index].decode(Int64.self)),
            call: try callOutcome.map { _ in
                CallInfo(queue: try optText(.callQueue), agentId: try optText(.callAgentId), waitSeconds: try real(.callWait),
                         talkSeconds: try real(.callTalk), outcome: try enumValue(.callOutcome))
            },
            survey: try surveyMetric.map { _ in
                SurveyInfo(metric: try enumValue(.surveyMetric), score: try real(.surveyScore) ?? 0,
                           scaleMin: try real(.surveyScaleMin) ?? 0, scaleMax: try real(.surveyScaleMax) ?? 0)
            },
            status: try statusTo.map { _ in StatusInfo(to: try enumValue(.statusTo)) },
            subject: try optText(.subject), text: try optText(.text), attachments: try r[C.attachments.index].decode(Int.self),
            provenance: try text(.provenance), topics: Topics.decode(try optText(.topics)))
        i.ruleTopics = Topics.decode(try optText(.ruleTopics))
        i.topicRules = try optText(.topicRules)
        if i.call != nil {
            i.callDetails = CallDetails(
                context: try optText(.callContext), lastApp: try optText(.callLastApp), lastData: try optText(.callLastData),
                entryPosition: Int(try r[C.callEntryPosition.index].decode(Int64.self)),
                exitPosition: Int(try r[C.callExitPosition.index].decode(Int64.self)), exitKey: try optText(.callExitKey),
                holdSeconds: try real(.callHold), durationSeconds: try real(.callDuration)).normalized
        }
        return i
    }
}
