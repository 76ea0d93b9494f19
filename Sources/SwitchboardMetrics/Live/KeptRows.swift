import Foundation
import SwitchboardCore
import SwitchboardScan

/// The initial scan's rows as the live state keeps them (docs/live.md "Memory"), grouped by conversation number:
/// 56 bytes a row instead of a ``MetricsRow``'s 88. Most rows are messages, and a message has none of a call's
/// fields, so a row keeps those in a side list only when it has any. ``withRows(_:_:)`` gives a conversation's rows
/// back as the ``MetricsRow``s they were, field for field.
struct KeptRows: Sendable {
    struct Row {
        var order: Int64
        var at: Int64
        var customer: Int32, actor: Int32, platform: Int32, topics: Int32, ruleTopics: Int32
        /// Index in ``KeptRows/calls``; -1: the row has no call fields.
        var call: Int32
        var kind: InteractionKind
        var direction: Direction
        var role: ActorRole
        var channel: Channel
        var status: ConversationState?
    }

    struct Call {
        var wait: Double, talk: Double
        var callAgent: Int32, queue: Int32, context: Int32, app: Int32
        var duration: Float
        var exitPosition: Int16
        var outcome: CallOutcome?
    }

    private var rows: [Row] = []
    private var calls: [Call] = []
    /// Per conversation number, where its rows start in ``rows`` (one more entry: the end).
    private var starts: [Int] = [0]

    init() {}

    /// `grouped`: rows grouped by conversation number, conversation `c`'s at `starts[c]..<starts[c + 1]`.
    init(_ grouped: [MetricsRow], starts: [Int]) {
        self.starts = starts
        rows.reserveCapacity(grouped.count)
        for r in grouped {
            var call: Int32 = -1
            if Self.hasCallFields(r) {
                call = Int32(calls.count)
                calls.append(Call(wait: r.wait, talk: r.talk, callAgent: r.callAgent, queue: r.queue, context: r.context, app: r.app,
                                  duration: r.duration, exitPosition: r.exitPosition, outcome: r.outcome))
            }
            rows.append(Row(order: r.order, at: r.at, customer: r.customer, actor: r.actor, platform: r.platform, topics: r.topics,
                            ruleTopics: r.ruleTopics, call: call, kind: r.kind, direction: r.direction, role: r.role, channel: r.channel,
                            status: r.status))
        }
    }

    /// Whether any call field differs from what a row without a call holds.
    static func hasCallFields(_ r: MetricsRow) -> Bool {
        !r.wait.isNaN || !r.talk.isNaN || r.callAgent != -1 || r.queue != -1 || r.outcome != nil || r.context != -1 || r.app != -1
            || !r.duration.isNaN || r.exitPosition != 0
    }

    var count: Int { rows.count }

    /// Conversations held (numbers below this have rows here, possibly none).
    var conversations: Int { starts.count - 1 }

    /// The rows of conversation `c` as read (none for a number not held).
    func withRows<T>(_ c: Int32, _ body: (UnsafeBufferPointer<MetricsRow>) -> T) -> T {
        let c = Int(c)
        guard c + 1 < starts.count, starts[c] < starts[c + 1] else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        let range = starts[c]..<starts[c + 1]
        return withUnsafeTemporaryAllocation(of: MetricsRow.self, capacity: range.count) { out in
            rows.withUnsafeBufferPointer { rows in
                for (k, i) in range.enumerated() {
                    let r = rows[i]
                    var m = MetricsRow(order: r.order, at: r.at, wait: .nan, talk: .nan, conversation: Int32(c), customer: r.customer,
                                       actor: r.actor, callAgent: -1, queue: -1, platform: r.platform, kind: r.kind, direction: r.direction,
                                       role: r.role, channel: r.channel, outcome: nil, status: r.status, topics: r.topics,
                                       ruleTopics: r.ruleTopics)
                    if r.call >= 0 {
                        let x = calls[Int(r.call)]
                        m.wait = x.wait; m.talk = x.talk; m.callAgent = x.callAgent; m.queue = x.queue; m.outcome = x.outcome
                        m.context = x.context; m.app = x.app; m.duration = x.duration; m.exitPosition = x.exitPosition
                    }
                    (out.baseAddress! + k).initialize(to: m)
                }
            }
            defer { out.baseAddress!.deinitialize(count: range.count) }
            return body(UnsafeBufferPointer(out))
        }
    }
}
