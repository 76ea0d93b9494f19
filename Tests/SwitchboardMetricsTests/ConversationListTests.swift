import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

/// `switchboard conversations` on the metrics reference data set (``MixedData``: mail, chat, web, calls of
/// every outcome, status events, surveys, linked customers, ties): for each condition the listed
/// conversations equal a brute-force selection made here from the raw interactions and each
/// conversation's `explain` text, and the list's counts equal the report's numbers.
@Suite("Conversation lists against explain")
struct ConversationListTests {
    static let now = FastScanTests.now
    static let from = at("2026-03-03T00:00:00Z"), to = at("2026-03-10T00:00:00Z")

    /// What the test reads of one conversation: the raw interactions (channel, source, key) and its
    /// `explain` text (every clock and verdict).
    struct Explained {
        var id: String
        var source: String
        var channel: Channel
        var open: Date?
        var counted = true
        var frt: Double?, frtBusiness: Double?
        var resolution: Double?, resolutionBusiness: Double?
        var reopens = 0
        var fcrLine = ""
        var outcome: String?
        /// Clock lines in order: (time, true = resolved / false = reopened).
        var transitions: [(Date, Bool)] = []
        var surveyScores: [Double] = []

        /// Backlog intervals as DESIGN §5 states them: [open, first resolution), [reopen, next resolution)…
        func inBacklog(at t: Date) -> Bool {
            guard outcome == nil, let open else { return false }
            var start: Date? = open
            var intervals: [(Date, Date?)] = []
            for (time, resolved) in transitions {
                if resolved, let s = start { intervals.append((s, time)); start = nil }
                if !resolved, start == nil { start = time }
            }
            if let s = start { intervals.append((s, nil)) }
            return intervals.contains { $0.0 <= t && ($0.1.map { $0 > t } ?? true) }
        }
    }

    /// `123.5s (…) calendar, 100s (…) business` → (123.5, 100).
    static func seconds(_ line: Substring) -> (Double, Double)? {
        let parts = line.split(separator: ",")
        guard parts.count == 2 else { return nil }
        func first(_ s: Substring) -> Double? {
            let t = s.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            return Double(t.prefix { $0 != "s" })
        }
        guard let c = first(parts[0]), let b = first(parts[1]) else { return nil }
        return (c, b)
    }

    /// Every conversation of the store explained, read back into numbers.
    static func explainAll(_ items: [Interaction], settings: MetricsSettings, data: Dataset) -> [Explained] {
        var groups: [String: [Interaction]] = [:]
        for i in items where i.kind != .survey { groups["\(i.source)/\(i.conversationKey)", default: []].append(i) }
        let explainer = Explainer(settings: settings)
        var out: [Explained] = []
        for (id, list) in groups {
            let known = list.enumerated().filter { $0.element.occurredAt <= now }.sorted { ($0.element.occurredAt, $0.offset) < ($1.element.occurredAt, $1.offset) }
            guard let first = known.first(where: { $0.element.kind == .message || $0.element.kind == .call }) else { continue }
            var e = Explained(id: id, source: list[0].source, channel: first.element.channel)
            let text = explainer.render(list, data: data, now: now)
            guard let clocks = text.range(of: "\nClocks\n") else { continue }
            for line in text[clocks.upperBound...].split(separator: "\n") {
                let t = line.trimmingCharacters(in: .whitespaces)
                if t.hasPrefix("FRT: "), let v = seconds(line) { (e.frt, e.frtBusiness) = (v.0, v.1) }
                else if t.hasPrefix("resolution time: "), let v = seconds(line) { (e.resolution, e.resolutionBusiness) = (v.0, v.1) }
                else if t.hasPrefix("reopens: ") { e.reopens = Int(t.dropFirst(9).prefix { $0.isNumber }) ?? -1 }
                else if t.hasPrefix("not FCR:") || t.hasPrefix("FCR:") { e.fcrLine = t }
                else if t.hasPrefix("not counted in conversations") { e.counted = false }
                else if t.hasPrefix("survey ") { e.surveyScores.append(Double(t.split(separator: " ")[2])!) }
                else if t.hasPrefix("no message or call") || t.hasPrefix("state as of now") || t.hasPrefix("topics") {}
                else if let space = t.firstIndex(of: " "), let time = Timestamp.parseISO8601(String(t[..<space])) {
                    let what = t[space...].trimmingCharacters(in: .whitespaces)
                    if what.hasPrefix("open:") { e.open = time }
                    if what.hasPrefix("call outcome ") { e.outcome = String(what.dropFirst(13).prefix { $0 != " " }) }
                    if what.hasPrefix("resolved") { e.transitions.append((time, true)) }
                    if what.hasPrefix("reopened") { e.transitions.append((time, false)) }
                }
            }
            if e.open == nil { e.counted = false }
            out.append(e)
        }
        return out
    }

