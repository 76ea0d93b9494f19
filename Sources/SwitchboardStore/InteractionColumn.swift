import SwitchboardCore

/// The columns of the `interactions` table in bind order: the one list that the SQLite insert, the
/// PostgreSQL insert, every row reader and the select lists of both stores are made from. A column is
/// named here once; code reads and binds it by case (`InteractionColumn.occurredAt.index`), never by a
/// bare position. Adding a field: a case here (at the end), a migration per store, its value in
/// ``InteractionColumn/text(of:)`` (or the real/integer binds) and in the row readers.
enum InteractionColumn: Int, CaseIterable {
    case id, source, externalId, channel, platform, conversationKey, kind, direction, actorRole, actorId, actorName
    case customerKey, occurredAt, callQueue, callAgentId, callWait, callTalk, callOutcome, surveyMetric, surveyScore
    case surveyScaleMin, surveyScaleMax, statusTo, subject, text, attachments, provenance
    case topics, ruleTopics, topicRules
    case callContext, callLastApp, callLastData, callEntryPosition, callExitPosition, callExitKey, callHold, callDuration

    /// How a column is stored.
    enum Storage { case text, integer, real }

    /// The SQL name.
    var name: String {
        switch self {
        case .externalId: "external_id"
        case .conversationKey: "conversation_key"
        case .actorRole: "actor_role"
        case .actorId: "actor_id"
        case .actorName: "actor_name"
        case .customerKey: "customer_key"
        case .occurredAt: "occurred_at"
        case .callQueue: "call_queue"
        case .callAgentId: "call_agent_id"
        case .callWait: "call_wait"
        case .callTalk: "call_talk"
        case .callOutcome: "call_outcome"
        case .surveyMetric: "survey_metric"
        case .surveyScore: "survey_score"
        case .surveyScaleMin: "survey_scale_min"
        case .surveyScaleMax: "survey_scale_max"
        case .statusTo: "status_to"
        case .ruleTopics: "rule_topics"
        case .topicRules: "topic_rules"
        case .callContext: "call_context"
        case .callLastApp: "call_last_app"
        case .callLastData: "call_last_data"
        case .callEntryPosition: "call_entry_position"
        case .callExitPosition: "call_exit_position"
        case .callExitKey: "call_exit_key"
        case .callHold: "call_hold"
        case .callDuration: "call_duration"
        default: "\(self)"
        }
    }

    var storage: Storage {
        switch self {
        case .occurredAt, .attachments, .callEntryPosition, .callExitPosition: .integer
        case .callWait, .callTalk, .surveyScore, .surveyScaleMin, .surveyScaleMax, .callHold, .callDuration: .real
        default: .text
        }
    }

    /// Position in a row read with ``selectList(content:)`` (0-based).
    var index: Int { rawValue }
    /// Parameter number of the first row of an insert (1-based).
    var parameter: Int32 { Int32(rawValue + 1) }

    /// The text value of a text column (nil: NULL); topic lists in ``Topics`` stored form.
    @inline(__always) func text(of i: Interaction) -> String? {
        switch self {
        case .id: i.id
        case .source: i.source
        case .externalId: i.externalId
        case .channel: i.channel.rawValue
        case .platform: i.platform
        case .conversationKey: i.conversationKey
        case .kind: i.kind.rawValue
        case .direction: i.direction.rawValue
        case .actorRole: i.actorRole.rawValue
        case .actorId: i.actorId
        case .actorName: i.actorName
        case .customerKey: i.customerKey
        case .callQueue: i.call?.queue
        case .callAgentId: i.call?.agentId
        case .callOutcome: i.call?.outcome.rawValue
        case .surveyMetric: i.survey?.metric.rawValue
        case .statusTo: i.status?.to.rawValue
        case .subject: i.subject
        case .text: i.text
        case .provenance: i.provenance
        case .topics: i.topics.isEmpty ? nil : Topics.encode(i.topics)
        case .ruleTopics: i.ruleTopics.isEmpty ? nil : Topics.encode(i.ruleTopics)
        case .topicRules: i.topicRules
        case .callContext: i.callDetails?.context
        case .callLastApp: i.callDetails?.lastApp
        case .callLastData: i.callDetails?.lastData
        case .callExitKey: i.callDetails?.exitKey
        default: nil
        }
    }

    /// The value of a real column (nil: NULL).
    @inline(__always) func real(of i: Interaction) -> Double? {
        switch self {
        case .callWait: i.call?.waitSeconds
        case .callTalk: i.call?.talkSeconds
        case .surveyScore: i.survey?.score
        case .surveyScaleMin: i.survey?.scaleMin
        case .surveyScaleMax: i.survey?.scaleMax
        case .callHold: i.callDetails?.holdSeconds
        case .callDuration: i.callDetails?.durationSeconds
        default: nil
        }
    }

    /// The value of an integer column.
    @inline(__always) func integer(of i: Interaction) -> Int64 {
        switch self {
        case .occurredAt: Timestamp.milliseconds(i.occurredAt)
        case .attachments: Int64(i.attachments)
        // Queue positions start at 1: 0 stores "no position".
        case .callEntryPosition: Int64(i.callDetails?.entryPosition ?? 0)
        case .callExitPosition: Int64(i.callDetails?.exitPosition ?? 0)
        default: 0
        }
    }

    /// Columns the metrics never read: scans without content select NULL (`''` for provenance) instead.
    var isContent: Bool { self == .actorName || self == .subject || self == .text || self == .provenance }

    static let textColumns = allCases.filter { $0.storage == .text }
    static let realColumns = allCases.filter { $0.storage == .real }
    static let integerColumns = allCases.filter { $0.storage == .integer }

    /// Every column name in order.
    static let names = allCases.map(\.name)

    /// The select list in column order; without content the content columns are constants.
    static func selectList(content: Bool) -> String {
        allCases.map { c in
            guard !content && c.isContent else { return c.name }
            return c == .provenance ? "''" : "NULL"
        }.joined(separator: ", ")
    }
}
