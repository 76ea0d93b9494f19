import Foundation
import PropertyBased
import SwitchboardCore
import SwitchboardMetrics
import Testing

/// A deliberately plain reading of DESIGN §5 for message conversations: quadratic
/// scans, no shared code with the engine. The property test compares both.
enum Reference {
    struct Event {
        var conv: Int
        var role: Int      // 0 customer, 1 agent anna, 2 agent boris, 3 bot, 4 status resolved, 5 status reopened
        var time: Date
        var order: Int
    }

    struct Outcome: Equatable {
        var conversations = 0
        var resolved = 0
        var frt: [Double] = []
        var resolution: [Double] = []
        var fcr = 0
        var openAtEnd = 0
        /// Per counted conversation: its own numbers (conversations = 1), so groups can be summed.
        var perConversation: [Int: Outcome] = [:]

        /// The sum of several conversations' outcomes (lists sorted).
        static func sum(_ list: [Outcome]) -> Outcome {
            var out = Outcome()
            for o in list {
                out.conversations += o.conversations; out.resolved += o.resolved; out.fcr += o.fcr; out.openAtEnd += o.openAtEnd
                out.frt += o.frt; out.resolution += o.resolution
            }
            out.frt.sort()
            out.resolution.sort()
            return out
        }
    }

    static func compute(_ events: [Event], now: Date, idle: Double, window: Double, end: Date,
                        customer: (Int) -> Int) -> Outcome {
        var out = Outcome()
        var opens: [Int: Date] = [:]
        var info: [Int: (resolvedAt: Date?, reopened: Bool, agents: Set<Int>, intervals: [(Date, Date?)])] = [:]
        let convs = Set(events.map(\.conv))
        for c in convs.sorted() {
            let ev = events.filter { $0.conv == c && $0.time <= now }.sorted { ($0.time, $0.order) < ($1.time, $1.order) }
            guard let oi = ev.firstIndex(where: { $0.role == 0 }) else { continue }
            let open = ev[oi].time
            opens[c] = open
            out.conversations += 1
            var mine = Outcome(conversations: 1)
            let isAgent = { (e: Event) in e.role == 1 || e.role == 2 }
            if !ev[..<oi].contains(where: isAgent), let r = ev[(oi + 1)...].first(where: isAgent) {
                out.frt.append(r.time.timeIntervalSince(open))
                mine.frt = [r.time.timeIntervalSince(open)]
            }
            var resolutions: [Date] = [], reopens: [Date] = []
            var resolved = false
            if ev.contains(where: { $0.role >= 4 }) {
                for e in ev[(oi + 1)...] {
                    if e.role == 4 && !resolved { resolved = true; resolutions.append(e.time) }
                    if (e.role == 5 || e.role == 0) && resolved { resolved = false; reopens.append(e.time) }
                }
            } else {
                let after = Array(ev[(oi + 1)...])
                for (j, e) in after.enumerated() where isAgent(e) {
                    let rest = after[(j + 1)...]
                    let nextCustomer = rest.first { $0.role == 0 }
                    let laterAgentBeforeNext = rest.prefix { $0.role != 0 }.contains(where: isAgent)
                    if laterAgentBeforeNext { continue }
                    if let n = nextCustomer {
                        if n.time.timeIntervalSince(e.time) >= idle { resolutions.append(e.time); reopens.append(n.time) }
                    } else if e.time.addingTimeInterval(idle) <= now {
                        resolutions.append(e.time)
                        resolved = true
                    }
                }
            }
            var intervals: [(Date, Date?)] = []
            var start: Date? = open
            for k in 0..<(resolutions.count + 1) {
                guard let s = start else { break }
                let e: Date? = k < resolutions.count ? resolutions[k] : nil
                intervals.append((s, e))
                start = k < reopens.count ? reopens[k] : nil
            }
            let agents = Set(ev.filter(isAgent).map(\.role))
            info[c] = (resolved ? resolutions.last : nil, !reopens.isEmpty, agents, intervals)
            if resolved {
                out.resolved += 1
                out.resolution.append(resolutions.last!.timeIntervalSince(open))
                mine.resolved = 1
                mine.resolution = [resolutions.last!.timeIntervalSince(open)]
            }
            if intervals.contains(where: { $0.0 <= end && ($0.1.map { $0 > end } ?? true) }) {
                out.openAtEnd += 1
                mine.openAtEnd = 1
            }
            out.perConversation[c] = mine
        }
        for (c, i) in info where i.resolvedAt != nil && i.agents.count == 1 && !i.reopened {
            let open = opens[c]!
            let repeated = opens.contains { other, o in
                other != c && customer(other) == customer(c) && o > open && o.timeIntervalSince(open) <= window
            }
            if !repeated {
                out.fcr += 1
                out.perConversation[c]?.fcr = 1
            }
        }
        out.frt.sort()
        out.resolution.sort()
        return out
    }
}

