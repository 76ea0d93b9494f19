import Foundation
import SwitchboardCore
import SwitchboardScan
import SwitchboardMetrics
import SwitchboardStore
import SwitchboardTesting
import Testing

/// Reproducible mixed interactions (a linear congruential generator): mail, chat, calls of every outcome,
/// status events, surveys by key, by customer and unattached; keys shared by two sources; opens on whole
/// hours of 12 days and few customers, so opens, rows and surveys tie often. Returned shuffled: storage order ≠ time order.
enum MixedData {
    struct Random {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        mutating func pick<T>(_ list: [T]) -> T { list[next(list.count)] }
    }

    static let start = at("2026-03-01T00:00:00Z")

    static func make(seed: UInt64, conversations: Int) -> [Interaction] {
        var r = Random(state: seed)
        var out: [Interaction] = []
        var n = 0
        func add(_ source: String, _ channel: Channel, _ platform: String, _ key: String, _ kind: InteractionKind, _ direction: Direction,
                 _ role: ActorRole, actor: String? = nil, customer: String?, time: Date, call: CallInfo? = nil,
                 survey: SurveyInfo? = nil, status: StatusInfo? = nil) {
            n += 1
            var i = Interaction(source: source, externalId: "x\(n)", channel: channel, platform: platform, conversationKey: key,
                                kind: kind, direction: direction, actorRole: role, actorId: actor, customerKey: customer,
                                occurredAt: time, call: call, survey: survey, status: status, provenance: "mixed:\(n)")
            // Where calls ended (the stage funnel's facts), from the row number: the random sequence stays as it was.
            if call != nil {
                i.callDetails = CallDetails(context: [nil, "ivr-main", "ext-queues"][n % 3], lastApp: ["Playback", "BackGround", "Queue", "Dial"][n % 4],
                                            exitPosition: n % 5 == 0 ? nil : n % 4 + 1, durationSeconds: Double(n % 120)).normalized
            }
            // Native topics now and then (a call's queue among them), several per row at times; rule topics on
            // customer messages as the ingest side sets them.
            switch r.next(6) {
            case 0: i.topics = [r.pick(topics)]
            case 1: i.topics = [r.pick(topics), r.pick(topics)]
            case 2: if let q = call?.queue { i.topics = [q] }
            default: break
            }
            if kind == .message && role == .customer && r.next(2) == 0 {
                i.ruleTopics = r.next(3) == 0 ? [] : [r.pick(topics)]
                i.topicRules = r.pick(["a1b2c3d4e5f6", "0f0f0f0f0f0f"])
            }
            out.append(i)
        }
        let topics = ["billing", "returns", "оплата", "חשבון", "vip", "sales"]
        let customers = (0..<16).map { $0 % 3 == 0 ? "+1555000\($0)" : "c\($0)@example.com" } + ["telegram:7"]
        let agents: [String?] = ["anna", "boris", "chen", nil]
        let sources: [(String, Channel, String)] = [("mail", .email, "imap"), ("tg", .chat, "telegram"), ("desk", .web, "widget")]
        for c in 0..<conversations {
            let t0 = start.addingTimeInterval(Double(r.next(12 * 24)) * 3600)
            let customer: String? = r.next(10) == 0 ? nil : r.pick(customers)
            if r.next(4) == 0 {
                // A call: one or two legs, every outcome, sometimes no wait or talk.
                let key = "call-\(c)"
                for leg in 0..<(1 + r.next(2)) {
                    let outcome = r.pick(CallOutcome.allCases)
                    add("pbx", .phone, "asterisk", key, .call, r.next(6) == 0 ? .outbound : .inbound, r.next(6) == 0 ? .agent : .customer,
                        customer: customer, time: t0.addingTimeInterval(Double(leg * 600)),
                        call: CallInfo(queue: r.next(3) == 0 ? nil : r.pick(["sales", "support"]), agentId: r.pick(agents),
                                       waitSeconds: r.next(5) == 0 ? nil : Double(r.next(90)),
                                       talkSeconds: r.next(5) == 0 ? nil : Double(r.next(900)), outcome: outcome))
                }
                continue
            }
            let (source, channel, platform) = r.pick(sources)
            // Keys repeat across sources ("k7" may be in mail and in desk).
            let key = "k\(r.next(conversations * 2 / 3))"
            var t = t0
            for _ in 0..<(1 + r.next(6)) {
                switch r.next(7) {
                case 0, 1, 2:
                    add(source, channel, platform, key, .message, .inbound, .customer, customer: customer, time: t)
                case 3, 4:
                    add(source, channel, platform, key, .message, .outbound, .agent, actor: r.pick(agents), customer: customer, time: t)
                case 5:
                    add(source, channel, platform, key, .message, r.next(2) == 0 ? .outbound : .internal, r.pick([.bot, .system, .agent]),
                        actor: r.pick(agents), customer: customer, time: t)
                default:
                    add(source, channel, platform, key, .status, .internal, .system, customer: nil, time: t,
                        status: StatusInfo(to: r.pick(ConversationState.allCases)))
                }
                // Same time again now and then: storage order decides.
                t = t.addingTimeInterval(Double(r.pick([0, 0, 600, 3600, 86400, 4 * 86400])))
            }
            if r.next(3) == 0 {
                let metric = r.pick(SurveyMetric.allCases)
                let scale: (Double, Double) = metric == .nps ? (0, 10) : r.pick([(1, 5), (1, 10)])
                let surveyKey = r.pick([key, "unknown-\(c)", "k\(r.next(conversations))"])
                add("surveys", .web, "survey", surveyKey, .survey, .inbound, .customer, customer: r.next(5) == 0 ? nil : customer,
                    time: t0.addingTimeInterval(Double(r.next(6)) * 3600 * 12),
                    survey: SurveyInfo(metric: metric, score: Double(r.next(Int(scale.1 - scale.0) + 1)) + scale.0,
                                       scaleMin: scale.0, scaleMax: scale.1))
            }
        }
        // Ties that only the (source, key) order decides: one customer's conversations opening at the same
        // instant after a first-contact resolution, and surveys whose candidates opened together.
        let t = start.addingTimeInterval(3 * 86400 + 1800)
        for (source, channel, platform) in sources + [("pbx", .phone, "asterisk")] {
            for key in ["tie-a", "tie-b"] {
                add(source, channel, platform, key, .message, .inbound, .customer, customer: "tie@example.com", time: t.addingTimeInterval(3600))
            }
        }
        add("mail", .email, "imap", "tie-first", .message, .inbound, .customer, customer: "tie@example.com", time: t)
        add("mail", .email, "imap", "tie-first", .message, .outbound, .agent, actor: "anna", customer: "tie@example.com", time: t.addingTimeInterval(60))
        add("surveys", .web, "survey", "no-such-key", .survey, .inbound, .customer, customer: "tie@example.com", time: t.addingTimeInterval(7200),
            survey: SurveyInfo(metric: .csat, score: 5, scaleMin: 1, scaleMax: 5))
        add("surveys", .web, "survey", "tie-b", .survey, .inbound, .customer, customer: nil, time: t.addingTimeInterval(7200),
            survey: SurveyInfo(metric: .csat, score: 2, scaleMin: 1, scaleMax: 5))
        add("surveys", .web, "survey", "tie-a", .survey, .inbound, .customer, customer: nil, time: t,
            survey: SurveyInfo(metric: .nps, score: 9, scaleMin: 0, scaleMax: 10))
        for i in stride(from: out.count - 1, to: 0, by: -1) { out.swapAt(i, r.next(i + 1)) }
        return out
    }
}

