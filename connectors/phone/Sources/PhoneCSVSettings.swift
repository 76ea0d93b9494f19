import Foundation
import SwitchboardCore

/// A column given by header name or by 1-based position.
enum ColumnRef: Decodable, Sendable, Hashable {
    case name(String)
    case position(Int)

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) {
            self = .position(n)
        } else {
            let s = try c.decode(String.self)
            if let n = Int(s) { self = .position(n) } else { self = .name(s) }
        }
    }
}

/// The fields a mapped call CSV can feed, and the header names recognised without a `columns` map.
enum PhoneCSVField: String, CaseIterable, Sendable {
    case id, parent, start, answer, end, from, to
    case callerName = "caller_name"
    case direction, outcome, wait, talk, duration, agent, queue
    /// Labels of what the call is about: `billing; vip` (`;` or `,` between them).
    case topics
    /// Where the call ended (``CallDetails``): the dialplan context, the last application and its data, and the
    /// queue position when the caller left the queue.
    case context
    case lastApp = "last_app"
    case lastData = "last_data"
    case position

    /// Header names (lower-cased) that mean this field when `columns` does not say.
    var aliases: [String] {
        switch self {
        case .id: ["id", "sid", "callid", "call_id", "call id", "uniqueid", "historyid", "linkedid", "uuid"]
        case .parent: ["parent", "parent_call_sid", "parent_id"]
        case .start: ["start", "start_time", "starttime", "time-start", "date_created", "date", "started"]
        case .answer: ["answer", "answer_time", "time-answered", "answered"]
        case .end: ["end", "end_time", "endtime", "time-end", "ended"]
        case .from: ["from", "caller", "from-no", "src", "caller_id_number", "calling number"]
        case .to: ["to", "callee", "to-no", "dst", "destination_number", "called number"]
        case .callerName: ["caller_name", "from_name", "caller_id_name", "name"]
        case .direction: ["direction"]
        case .outcome: ["outcome", "status", "disposition", "reason-terminated", "result"]
        case .wait: ["wait", "wait_time", "waitseconds", "hold", "holdtime"]
        case .talk: ["talk", "talk_time", "billsec", "talkseconds"]
        case .duration: ["duration"]
        case .agent: ["agent", "agent_id", "to-dn", "extension"]
        case .queue: ["queue", "queuename", "queue_name"]
        case .topics: ["topics", "topic", "tags"]
        case .context: ["context", "dcontext"]
        case .lastApp: ["last_app", "lastapp"]
        case .lastData: ["last_data", "lastdata"]
        case .position: ["position", "queue_position", "exit_position"]
        }
    }

    /// Default meaning of common status words (lower-cased), before `outcome_map`.
    static let defaultOutcomes: [String: CallOutcome] = [
        "answered": .answered, "answer": .answered, "completed": .answered, "connected": .answered,
        "abandoned": .abandoned, "canceled": .abandoned, "cancelled": .abandoned,
        "busy": .busy, "failed": .failed, "congestion": .failed,
        "no-answer": .missed, "no answer": .missed, "noanswer": .missed, "missed": .missed,
        "voicemail": .voicemail, "timeout": .timeout,
    ]

    /// Default meaning of common direction words (lower-cased), before `direction_map`.
    static let defaultDirections: [String: Direction] = [
        "inbound": .inbound, "incoming": .inbound, "in": .inbound,
        "outbound": .outbound, "outbound-api": .outbound, "outbound-dial": .outbound, "outgoing": .outbound, "out": .outbound,
        "internal": .internal,
    ]
}