@Suite("Engine against the reference model")
struct ReferenceModelTests {
    static let base = at("2026-03-02T00:00:00Z")

    /// Each generated number encodes one event: conversation, role and a half-hour slot.
    static func events(_ codes: [Int]) -> [Reference.Event] {
        codes.enumerated().map { i, v in
            Reference.Event(conv: v % 6, role: (v / 6) % 6, time: base.addingTimeInterval(Double(v / 36) * 1800), order: i)
        }
    }

    /// Native topics of an event's interaction (messages and status events alike).
    static func nativeTopics(_ e: Reference.Event) -> [String] {
        [["billing"], ["returns"], ["billing", "vip"], [], []][e.order % 5]
    }

    /// Rule topics the ingest side would have given a customer message.
    static func ruleTopics(_ e: Reference.Event) -> [String] {
        e.role == 0 && e.order % 3 == 0 ? ["urgent"] : []
    }

    /// The reference's topics of a conversation: native topics of every event known by now, plus the rule
    /// topics of the first customer event.
    static func topics(of conv: Int, _ events: [Reference.Event], now: Date) -> Set<String> {
        let ev = events.filter { $0.conv == conv && $0.time <= now }.sorted { ($0.time, $0.order) < ($1.time, $1.order) }
        var out = Set(ev.flatMap(nativeTopics))
        if let first = ev.first(where: { $0.role == 0 }) { out.formUnion(ruleTopics(first)) }
        return out
    }

    static func interactions(_ events: [Reference.Event]) -> [Interaction] {
        events.map { e in
            var i = interaction(e)
            i.topics = nativeTopics(e)
            i.ruleTopics = ruleTopics(e)
            return i
        }
    }

    static func interaction(_ e: Reference.Event) -> Interaction {
        let customer = "c\(e.conv % 3)@example.com"
        let source = e.conv < 3 ? "mail" : "tg"
        let channel: Channel = e.conv < 3 ? .email : .chat
        let key = "k\(e.conv)"
        switch e.role {
        case 4, 5:
            return Interaction(source: source, externalId: "x\(e.order)", channel: channel, platform: "p", conversationKey: key,
                               kind: .status, direction: .internal, actorRole: .system, occurredAt: e.time,
                               status: StatusInfo(to: e.role == 4 ? .resolved : .reopened), provenance: "gen")
        default:
            let role: ActorRole = [.customer, .agent, .agent, .bot][e.role]
            return Interaction(source: source, externalId: "x\(e.order)", channel: channel, platform: "p", conversationKey: key,
                               kind: .message, direction: e.role == 0 ? .inbound : .outbound, actorRole: role,
                               actorId: e.role == 1 ? "anna" : e.role == 2 ? "boris" : nil, customerKey: customer,
                               occurredAt: e.time, provenance: "gen")
        }
    }

    static let now = "2026-03-12T00:00:00Z", end = "2026-03-11T00:00:00Z"

