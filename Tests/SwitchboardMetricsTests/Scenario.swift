import Foundation
import SwitchboardCore
import SwitchboardMetrics
import SwitchboardTesting

/// `2026-03-02T10:00:00Z` → Date (tests only: the literal must be valid).
func at(_ s: String) -> Date { Timestamp.parseISO8601(s)! }

/// Hand-built interactions for golden tests, in the order they are written.
struct Scenario {
    var items: [Interaction] = []
    private var n = 0

    private mutating func next() -> String {
        n += 1
        return "e\(n)"
    }

    mutating func message(_ key: String, _ time: String, _ role: ActorRole, direction: Direction? = nil, agent: String? = nil,
                          customer: String? = "ann@example.com", channel: Channel = .email, platform: String = "imap",
                          source: String = "mail") {
        let dir = direction ?? (role == .customer ? .inbound : .outbound)
        items.append(Interaction(source: source, externalId: next(), channel: channel, platform: platform, conversationKey: key,
                                 kind: .message, direction: dir, actorRole: role, actorId: agent, customerKey: customer,
                                 occurredAt: at(time), provenance: "test:\(n)"))
    }

    mutating func status(_ key: String, _ time: String, _ to: ConversationState, source: String = "mail", channel: Channel = .email) {
        items.append(Interaction(source: source, externalId: next(), channel: channel, platform: "imap", conversationKey: key,
                                 kind: .status, direction: .internal, actorRole: .system, occurredAt: at(time),
                                 status: StatusInfo(to: to), provenance: "test:\(n)"))
    }

    mutating func call(_ key: String, _ time: String, _ outcome: CallOutcome, wait: Double? = nil, talk: Double? = nil,
                       agent: String? = nil, queue: String? = "support", customer: String? = "+15550001") {
        items.append(Interaction(source: "pbx", externalId: next(), channel: .phone, platform: "asterisk", conversationKey: key,
                                 kind: .call, direction: .inbound, actorRole: .customer, customerKey: customer,
                                 occurredAt: at(time), call: CallInfo(queue: queue, agentId: agent, waitSeconds: wait,
                                                                       talkSeconds: talk, outcome: outcome),
                                 provenance: "test:\(n)"))
    }

    mutating func survey(_ key: String, _ time: String, _ metric: SurveyMetric, _ score: Double, scale: ClosedRange<Double>,
                         customer: String? = "ann@example.com") {
        items.append(Interaction(source: "surveys", externalId: next(), channel: .web, platform: "survey", conversationKey: key,
                                 kind: .survey, direction: .inbound, actorRole: .customer, customerKey: customer,
                                 occurredAt: at(time),
                                 survey: SurveyInfo(metric: metric, score: score, scaleMin: scale.lowerBound, scaleMax: scale.upperBound),
                                 provenance: "test:\(n)"))
    }

    func store() async throws -> InMemoryStore {
        let store = InMemoryStore()
        _ = try await store.write(IngestBatch(source: "test", interactions: items))
        return store
    }

    /// Rebuilds the dataset and computes the report.
    func report(_ settings: MetricsSettings = MetricsSettings(), from: String = "2026-03-01T00:00:00Z",
                to: String = "2026-04-01T00:00:00Z", now: String = "2026-04-15T00:00:00Z",
                by: [Breakdown] = []) async throws -> Report {
        let engine = MetricsEngine(settings: settings)
        return try await engine.report(store: try await store(),
                                       request: ReportRequest(from: at(from), to: at(to), now: at(now), by: by))
    }

    /// The conversations rebuilt as of `now`.
    func dataset(_ settings: MetricsSettings = MetricsSettings(), now: String = "2026-04-15T00:00:00Z") async throws -> Dataset {
        try await MetricsEngine(settings: settings).load(store: try await store(), now: at(now)).data
    }
}

extension Dataset {
    func conversation(_ key: String) -> Conversation? { conversations.first { self.key(of: $0) == key } }
    func verdict(_ key: String) -> FCRVerdict? {
        conversations.firstIndex { self.key(of: $0) == key }.map { fcr[$0] }
    }
}
