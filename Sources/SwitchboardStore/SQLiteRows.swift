import Foundation
import GRDB
import SwitchboardCore

/// Row ⇄ Interaction mapping of the SQLite store (column order of ``SQLiteSchema/columns``).
extension SQLiteStore {
    static func arguments(_ i: Interaction) -> StatementArguments {
        let values: [(any DatabaseValueConvertible)?] = [
            i.id, i.source, i.externalId, i.channel.rawValue, i.platform, i.conversationKey, i.kind.rawValue,
            i.direction.rawValue, i.actorRole.rawValue, i.actorId, i.actorName, i.customerKey,
            Timestamp.milliseconds(i.occurredAt), i.call?.queue, i.call?.agentId, i.call?.waitSeconds,
            i.call?.talkSeconds, i.call?.outcome.rawValue, i.survey?.metric.rawValue, i.survey?.score,
            i.survey?.scaleMin, i.survey?.scaleMax, i.status?.to.rawValue, i.subject, i.text, i.attachments, i.provenance,
        ]
        return StatementArguments(values)
    }

    static func interaction(_ r: Row) throws -> Interaction {
        func enumValue<E: RawRepresentable>(_ index: Int) throws -> E where E.RawValue == String {
            let raw: String = r[index]
            guard let e = E(rawValue: raw) else {
                throw StoreError(.corrupt, "stored value '\(raw)' of column \(SQLiteSchema.columns[index]) is not a known \(E.self)")
            }
            return e
        }
        let callOutcome: String? = r[17]
        let surveyMetric: String? = r[18]
        let statusTo: String? = r[22]
        return Interaction(
            id: r[0], source: r[1], externalId: r[2], channel: try enumValue(3), platform: r[4], conversationKey: r[5],
            kind: try enumValue(6), direction: try enumValue(7), actorRole: try enumValue(8), actorId: r[9], actorName: r[10],
            customerKey: r[11], occurredAt: date(r[12]),
            call: try callOutcome.map { _ in
                CallInfo(queue: r[13], agentId: r[14], waitSeconds: r[15], talkSeconds: r[16], outcome: try enumValue(17))
            },
            survey: try surveyMetric.map { _ in
                SurveyInfo(metric: try enumValue(18), score: r[19], scaleMin: r[20], scaleMax: r[21])
            },
            status: try statusTo.map { _ in StatusInfo(to: try enumValue(22)) },
            subject: r[23], text: r[24], attachments: r[25], provenance: r[26])
    }
}