    static func ids(_ list: ConversationList) -> Set<String> { Set(list.rows.map { "\($0.source)/\($0.key)" }) }

    static func fixture() async throws -> (items: [Interaction], data: Dataset, explained: [Explained], settings: MetricsSettings) {
        let items = MixedData.make(seed: 20, conversations: 360)
        var s = Scenario()
        s.items = items
        let settings = FastScanTests.settings
        let data = try await MetricsEngine(settings: settings).load(store: try await s.store(), now: now).data
        return (items, data, explainAll(items, settings: settings, data: data), settings)
    }

    @Test("each condition lists exactly the conversations a brute-force reading of explain selects")
    func everyConditionMatchesBruteForce() async throws {
        let (_, data, explained, settings) = try await Self.fixture()
        let engine = MetricsEngine(settings: settings)
        let request = ReportRequest(from: Self.from, to: Self.to, now: Self.now)
        let base = explained.filter { $0.counted && $0.open! >= Self.from && $0.open! < Self.to }
        #expect(base.count > 100, "the period holds enough conversations: \(base.count)")

        func check(_ name: String, _ value: String?, minimum: Int = 1, _ expected: (Explained) -> Bool) throws {
            var c = ConversationConditions()
            try c.set(name, value)
            let listed = Self.ids(engine.conversations(data, request: request, conditions: c))
            let want = Set(base.filter(expected).map(\.id))
            #expect(want.count >= minimum, "\(name): the data set exercises it (\(want.count))")
            #expect(listed == want, "\(name): listed but not expected \(listed.subtracting(want).sorted().prefix(5)); expected but not listed \(want.subtracting(listed).sorted().prefix(5))")
        }
        #expect(Self.ids(engine.conversations(data, request: request, conditions: ConversationConditions())) == Set(base.map(\.id)))
        try check("unresolved", nil) { $0.resolution == nil }
        try check("frt-over", "4h") { ($0.frt ?? 0) > 4 * 3600 }
        try check("frt-missed", nil) { e in settings.targets.frt[e.channel].map { (e.frt ?? 0) > $0 } ?? false }
        try check("resolution-over", "1d") { ($0.resolution ?? 0) > 86400 }
        try check("not-fcr", nil) { $0.resolution != nil && $0.fcrLine.hasPrefix("not FCR:") }
        try check("abandoned", nil) { $0.outcome == "abandoned" }
        try check("reopened", nil) { $0.reopens > 0 }
        try check("survey-below", "3") { $0.surveyScores.contains { $0 < 3 } }
        let t = at("2026-03-07T12:00:00Z")
        try check("in-backlog-at", "2026-03-07T12:00:00Z") { $0.inBacklog(at: t) }

        // Conditions combine with AND; filters are the report's.
        var both = ConversationConditions()
        try both.set("unresolved", nil)
        try both.set("reopened", "1")
        var chat = request
        chat.channels = [.chat, .web]
        chat.sources = ["tg", "desk"]
        let listed = Self.ids(engine.conversations(data, request: chat, conditions: both))
        let want = base.filter { [.chat, .web].contains($0.channel) && ["tg", "desk"].contains($0.source) && $0.resolution == nil && $0.reopens > 0 }
        #expect(listed == Set(want.map(\.id)))
        #expect(!want.isEmpty)
    }

    @Test("a listed conversation carries the clocks explain prints for it, calendar and business")
    func rowsCarryTheClocksOfExplain() async throws {
        let (_, data, explained, settings) = try await Self.fixture()
        let list = MetricsEngine(settings: settings).conversations(data, request: ReportRequest(now: Self.now), conditions: ConversationConditions())
        let byID = Dictionary(uniqueKeysWithValues: explained.map { ($0.id, $0) })
        #expect(list.rows.count == explained.filter(\.counted).count)
        for r in list.rows {
            let e = try #require(byID["\(r.source)/\(r.key)"])
            #expect(r.openedAt == e.open)
            #expect(r.frt == e.frt && r.frtBusiness == e.frtBusiness, "\(e.id) FRT")
            #expect(r.resolution == e.resolution && r.resolutionBusiness == e.resolutionBusiness, "\(e.id) resolution")
            #expect(r.reopens == e.reopens)
            #expect(r.fcr.explanation == e.fcrLine, "\(e.id)")
            #expect(r.fcrWhy == nil || !e.fcrLine.hasPrefix("FCR:"))
            #expect(r.callOutcome?.rawValue == e.outcome)
        }
    }