@Suite("SQLite metrics scan against the generic path")
struct FastScanTests {
    static let now = at("2026-04-02T00:00:00Z")

    static var settings: MetricsSettings {
        var s = MetricsSettings(businessHours: BusinessHoursSettings(
            timeZone: TimeZone(identifier: "Europe/Berlin")!,
            weekly: [1: [BusinessInterval(start: 9 * 60, end: 18 * 60)], 3: [BusinessInterval(start: 22 * 60, end: 26 * 60)]],
            holidays: ["2026-03-10"]))
        s.links = CustomerLinks(rows: [["c1@example.com", "+15550003", "telegram:7"], ["c2@example.com", "c4@example.com"]])
        return s
    }

    static let requests: [ReportRequest] = [
        ReportRequest(now: now),
        ReportRequest(now: now, by: Breakdown.all),
        ReportRequest(from: at("2026-03-05T00:00:00Z"), to: at("2026-03-20T00:00:00Z"), now: now, by: [.agent, .queue, .week],
                      channels: [.email, .phone, .chat], sources: ["mail", "pbx", "tg"], agents: ["anna", "chen"]),
        ReportRequest(from: at("2026-03-06T00:00:00Z"), to: at("2026-03-12T00:00:00Z"), now: now, by: [.topic, .channel],
                      topics: ["оплата", "vip"]),
    ]

