import Foundation
import SwitchboardCore
import SwitchboardScan

/// What `switchboard topics suggest` prints: the suggestions and how many conversations they come from.
public struct TopicSuggestions: Sendable {
    public var from: Date
    public var to: Date
    /// Counted conversations opened in the period (with the filters) that have a first customer message.
    public var conversations: Int
    /// Those without any topic.
    public var untopiced: Int
    public var suggestions: [TopicSuggestion]
}

/// The first customer messages of the selected conversations, collected by one content scan.
private final class FirstMessages: @unchecked Sendable {
    /// (source, key) → position in the selection.
    var wanted: [String: [String: Int]] = [:]
    var texts: [String?]
    let now: Date

    init(count: Int, now: Date) {
        texts = Array(repeating: nil, count: count)
        self.now = now
    }

    /// Rows come in conversation order (occurredAt within one), so the first customer message seen wins.
    func add(_ i: Interaction) {
        guard i.kind == .message, i.actorRole == .customer, i.occurredAt <= now,
              let k = wanted[i.source]?[i.conversationKey], texts[k] == nil else { return }
        texts[k] = [i.subject, i.text].compactMap { $0 }.joined(separator: "\n")
    }
}

extension MetricsEngine {
    /// Suggests keywords for conversations without a topic: conversations are selected as the report
    /// selects them (counted, opened in the period, the request's filters), their topics read the same
    /// way, and the first customer message of each (subject and text) is the document.
    public func suggestTopics(store: any MetricsStore, request: ReportRequest, limit: Int = 30) async throws -> TopicSuggestions {
        let data = try await load(store: store, now: request.now).data
        let (from, to) = period(data, request: request)
        let walk = GroupWalk(data: data, request: request, settings: settings, from: from, to: to)
        var keys: [(source: String, key: String)] = []
        var untopiced: [Bool] = []
        var unions: [Int64: [Int32]] = [:]
        for c in data.conversations where c.counts {
            guard let open = c.openedAt, open >= from, open < to else { continue }
            let s = walk.subject(c, agent: c.owner, day: nil, cache: &unions)
            guard walk.filter.isEmpty || walk.filter.passes(s) else { continue }
            keys.append((data.source(of: c), data.key(of: c)))
            untopiced.append(c.topicSets.count == 0)
        }
        // (source, key) order: the suggestions' examples do not depend on the store's row order.
        let order = keys.indices.sorted { (keys[$0].source, keys[$0].key) < (keys[$1].source, keys[$1].key) }
        let first = FirstMessages(count: keys.count, now: request.now)
        for (n, k) in keys.enumerated() { first.wanted[k.source, default: [:]][k.key] = n }
        try await store.scan(InteractionQuery(order: .conversation, content: true)) { first.add($0) }
        var documents: [(key: String, text: String)] = []
        var flags: [Bool] = []
        for n in order {
            guard let text = first.texts[n], !text.isEmpty else { continue }
            documents.append(("\(keys[n].source)/\(keys[n].key)", text))
            flags.append(untopiced[n])
        }
        return TopicSuggestions(from: from, to: to, conversations: documents.count,
                                untopiced: flags.filter { $0 }.count,
                                suggestions: TopicSuggester.suggest(documents: documents, untopiced: flags, limit: limit))
    }
}