    @Test("the lists behind the report's counts have the report's numbers")
    func countsEqualTheReport() async throws {
        let (_, data, _, settings) = try await Self.fixture()
        let engine = MetricsEngine(settings: settings)
        let request = ReportRequest(from: Self.from, to: Self.to, now: Self.now, by: [.channel, .agent])
        let report = engine.compute(data, request: request)
        func count(_ set: [(String, String?)]) throws -> Int { try count(request, set) }
        func count(_ r: ReportRequest, _ set: [(String, String?)]) throws -> Int {
            var c = ConversationConditions()
            for (k, v) in set { try c.set(k, v) }
            return engine.conversations(data, request: r, conditions: c).total
        }
        let g = report.overall
        #expect(try count([]) == g.conversations)
        #expect(try count([("unresolved", nil)]) == g.unresolved)
        #expect(try count([("not-fcr", nil)]) == g.fcrEligible - g.fcrCount)
        #expect(try count([("abandoned", nil)]) == g.phone?.abandoned)
        #expect(try count([("frt-missed", nil)]) == g.targets.filter { $0.name.hasPrefix("frt_") }.compactMap(\.beyond).reduce(0, +))
        // The backlog at `to`: whatever the open time, so `from` is left to its default.
        var backlog = request
        backlog.from = nil
        #expect(try count(backlog, [("in-backlog-at", Timestamp.formatISO8601(Self.to))]) == g.backlog?.openAtEnd)
        #expect((g.backlog?.openAtEnd ?? 0) > 0)
        // Every group has its filter: `(none)` selects the conversations no agent answered.
        #expect(report.groups(.agent).contains { $0.0 == Breakdown.noneLabel })
        for (agent, group) in report.groups(.agent) {
            var r = request
            r.agents = [agent]
            #expect(try count(r, []) == group.conversations, "agent \(agent)")
        }
        for (channel, group) in report.groups(.channel) {
            var r = request
            r.channels = [Channel(rawValue: channel)!]
            #expect(try count(r, []) == group.conversations, "channel \(channel)")
        }
    }

    @Test("sort, limit, CSV quoting and hashed customers")
    func sortLimitAndOutput() async throws {
        let (_, data, _, settings) = try await Self.fixture()
        var hashed = settings
        hashed.hashIdentities = true
        let request = ReportRequest(from: Self.from, to: Self.to, now: Self.now)
        let all = MetricsEngine(settings: settings).conversations(data, request: request, conditions: ConversationConditions(),
                                                                  sort: try ConversationSort("-frt"))
        let frts = all.rows.compactMap(\.frt)
        #expect(frts == frts.sorted(by: >) && frts.count > 10)
        #expect(all.rows.suffix(all.rows.count - frts.count).allSatisfy { $0.frt == nil }, "no response sorts last")
        let top = MetricsEngine(settings: settings).conversations(data, request: request, conditions: ConversationConditions(),
                                                                  sort: try ConversationSort("-frt"), limit: 5)
        #expect(top.total == all.total && top.rows.map(\.key) == all.rows.prefix(5).map(\.key))
        let opened = MetricsEngine(settings: settings).conversations(data, request: request, conditions: ConversationConditions())
        #expect(opened.rows.map(\.openedAt) == opened.rows.map(\.openedAt).sorted())

        let h = MetricsEngine(settings: hashed).conversations(data, request: request, conditions: ConversationConditions())
        #expect(h.rows.compactMap(\.customer).allSatisfy { $0.hasPrefix("h:") })
        #expect(zip(h.rows, opened.rows).allSatisfy { $0.customer == $1.customer.map(PrivacySettings.hashIdentity) })

        let csv = ConversationListRenderer.csv(opened)
        #expect(csv.hasPrefix("source,conversation_key,channel,customer,opened_at,first_response_at,resolved_at,agent,topics,fcr,"))
        #expect(csv.split(separator: "\n").count == opened.rows.count + 1)
        let jsonl = ConversationListRenderer.jsonl(opened).split(separator: "\n")
        #expect(jsonl.count == opened.rows.count)
        for line in jsonl { #expect(try JSONParser.parse(String(line))["conversation_key"]?.string != nil) }

        #expect(throws: ReportOptions.Problem.self) { var c = ConversationConditions(); try c.set("frt-over", "4x") }
        #expect(throws: ReportOptions.Problem.self) { var c = ConversationConditions(); try c.set("frt-overr", "4h") }
        #expect(throws: ReportOptions.Problem.self) { try ConversationSort("colour") }
    }
}