    /// The report and the per-conversation outcomes that tie-breaks decide, as text.
    static func outcome(_ data: Dataset) -> [String] {
        var lines = requests.map { JSONReportRenderer.render(MetricsEngine(settings: settings).compute(data, request: $0)) }
        for (i, c) in data.conversations.enumerated() {
            lines.append("\(data.source(of: c))/\(data.key(of: c)): \(data.fcr[i].explanation)")
        }
        for s in data.surveys {
            let target = s.conversation.map { "\(data.source(of: data.conversations[$0]))/\(data.key(of: data.conversations[$0]))" }
            lines.append("survey \(data.tables.keys.string(s.key)) \(s.at) → \(target ?? "-")")
        }
        return lines.sorted()
    }

    /// nil when equal, else the first differing line of each (short enough to read in a failure).
    static func difference(_ a: [String], _ b: [String]) -> String? {
        guard a != b else { return nil }
        for (x, y) in zip(a, b) where x != y { return "\(x.prefix(400))\n  vs\n\(y.prefix(400))" }
        return "\(a.count) lines vs \(b.count)"
    }

    @Test("the SQLite scan in 1, 2, 3 and 7 parts gives the reports of the generic scan and of the in-memory store")
    func sameReportsWhateverTheScan() async throws {
        let items = MixedData.make(seed: 42, conversations: 400)
        let (sqlite, dir) = try scratchSQLite("sb-fastscan")
        defer { try? FileManager.default.removeItem(at: dir) }
        let memory = InMemoryStore()
        for start in stride(from: 0, to: items.count, by: 97) {
            let batch = IngestBatch(source: "mixed", interactions: Array(items[start..<min(start + 97, items.count)]))
            _ = try await sqlite.write(batch)
            _ = try await memory.write(batch)
        }
        let reference = Self.outcome(try await MetricsEngine(settings: Self.settings).load(store: memory, now: Self.now).data)
        #expect(reference.count > 400)
        let generic = Self.outcome(Dataset(scan: try await sqlite.scanMetricsGeneric(), settings: Self.settings, now: Self.now))
        #expect(Self.difference(generic, reference) == nil)
        for parts in [1, 2, 3, 7] {
            let fast = Self.outcome(Dataset(scan: try await sqlite.scanMetrics(parts: parts), settings: Self.settings, now: Self.now))
            #expect(Self.difference(fast, reference) == nil, "parts: \(parts)")
        }
    }