    /// The generated events, the reference's outcome and the engine's report of them; nil once a failure is recorded.
    static func run(_ codes: [Int], by: [Breakdown] = []) async -> (events: [Reference.Event], reference: Reference.Outcome, report: Report)? {
        let events = Self.events(codes)
        var scenario = Scenario()
        scenario.items = Self.interactions(events)
        var settings = MetricsSettings()
        settings.repeatWindow = 2 * 86400
        let reference = Reference.compute(events, now: at(now), idle: settings.idleAfter, window: settings.repeatWindow,
                                          end: at(end), customer: { $0 % 3 })
        do {
            return (events, reference, try await scenario.report(settings, from: "2026-03-01T00:00:00Z", to: end, now: now, by: by))
        } catch {
            Issue.record("report failed: \(error)")
            return nil
        }
    }

    @Test func engineByTopicMatchesBruteForceOnRandomInteractionSets() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...(36 * 400)).array(of: 0...40)) { codes in
            guard let (events, reference, r) = await Self.run(codes, by: [.topic]) else { return }
            let now = Self.now
            var expected: [String: [Reference.Outcome]] = [:]
            for (c, o) in reference.perConversation {
                let topics = Self.topics(of: c, events, now: at(now))
                for t in topics.isEmpty ? [Breakdown.noneLabel] : Array(topics) { expected[t, default: []].append(o) }
            }
            // Groups with only agent-started conversations (outbound volume) have no reference counterpart.
            let groups = Dictionary(uniqueKeysWithValues: r.groups(.topic))
            for (label, g) in groups where expected[label] == nil { #expect(g.conversations == 0, "\(label)") }
            for (label, list) in expected {
                let e = Reference.Outcome.sum(list)
                let g = groups[label] ?? GroupMetrics()
                #expect(g.conversations == e.conversations, "\(label)")
                #expect(g.resolved == e.resolved, "\(label)")
                #expect(g.frt?.count ?? 0 == e.frt.count, "\(label)")
                #expect(g.frt.map { $0.median } == (e.frt.isEmpty ? nil : e.frt[(e.frt.count + 1) / 2 - 1]), "\(label)")
                #expect(g.resolutionTime.map { $0.p90 }
                    == (e.resolution.isEmpty ? nil : e.resolution[Int((0.9 * Double(e.resolution.count)).rounded(.up)) - 1]), "\(label)")
                #expect(g.fcrCount == e.fcr, "\(label)")
                #expect(g.backlog?.openAtEnd ?? 0 == e.openAtEnd, "\(label)")
            }
            let withTopic = reference.perConversation.keys.filter { !Self.topics(of: $0, events, now: at(now)).isEmpty }.count
            #expect(r.overall.withoutTopic == reference.conversations - withTopic)
        }
    }

    @Test func engineMatchesReferenceOnRandomInteractionSets() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...(36 * 400)).array(of: 0...40)) { codes in
            guard let (_, expected, r) = await Self.run(codes) else { return }
            let g = r.overall
            #expect(g.conversations == expected.conversations)
            #expect(g.resolved == expected.resolved)
            #expect(g.frt?.count ?? 0 == expected.frt.count)
            #expect(g.frt.map { $0.mean } == (expected.frt.isEmpty ? nil : expected.frt.reduce(0, +) / Double(expected.frt.count)))
            #expect(g.frt.map { $0.median } == (expected.frt.isEmpty ? nil : expected.frt[(expected.frt.count + 1) / 2 - 1]))
            #expect(g.resolutionTime?.count ?? 0 == expected.resolution.count)
            #expect(g.resolutionTime.map { $0.p90 }
                == (expected.resolution.isEmpty ? nil : expected.resolution[Int((0.9 * Double(expected.resolution.count)).rounded(.up)) - 1]))
            #expect(g.fcrCount == expected.fcr)
            #expect(g.backlog?.openAtEnd == expected.openAtEnd)
        }
    }
}
