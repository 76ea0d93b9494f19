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
        var binds = PostgresBindings(capacity: PostgresSchema.columns.count)
        binds.append(texts { $0.id }); binds.append(texts { $0.source }); binds.append(texts { $0.externalId })
        binds.append(texts { $0.channel.rawValue }); binds.append(texts { $0.platform }); binds.append(texts { $0.conversationKey })
        binds.append(texts { $0.kind.rawValue }); binds.append(texts { $0.direction.rawValue })
        binds.append(texts { $0.actorRole.rawValue }); binds.append(texts { $0.actorId }); binds.append(texts { $0.actorName })
        binds.append(texts { $0.customerKey }); binds.append(interactions.map { Timestamp.milliseconds($0.occurredAt) })
        binds.append(texts { $0.call?.queue }); binds.append(texts { $0.call?.agentId }); binds.append(reals { $0.call?.waitSeconds })
        binds.append(reals { $0.call?.talkSeconds }); binds.append(texts { $0.call?.outcome.rawValue })
        binds.append(texts { $0.survey?.metric.rawValue }); binds.append(reals { $0.survey?.score })
        binds.append(reals { $0.survey?.scaleMin }); binds.append(reals { $0.survey?.scaleMax })
        binds.append(texts { $0.status?.to.rawValue }); binds.append(texts { $0.subject }); binds.append(texts { $0.text })
        binds.append(interactions.map { Int64($0.attachments) }); binds.append(texts { $0.provenance })
        let rows = try await conn.query(PostgresQuery(unsafeSQL: PostgresSchema.insertSQL, binds: binds), logger: logger)
        for try await stored in rows.decode(Int.self) { return stored }
        return 0
    }

    static func interaction(_ row: PostgresRow) throws -> Interaction {
        let r = row.makeRandomAccess()
        func text(_ i: Int) throws -> String { try r[i].decode(String.self) }
        func optText(_ i: Int) throws -> String? { try r[i].decode(String?.self) }
        func real(_ i: Int) throws -> Double? { try r[i].decode(Double?.self) }
        func enumValue<E: RawRepresentable>(_ i: Int) throws -> E where E.RawValue == String {
            let raw = try text(i)
            guard let e = E(rawValue: raw) else {
                throw StoreError(.corrupt, "stored value '\(raw)' of column \(PostgresSchema.columns[i]) is not a known \(E.self)")
            }
            return e
        }
        let callOutcome = try optText(17)
        let surveyMetric = try optText(18)
        let statusTo = try optText(22)
        return Interaction(
            id: try text(0), source: try text(1), externalId: try text(2), channel: try enumValue(3), platform: try text(4),
            conversationKey: try text(5), kind: try enumValue(6), direction: try enumValue(7), actorRole: try enumValue(8),
            actorId: try optText(9), actorName: try optText(10), customerKey: try optText(11),
            occurredAt: date(try r[12].decode(Int64.self)),
            call: try callOutcome.map { _ in
                CallInfo(queue: try optText(13), agentId: try optText(14), waitSeconds: try real(15), talkSeconds: try real(16),
                         outcome: try enumValue(17))
            },
            survey: try surveyMetric.map { _ in
                SurveyInfo(metric: try enumValue(18), score: try real(19) ?? 0, scaleMin: try real(20) ?? 0, scaleMax: try real(21) ?? 0)
            },
            status: try statusTo.map { _ in StatusInfo(to: try enumValue(22)) },
            subject: try optText(23), text: try optText(24), attachments: try r[25].decode(Int.self), provenance: try text(26))
    }
}