    @Test("the walk in 1, 2, 3 and 7 parts gives byte-identical reports, topics included")
    func sameReportWhateverTheWalkParts() async throws {
        let memory = InMemoryStore()
        _ = try await memory.write(IngestBatch(source: "mixed", interactions: MixedData.make(seed: 77, conversations: 600)))
        let data = try await MetricsEngine(settings: Self.settings).load(store: memory, now: Self.now).data
        #expect(data.topicNames.count == 7)   // six labels and the queue "support"
        func reports(_ parts: Int) -> [String] {
            Self.requests.map { JSONReportRenderer.render(MetricsEngine(settings: Self.settings, parts: parts).compute(data, request: $0)) }
        }
        let one = reports(1)
        #expect(one[1].contains(#""by_topic":{"(none)":"#) && one[1].contains(#""оплата":{"conversations":"#))
        for parts in [2, 3, 7] { #expect(Self.difference(reports(parts), one) == nil, "parts: \(parts)") }
    }

    @Test("a scan sees every committed row once; rows written after it are left to the next report")
    func scanBoundsAndLaterWrites() async throws {
        let items = MixedData.make(seed: 9, conversations: 120)
        let (sqlite, dir) = try scratchSQLite("sb-fastscan")
        defer { try? FileManager.default.removeItem(at: dir) }
        let half = items.count / 2
        _ = try await sqlite.write(IngestBatch(source: "mixed", interactions: Array(items[..<half])))
        let before = try await sqlite.scanMetrics(parts: 3)
        _ = try await sqlite.write(IngestBatch(source: "mixed", interactions: Array(items[half...])))
        let after = try await sqlite.scanMetrics(parts: 3)
        let stored = items.filter { $0.kind != .survey }
        #expect(before.rowCount + before.surveys.count == half)
        #expect(after.rowCount == stored.count)
        #expect(after.surveys.count == items.count - stored.count)
        let memory = InMemoryStore()
        _ = try await memory.write(IngestBatch(source: "mixed", interactions: items))
        #expect(Self.difference(Self.outcome(Dataset(scan: after, settings: Self.settings, now: Self.now)),
                                Self.outcome(try await MetricsEngine(settings: Self.settings).load(store: memory, now: Self.now).data)) == nil)
    }
}

/// The report's data quality: stored rows counted by its own scan, runs and dead letters by the store.
@Suite struct DataQualityTests {
    @Test("stored counts per source from the scan equal the store's own totals, dead-letter-only sources and unanswered surveys included")
    func scanCountsEqualStoreTotals() async throws {
        var items = MixedData.make(seed: 5, conversations: 150)
        var blank = items[0]
        blank.externalId = "unanswered-survey"
        blank.id = InteractionID.make(source: "other", externalId: "unanswered-survey")   // stored under "other" below
        blank.kind = .survey
        blank.survey = nil
        items.append(blank)
        let (sqlite, dir) = try scratchSQLite("sb-quality")
        defer { try? FileManager.default.removeItem(at: dir) }
        let memory = InMemoryStore()
        let rejected = DeadLetter(source: "broken", reason: "line 3: missing time", provenance: "broken.csv:3", raw: Data("x".utf8))
        for store in [sqlite, memory] as [any MetricsStore] {
            _ = try await store.write(IngestBatch(source: "mixed", interactions: Array(items[..<200])))
            _ = try await store.write(IngestBatch(source: "other", interactions: Array(items[200...]).map { i in
                var i = i
                i.source = "other"
                return i
            }))
            _ = try await store.write(IngestBatch(source: "broken", deadLetters: [rejected]))
            let expected = try await store.sourceStats()
            #expect((expected["other"]?.stored ?? 0) > 250, "\(expected)")
            #expect(expected["broken"]?.deadLetters == 1)
            let request = ReportRequest(now: at("2026-04-15T00:00:00Z"))
            let report = try await MetricsEngine(settings: MetricsSettings()).report(store: store, request: request)
            #expect(report.dataQuality == expected)
            #expect(report.dataQuality["broken"]?.stored == 0)
        }
        let stored = try await sqlite.sourceStats().compactMapValues { $0.stored > 0 ? $0.stored : nil }
        for parts in [1, 2, 3] { #expect(try await sqlite.scanMetrics(parts: parts).storedCounts == stored) }
    }
}

/// Cases where storage order or stored text differs from the clean mixed data: the report must not depend on them.
@Suite struct ScanEdgeTests {
    func sqlite(_ items: [Interaction]) async throws -> (SQLiteStore, URL) {
        let (store, dir) = try scratchSQLite("sb-scanedge")
        _ = try await store.write(IngestBatch(source: "edge", interactions: items))
        return (store, dir)
    }

