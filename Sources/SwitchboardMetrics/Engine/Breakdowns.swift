import Foundation
import SwitchboardCore
import SwitchboardScan

/// What the walk knows of a conversation (or a survey's conversation) when it files it into groups:
/// every value a breakdown or a filter reads.
struct GroupSubject {
    var channel: Channel
    /// ``MetricsScan/names`` numbers, -1 when absent (-2: a survey without a conversation has no platform).
    var platform: Int32
    var source: Int32
    /// The owner (first responder, else last agent) — for a survey, the credited agent.
    var agent: Int32
    var queue: Int32
    /// Local day (days since 1970 in the business timezone) of the open; nil for the backlog's groups.
    var day: Int?
    /// ``Dataset/topicNames`` numbers, distinct; empty: no topic.
    var topics: [Int32]
}

/// A breakdown of the report: one entry of ``Breakdown/all``, from which `--by NAME`, the `--NAME`
/// filter, JSON `by_NAME`, the CSV `breakdown` column and the table and HTML sections all come.
///
/// A breakdown maps a conversation to one or more group keys (integers; a multi-valued breakdown such
/// as `topic` files a conversation under each of its values) and a key to the group's label.
/// Adding one: an entry in ``all`` (name, heading, keys, label; plus a value in ``GroupSubject``
/// when the walk does not know it yet).
public struct Breakdown: Sendable, Hashable, CustomStringConvertible {
    /// `--by` value, `by_<name>` JSON key, `--<name>` filter (when ``filterable``).
    public let name: String
    /// Heading of the table and HTML sections.
    public let heading: String
    /// Groups by the open's day, week or month: no backlog, and surveys by their own day.
    let timed: Bool
    /// A `--<name>` filter exists (by group label).
    public let filterable: Bool
    /// Calls `body` with each group key of the subject.
    let keys: @Sendable (GroupSubject, (Int) -> Void) -> Void
    /// The group label of a key.
    let label: @Sendable (Int, Dataset) -> String
    /// Every key a filter may allow (labels are matched against the filter's values); nil: none.
    let keySpace: (@Sendable (Dataset) -> Range<Int>)?

    public var description: String { name }
    public static func == (a: Self, b: Self) -> Bool { a.name == b.name }
    public func hash(into h: inout Hasher) { h.combine(name) }

    /// The label of a group without a value (no agent, no queue, no topic).
    public static let noneLabel = "(none)"

    /// A breakdown by one ``MetricsScan/names`` number of the subject.
    static func byName(_ name: String, _ heading: String, none: String, filterable: Bool,
                       _ value: @escaping @Sendable (GroupSubject) -> Int32) -> Breakdown {
        Breakdown(name: name, heading: heading, timed: false, filterable: filterable,
                  keys: { s, body in body(Int(value(s))) },
                  label: { k, data in k >= 0 ? data.name(Int32(k)) ?? none : none },
                  keySpace: { data in 0..<data.tables.names.count })
    }

    public static let channel = Breakdown(
        name: "channel", heading: "Channel", timed: false, filterable: true,
        keys: { s, body in body(s.channel.order) }, label: { k, _ in Channel.allCases[k].rawValue },
        keySpace: { _ in 0..<Channel.allCases.count })
    public static let platform = byName("platform", "Platform", none: "", filterable: false) { $0.platform }
    public static let source = byName("source", "Source", none: "", filterable: true) { $0.source }
    public static let agent = byName("agent", "Agent", none: noneLabel, filterable: true) { $0.agent }
    public static let queue = byName("queue", "Queue", none: noneLabel, filterable: true) { $0.queue }
    /// Multi-valued: a conversation counts once under each of its topics, `(none)` without any.
    public static let topic = Breakdown(
        name: "topic", heading: "Topic", timed: false, filterable: true,
        keys: { s, body in
            if s.topics.isEmpty { body(-1) } else { for t in s.topics { body(Int(t)) } }
        },
        label: { k, data in k >= 0 ? data.topicNames[k] : noneLabel },
        keySpace: { data in 0..<data.topicNames.count })
    public static let day = Breakdown(
        name: "day", heading: "Day", timed: true, filterable: false,
        keys: { s, body in if let d = s.day { body(d) } }, label: { k, _ in LocalClock.dayLabel(k) }, keySpace: nil)
    public static let week = Breakdown(
        name: "week", heading: "Week", timed: true, filterable: false,
        keys: { s, body in if let d = s.day { body(d - (BusinessCalendar.weekday(d) - 1)) } },
        label: { k, _ in LocalClock.weekLabel(k) }, keySpace: nil)
    public static let month = Breakdown(
        name: "month", heading: "Month", timed: true, filterable: false,
        keys: { s, body in
            guard let d = s.day else { return }
            let c = Timestamp.civilFromDays(d)
            body(Timestamp.daysFromCivil(year: c.year, month: c.month, day: 1))
        },
        label: { k, _ in LocalClock.monthLabel(k) }, keySpace: nil)

    /// Every breakdown, in the order `--help` and error messages list them.
    public static let all: [Breakdown] = [.channel, .platform, .source, .agent, .queue, .topic, .day, .week, .month]

    /// The breakdown called `name`.
    public static func named(_ name: String) -> Breakdown? { all.first { $0.name == name } }

    /// The breakdowns with a `--<name>` filter.
    public static var filters: [Breakdown] { all.filter(\.filterable) }
}

/// Which conversations a request's filters let through, on numbers: per filtered breakdown, the keys
/// whose label is one of the filter's values. The value `(none)` (``Breakdown/noneLabel``) selects the
/// conversations without one (no agent, no queue, no topic), so every group of a breakdown has a filter.
struct GroupFilter {
    private let allowed: [(Breakdown, [Bool], none: Bool)]

    init(_ filters: [String: Set<String>], data: Dataset) {
        var list: [(Breakdown, [Bool], none: Bool)] = []
        for b in Breakdown.filters {
            guard let values = filters[b.name], !values.isEmpty, let space = b.keySpace?(data) else { continue }
            let none = values.contains(Breakdown.noneLabel) && b.label(-1, data) == Breakdown.noneLabel
            list.append((b, space.map { values.contains(b.label($0, data)) }, none))
        }
        allowed = list
    }

    var isEmpty: Bool { allowed.isEmpty }

    /// Every filter has at least one of the subject's keys among its allowed ones.
    func passes(_ s: GroupSubject) -> Bool {
        for (b, ok, none) in allowed {
            var any = false
            b.keys(s) { k in if k >= 0 ? k < ok.count && ok[k] : none { any = true } }
            if !any { return false }
        }
        return true
    }
}
