import Foundation
import SwitchboardCore

/// A survey answer as the metrics need it.
public struct SurveyAnswer: Sendable, Hashable {
    public var at: Date
    public var source: String
    public var channel: Channel
    public var conversationKey: String
    public var customerKey: String?
    public var actorId: String?
    public var info: SurveyInfo
    /// Index of the conversation it belongs to in ``Dataset/conversations``.
    public var conversation: Int?
}

/// Why a conversation is or is not first-contact-resolved.
public enum FCRVerdict: Sendable, Hashable {
    case notResolved
    case agents(Int)
    case reopened(Int)
    case repeated(source: String, key: String, at: Date)
    case resolvedFirstContact

    public var isFCR: Bool { self == .resolvedFirstContact }

    /// One sentence for `explain`.
    public var explanation: String {
        switch self {
        case .notResolved: return "not FCR: not resolved"
        case .agents(let n): return "not FCR: \(n) distinct agents took part (exactly one is required)"
        case .reopened(let n): return "not FCR: reopened \(n) time(s)"
        case .repeated(let s, let k, let at):
            return "not FCR: the customer came back in \(s)/\(k) at \(Timestamp.formatISO8601(at)) within fcr.repeat_window"
        case .resolvedFirstContact: return "FCR: resolved, one agent, never reopened, no repeat contact within fcr.repeat_window"
        }
    }
}

/// Every conversation and survey of the store, rebuilt as of `now`, with FCR verdicts and survey links.
public struct Dataset: Sendable {
    public var conversations: [Conversation]
    public var fcr: [FCRVerdict]
    public var surveys: [SurveyAnswer]

    /// Streams the store in conversation order and rebuilds everything (one conversation in memory at a time
    /// while reading; then one compact summary per conversation).
    public static func load(from store: any InteractionStore, settings: MetricsSettings, now: Date) async throws -> Dataset {
        let collector = Collector(builder: ConversationBuilder(idleAfter: settings.idleAfter, shortAbandon: settings.shortAbandon, now: now),
                                  links: settings.links)
        try await store.scan(InteractionQuery(order: .conversation, content: false)) { collector.add($0) }
        collector.flush()
        return Dataset(conversations: collector.conversations, surveys: collector.surveys, settings: settings)
    }

    /// Builds the dataset from conversations and surveys already at hand.
    public init(conversations: [Conversation], surveys: [SurveyAnswer], settings: MetricsSettings) {
        self.conversations = conversations
        self.surveys = surveys
        self.fcr = Self.verdicts(conversations, window: settings.repeatWindow)
        attachSurveys(window: settings.surveyWindow)
    }

    static func verdicts(_ convs: [Conversation], window: Double) -> [FCRVerdict] {
        var byCustomer: [String: [(Date, Int)]] = [:]
        for (i, c) in convs.enumerated() where c.counts {
            if let k = c.customerKey, let o = c.openedAt { byCustomer[k, default: []].append((o, i)) }
        }
        for k in byCustomer.keys { byCustomer[k]!.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 } }
        return convs.map { c in
            guard c.counts, c.resolved, let open = c.openedAt else { return .notResolved }
            if c.agents.count != 1 { return .agents(c.agents.count) }
            if !c.reopens.isEmpty { return .reopened(c.reopens.count) }
            if let k = c.customerKey, let list = byCustomer[k] {
                // First conversation opening strictly after `open`.
                var lo = 0, hi = list.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if list[mid].0 <= open { lo = mid + 1 } else { hi = mid }
                }
                if lo < list.count, list[lo].0.timeIntervalSince(open) <= window {
                    let other = convs[list[lo].1]
                    return .repeated(source: other.source, key: other.key, at: list[lo].0)
                }
            }
            return .resolvedFirstContact
        }
    }

    /// By conversationKey in any source (the latest opened at or before the survey, else the first),
    /// else the customer's latest conversation opened before it within the window.
    mutating func attachSurveys(window: Double) {
        guard !surveys.isEmpty else { return }
        let wantedKeys = Set(surveys.map(\.conversationKey))
        let wantedCustomers = Set(surveys.compactMap(\.customerKey))
        var byKey: [String: [Int]] = [:]
        var byCustomer: [String: [Int]] = [:]
        for (i, c) in conversations.enumerated() where c.isCustomer {
            if wantedKeys.contains(c.key) { byKey[c.key, default: []].append(i) }
            if let k = c.customerKey, wantedCustomers.contains(k) { byCustomer[k, default: []].append(i) }
        }
        func latest(_ list: [Int], before t: Date, after: Date?) -> Int? {
            var best: Int?
            for i in list {
                guard let o = conversations[i].openedAt, o <= t, after.map({ o >= $0 }) ?? true else { continue }
                if best == nil || o > conversations[best!].openedAt! || (o == conversations[best!].openedAt! && i > best!) { best = i }
            }
            return best
        }
        for s in surveys.indices {
            let survey = surveys[s]
            if let list = byKey[survey.conversationKey], !list.isEmpty {
                surveys[s].conversation = latest(list, before: survey.at, after: nil) ?? list.min {
                    conversations[$0].openedAt! < conversations[$1].openedAt!
                }
            } else if let k = survey.customerKey, let list = byCustomer[k] {
                surveys[s].conversation = latest(list, before: survey.at, after: survey.at.addingTimeInterval(-window))
            }
        }
    }
}

/// Receives the scan's rows synchronously (the store calls the body in order, one at a time).
final class Collector: @unchecked Sendable {
    let builder: ConversationBuilder
    let links: CustomerLinks
    var buffer: [Interaction] = []
    var conversations: [Conversation] = []
    var surveys: [SurveyAnswer] = []

    init(builder: ConversationBuilder, links: CustomerLinks) {
        self.builder = builder
        self.links = links
    }

    func add(_ i: Interaction) {
        if i.kind == .survey {
            guard let info = i.survey, i.occurredAt <= builder.now else { return }
            surveys.append(SurveyAnswer(at: i.occurredAt, source: i.source, channel: i.channel, conversationKey: i.conversationKey,
                                        customerKey: i.customerKey.map(links.customer), actorId: i.actorId, info: info))
            return
        }
        if let last = buffer.last, last.source != i.source || last.conversationKey != i.conversationKey { flush() }
        buffer.append(i)
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        let links = self.links
        if let c = builder.build(buffer, customerKey: { links.customer($0) }) { conversations.append(c) }
        buffer.removeAll(keepingCapacity: true)
    }
}