    func json(_ store: any MetricsStore) async throws -> String {
        let request = ReportRequest(from: at("2026-03-01T00:00:00Z"), to: at("2026-04-01T00:00:00Z"), now: at("2026-04-15T00:00:00Z"),
                                    by: [.agent, .channel])
        var report = try await MetricsEngine(settings: MetricsSettings()).report(store: store, request: request)
        report.dataQuality = [:]   // per store, not per rebuild
        return JSONReportRenderer.render(report)
    }

    @Test("agent replies with an empty actorId and with none are one unknown agent, on every scan path")
    func blankAndMissingAgentIdsAreOneAgent() async throws {
        var s = Scenario()
        s.message("t", "2026-03-02T10:00:00Z", .customer)
        s.message("t", "2026-03-02T10:30:00Z", .agent, agent: nil)
        s.message("t", "2026-03-02T11:00:00Z", .customer)
        s.message("t", "2026-03-02T11:30:00Z", .agent, agent: "")
        let memory = try await s.dataset()
        #expect(memory.verdict("t") == .resolvedFirstContact)
        #expect(memory.conversation("t")?.agents.count == 1)
        let (store, dir) = try await sqlite(s.items)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fast = try await MetricsEngine(settings: MetricsSettings()).load(store: store, now: at("2026-04-15T00:00:00Z")).data
        #expect(fast.verdict("t") == .resolvedFirstContact)
        #expect(try await json(store) == json(try await s.store()))
    }

    @Test("a long conversation stored newest first gives the report of the same rows stored oldest first")
    func newestFirstStorageOrder() async throws {
        var s = Scenario()
        for k in 0..<300 {
            let t = at("2026-03-02T00:00:00Z").addingTimeInterval(Double(k) * 600)
            s.message("long", Timestamp.formatISO8601(t), k % 2 == 0 ? .customer : .agent, agent: k % 2 == 0 ? nil : "anna")
            // After the last reply the customer comes back six days on, six times: an inferred resolution and a reopen.
            if k % 50 == 49 {
                s.message("long", Timestamp.formatISO8601(t.addingTimeInterval(6 * 86400)), .customer)
            }
        }
        let (oldest, dirA) = try await sqlite(s.items)
        defer { try? FileManager.default.removeItem(at: dirA) }
        let (newest, dirB) = try await sqlite(s.items.sorted { $0.occurredAt > $1.occurredAt })
        defer { try? FileManager.default.removeItem(at: dirB) }
        let a = try await json(oldest), b = try await json(newest)
        #expect(a == b)
        let data = try await MetricsEngine(settings: MetricsSettings()).load(store: newest, now: at("2026-04-15T00:00:00Z")).data
        #expect((data.conversation("long")?.reopens.count ?? 0) > 0)
    }

    @Test("ASA and AHT do not depend on the order calls were stored in (fractional seconds)")
    func callMeansIndependentOfStorageOrder() async throws {
        func calls(_ waits: [Double]) -> [Interaction] {
            var s = Scenario()
            for (k, w) in waits.enumerated() {
                s.call("call-\(w)", "2026-03-0\(k + 2)T10:00:00Z", .answered, wait: w, talk: w * 3, agent: "anna")
            }
            return s.items
        }
        let (a, dirA) = try await sqlite(calls([0.1, 0.2, 0.3]))
        defer { try? FileManager.default.removeItem(at: dirA) }
        let (b, dirB) = try await sqlite(calls([0.3, 0.2, 0.1]))
        defer { try? FileManager.default.removeItem(at: dirB) }
        let ra = try await MetricsEngine(settings: MetricsSettings()).report(store: a, request: ReportRequest(now: at("2026-04-15T00:00:00Z")))
        let rb = try await MetricsEngine(settings: MetricsSettings()).report(store: b, request: ReportRequest(now: at("2026-04-15T00:00:00Z")))
        #expect(ra.overall.phone?.asa != nil)
        #expect(ra.overall.phone?.asa == rb.overall.phone?.asa)
        #expect(ra.overall.phone?.aht == rb.overall.phone?.aht)
    }
}

/// A fresh SQLite store in its own temporary folder (the caller removes the folder).
func scratchSQLite(_ prefix: String) throws -> (SQLiteStore, URL) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    return (try SQLiteStore(path: dir.appendingPathComponent("test.db").path), dir)
}
