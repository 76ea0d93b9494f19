import Foundation
import SwitchboardCore
import SwitchboardScan

/// `switchboard explain CONVERSATION_KEY`: the interactions behind one conversation
/// in order, and every clock the metrics read from them.
public struct Explainer: Sendable {
    public var settings: MetricsSettings

    public init(settings: MetricsSettings) { self.settings = settings }

    /// Explains every conversation whose key is `key` (or `source/key`).
    /// - Throws: ``MetricsError`` when no conversation has that key.
    public func explain(store: any MetricsStore, key: String, now: Date) async throws -> String {
        try await explain(store: store, described: key, now: now) { i in
            i.conversationKey == key || "\(i.source)/\(i.conversationKey)" == key
        }
    }

    /// Explains the one conversation of `source` with `key` (the served `GET /conversations/{source}/{key}`).
    /// - Throws: ``MetricsError`` when there is none.
    public func explain(store: any MetricsStore, source: String, key: String, now: Date) async throws -> String {
        try await explain(store: store, described: "\(source)/\(key)", now: now) { $0.source == source && $0.conversationKey == key }
    }

    private func explain(store: any MetricsStore, described key: String, now: Date,
                         matching: @escaping @Sendable (Interaction) -> Bool) async throws -> String {
        let rows = Rows()
        try await store.scan(InteractionQuery(order: .conversation)) { i in
            if matching(i) { rows.add(i) }
        }
        guard !rows.items.isEmpty else {
            throw MetricsError("no conversation with key '\(key)'; keys are shown as source/key in `switchboard report --format json` breakdowns and by `explain` itself")
        }
        let data = try await MetricsEngine(settings: settings).load(store: store, now: now).data
        return render(rows.items, data: data, now: now)
    }

    /// The explanation of already collected interactions against a dataset.
    public func render(_ items: [Interaction], data: Dataset, now: Date) -> String {
        let calendar = BusinessCalendar(hours: settings.businessHours)
        var builder = ConversationBuilder(idleAfter: settings.idleAfter, shortAbandon: settings.shortAbandon, now: now)
        var out = ""
        let sources = Array(Set(items.map(\.source))).sorted()
        for source in sources {
            let list = items.filter { $0.source == source }
            out += "Conversation \(source)/\(list[0].conversationKey)  (now \(Timestamp.formatISO8601(now)))\n\n"
            for i in list {
                var what = "\(i.kind.rawValue) \(i.direction.rawValue) \(i.actorRole.rawValue)"
                if let a = i.actorId { what += " \(a)" }
                if let c = i.call { what += " call=\(c.outcome.rawValue) wait=\(c.waitSeconds ?? 0)s talk=\(c.talkSeconds ?? 0)s" }
                if let s = i.status { what += " → \(s.to.rawValue)" }
                if let s = i.survey { what += " \(s.metric.rawValue)=\(JSONWriter.format(s.score)) of \(JSONWriter.format(s.scaleMin))–\(JSONWriter.format(s.scaleMax))" }
                if i.occurredAt > now { what += "  (after now: ignored)" }
                out += "  \(Timestamp.formatISO8601(i.occurredAt))  \(what)  [\(i.provenance)]\n"
            }
            out += "\nClocks\n"
            var events: [ClockEvent] = []
            var scan = MetricsScan()
            for (n, i) in list.enumerated() { scan.add(i, order: Int64(n)) }
            let canonical = Dataset.canonicalCustomers(&scan, links: settings.links)
            let nowMs = Timestamp.milliseconds(now)
            var rows = (scan.chunks.first ?? []).filter { $0.at <= nowMs }
            rows.withUnsafeMutableBufferPointer { ConversationRows.order($0) }
            let names = scan.names
            builder.blankActor = names.find("") ?? -1
            let built = rows.withUnsafeBufferPointer {
                builder.build($0, canonical: { canonical[Int($0)] }, agentName: { names.string($0) }, trace: { events.append($0) })
            }
            guard let conv = built else {
                out += "  no message or call known by now: not a conversation\n\n"
                continue
            }
            for e in events { out += "  \(Timestamp.formatISO8601(e.at))  \(e.what)\n" }
            if let open = conv.openedAt {
                if let r = conv.firstResponseAt {
                    out += "  FRT: \(seconds(r.timeIntervalSince(open))) calendar, \(seconds(calendar.seconds(from: open, to: r))) business\n"
                }
                if let end = conv.resolvedAt {
                    out += "  resolution time: \(seconds(end.timeIntervalSince(open))) calendar, "
                        + "\(seconds(calendar.seconds(from: open, to: end))) business\n"
                } else {
                    out += "  state as of now: unresolved\n"
                }
                out += "  reopens: \(conv.reopens.count); agents: \(conv.agents.map { $0 >= 0 ? names.string($0) : "(unknown)" }.joined(separator: ", "))\n"
                out += topics(list, now: now)
                out += transfers(source: source, key: list[0].conversationKey, data: data)
                if !conv.counts { out += "  not counted in conversations (\(conv.call?.outcome.rawValue ?? "")): volume only\n" }
                if let number = data.tables.findConversation(source: source, key: list[0].conversationKey),
                   let idx = data.conversations.firstIndex(where: { $0.number == number }) {
                    out += "  \(data.fcr[idx].explanation)\n"
                    out += recovery(idx, data: data, now: now)
                    let answers = data.surveys.filter { $0.conversation == idx }
                    for s in answers { out += "  survey \(s.info.metric.rawValue) \(JSONWriter.format(s.info.score)) at \(Timestamp.formatISO8601(s.at)) credited to \(conv.lastAgent >= 0 ? names.string(conv.lastAgent) : "no agent")\n" }
                }
            }
            out += "\n"
        }
        return out
    }

    /// The conversation's topics and what gave each: a source's label on an interaction, or a rule matched on
    /// the first customer message (the rules as of that message's import or the last `topics apply`).
    func topics(_ items: [Interaction], now: Date) -> String {
        var origin: [String: String] = [:]
        let known = items.filter { $0.kind != .survey && $0.occurredAt <= now }
        for i in known {
            for t in Topics.normalize(i.topics) where origin[t] == nil {
                origin[t] = "label from the source on \(Timestamp.formatISO8601(i.occurredAt)) [\(i.provenance)]"
            }
        }
        let first = known.first { ($0.kind == .message && $0.actorRole == .customer) || ($0.kind == .call && $0.direction == .inbound) }
        if let first, first.kind == .message {
            for t in Topics.normalize(first.ruleTopics) {
                let rule = "rule '\(t)' (rule set \(first.topicRules ?? "?")) on the first customer message"
                origin[t] = origin[t].map { "\($0); \(rule)" } ?? rule
            }
        }
        guard !origin.isEmpty else { return "  topics: none\n" }
        return "  topics:\n" + origin.keys.sorted().map { "    \($0): \(origin[$0]!)\n" }.joined()
    }

    func seconds(_ s: Double) -> String { "\(JSONWriter.format(s))s (\(TextReportRenderer.dur(s)))" }
}

final class Rows: @unchecked Sendable {
    var items: [Interaction] = []
    func add(_ i: Interaction) { items.append(i) }
}
