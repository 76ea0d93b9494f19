import Foundation
import SwitchboardCore
import SwitchboardScan
import SwitchboardStore
import SwitchboardTesting
@testable import SwitchboardMetrics
import Testing

extension Scenario {
    /// The team calling a customer: an outbound call (agent side) that the customer answered or not.
    mutating func outboundCall(_ key: String, _ time: String, _ outcome: CallOutcome, agent: String = "anna", customer: String,
                               talk: Double? = nil) {
        items.append(Interaction(source: "pbx", externalId: "out-\(key)", channel: .phone, platform: "asterisk", conversationKey: key,
                                 kind: .call, direction: .outbound, actorRole: .agent, actorId: agent, customerKey: customer,
                                 occurredAt: at(time), call: CallInfo(queue: nil, agentId: agent, waitSeconds: nil, talkSeconds: talk,
                                                                       outcome: outcome),
                                 provenance: "test:out-\(key)"))
    }
}

/// Lost calls and their recovery across channels (docs/metrics.md "Lost callers and recovery").
@Suite("Call recovery")
struct CallRecoveryTests {
    static let now = "2026-03-10T12:00:00Z"

    /// Lost calls (abandoned, missed, timeout) and what followed them; recovery window 24 h; UTC.
    ///   A +15550101 abandoned 03-02 09:00, waited 60 s → ends 09:01:00. WhatsApp message from
    ///     whatsapp:15550101 (linked to +15550101) at 11:01:00 → recovered by chat/whatsapp after 2 h = 7200 s.
    ///   B +15550102 missed 03-02 10:00, wait 30 s → ends 10:00:30. The team calls at 13:00 (no answer: an
    ///     attempt) and at 16:00:30 (answered) → recovered by callback after 6 h = 21600 s.
    ///   C +15550103 abandoned 03-02 12:00, wait 40 s. The team calls at 14:00, no answer; nothing else
    ///     → never reached, 1 attempt.
    ///   D +15550104 timeout 03-02 13:00, wait 120 s → ends 13:02; the window closes 03-03 13:02. The customer
    ///     e-mails (dan@example.com, linked) on 03-03 at 14:00 → after the window: never reached (late).
    ///   E +15550105 abandons twice on 03-03 (09:00 and 09:10, 20 s each), then gets through at 09:30
    ///     (answered): a repeated abandon is no recovery, the answered call recovers both:
    ///     09:30:00 − 09:00:20 = 1780 s and 09:30:00 − 09:10:20 = 1180 s.
    ///   F anonymous caller abandoned 03-03 10:00 → lost, anonymous.
    ///   H +15550109 abandons 03-04 09:00 and 15:00 (30 s each), nothing else → two calls never reached, one caller.
    ///   G +15550107 abandoned 03-09 20:00 (10 s) → the window closes 03-10 20:00:10, after now (03-10 12:00): pending.
    ///   +15550108 abandons after 3 s: a short abandon, never offered, not lost.
    /// Totals: lost 10 (A B C D E1 E2 F H1 H2 G); recovered 4 (A B E1 E2); pending 1; rate 4 ÷ (10 − 1) = 0.444444;
    /// never reached: calls C D H1 H2 = 4, callers C D H = 3; late 1 (D); anonymous 1; by callback 1 (B), by return 3;
    /// by channel phone 3 (B E1 E2), chat 1 (A); by platform asterisk 3, whatsapp 1;
    /// time to recovery sorted 1180, 1780, 7200, 21600: median (2nd) 1780, p90 (4th) 21600, mean 31760 ÷ 4 = 7940.
    /// By day: 03-02 lost 4, recovered 2, never reached 2 (C, D); 03-03 lost 3, recovered 2, never reached 0;
    /// 03-04 lost 2, never reached 1 (H); 03-09 lost 1, pending 1.
    static func scenario() -> Scenario {
        var s = Scenario()
        s.call("A", "2026-03-02T09:00:00Z", .abandoned, wait: 60, customer: "+15550101")
        s.message("wa-A", "2026-03-02T11:01:00Z", .customer, customer: "whatsapp:15550101", channel: .chat, platform: "whatsapp",
                  source: "meta")
        s.call("B", "2026-03-02T10:00:00Z", .missed, wait: 30, customer: "+15550102")
        s.outboundCall("B-try", "2026-03-02T13:00:00Z", .missed, customer: "+15550102")
        s.outboundCall("B-back", "2026-03-02T16:00:30Z", .answered, customer: "+15550102", talk: 95)
        s.call("C", "2026-03-02T12:00:00Z", .abandoned, wait: 40, customer: "+15550103")
        s.outboundCall("C-try", "2026-03-02T14:00:00Z", .busy, customer: "+15550103")
        s.call("D", "2026-03-02T13:00:00Z", .timeout, wait: 120, customer: "+15550104")
        s.message("mail-D", "2026-03-03T14:00:00Z", .customer, customer: "dan@example.com")
        s.call("E1", "2026-03-03T09:00:00Z", .abandoned, wait: 20, customer: "+15550105")
        s.call("E2", "2026-03-03T09:10:00Z", .abandoned, wait: 20, customer: "+15550105")
        s.call("E3", "2026-03-03T09:30:00Z", .answered, wait: 15, talk: 200, agent: "boris", customer: "+15550105")
        s.call("F", "2026-03-03T10:00:00Z", .abandoned, wait: 30, customer: nil)
        s.call("H1", "2026-03-04T09:00:00Z", .abandoned, wait: 30, customer: "+15550109")
        s.call("H2", "2026-03-04T15:00:00Z", .abandoned, wait: 30, customer: "+15550109")
        s.call("G", "2026-03-09T20:00:00Z", .abandoned, wait: 10, customer: "+15550107")
        s.call("S", "2026-03-05T10:00:00Z", .abandoned, wait: 3, customer: "+15550108")
        return s
    }

    static var settings: MetricsSettings {
        var s = MetricsSettings()
        s.links = CustomerLinks(rows: [["+15550101", "whatsapp:15550101"], ["+15550104", "dan@example.com"]])
        return s
    }

    static let request = ReportRequest(from: at("2026-03-01T00:00:00Z"), to: at(now), now: at(now))

    /// Checks every number worked out above on one store's report.
    static func expectTotals(_ report: Report, _ label: String) throws {
        let r = try #require(report.overall.phone?.recovery, "\(label)")
        #expect(r.window == 86400, "\(label)")
        #expect(r.lost == 10 && r.recovered == 4 && r.pending == 1, "\(label)")
        #expect(abs(r.rate! - 4.0 / 9.0) < 1e-12, "\(label)")
        #expect(r.neverReachedCalls == 4 && r.neverReached == 3 && r.late == 1 && r.anonymous == 1, "\(label)")
        #expect(r.byCallback == 1 && r.byReturn == 3, "\(label)")
        #expect(r.byChannel == ["phone": 3, "chat": 1], "\(label)")
        #expect(r.byPlatform == ["asterisk": 3, "whatsapp": 1], "\(label)")
        #expect(r.medianTimeToRecovery == 1780 && r.p90TimeToRecovery == 21600 && r.meanTimeToRecovery == 7940, "\(label)")
        #expect(r.byDay["2026-03-02"] == RecoveryDay(lost: 4, recovered: 2, pending: 0, neverReached: 2), "\(label)")
        #expect(r.byDay["2026-03-03"] == RecoveryDay(lost: 3, recovered: 2, pending: 0, neverReached: 0), "\(label)")
        #expect(r.byDay["2026-03-04"] == RecoveryDay(lost: 2, recovered: 0, pending: 0, neverReached: 1), "\(label)")
        #expect(r.byDay["2026-03-09"] == RecoveryDay(lost: 1, recovered: 0, pending: 1, neverReached: 0), "\(label)")
        #expect(r.byDay.count == 4, "\(label)")
    }

    @Test func verdictsOfEachLostCall() async throws {
        let data = try await Self.scenario().dataset(Self.settings, now: Self.now)
        let verdicts = RecoveryVerdicts(data, window: 86400, now: at(Self.now))
        func verdict(_ key: String) throws -> RecoveryVerdict {
            let i = try #require(data.conversations.firstIndex { data.key(of: $0) == key })
            return try #require(verdicts[i], "\(key)")
        }
        let whatsapp = try #require(data.tables.names.find("whatsapp"))
        let asterisk = try #require(data.tables.names.find("asterisk"))
        #expect(try verdict("A") == .recovered(at: at("2026-03-02T11:01:00Z"), after: 7200, channel: .chat, platform: whatsapp, callback: false))
        #expect(try verdict("B") == .recovered(at: at("2026-03-02T16:00:30Z"), after: 21600, channel: .phone, platform: asterisk, callback: true))
        #expect(try verdict("C") == .neverReached(attempts: 1, lastAttempt: at("2026-03-02T14:00:00Z"), late: nil))
        #expect(try verdict("D") == .neverReached(attempts: 0, lastAttempt: nil, late: at("2026-03-03T14:00:00Z")))
        #expect(try verdict("E1") == .recovered(at: at("2026-03-03T09:30:00Z"), after: 1780, channel: .phone, platform: asterisk, callback: false))
        #expect(try verdict("E2") == .recovered(at: at("2026-03-03T09:30:00Z"), after: 1180, channel: .phone, platform: asterisk, callback: false))
        #expect(try verdict("F") == .anonymous)
        #expect(try verdict("G") == .pending)
        #expect(try verdict("H1") == .neverReached(attempts: 0, lastAttempt: nil, late: nil))
        // Not lost: the short abandon, the answered call, the team's own calls.
        for key in ["S", "E3", "B-back", "C-try"] {
            let i = try #require(data.conversations.firstIndex { data.key(of: $0) == key })
            #expect(verdicts[i] == nil, "\(key)")
        }
        // A shorter window turns A's 2 h recovery into a late one; B stays recovered only with ≥ 6 h.
        let short = RecoveryVerdicts(data, window: 3600, now: at(Self.now))
        let a = try #require(data.conversations.firstIndex { data.key(of: $0) == "A" })
        #expect(short[a] == .neverReached(attempts: 0, lastAttempt: nil, late: at("2026-03-02T11:01:00Z")))
    }

    @Test func reportTotalsAndJSON() async throws {
        let store = try await Self.scenario().store()
        let report = try await MetricsEngine(settings: Self.settings).report(store: store, request: Self.request)
        try Self.expectTotals(report, "memory")
        let json = JSONReportRenderer.render(report)
        #expect(json.contains(#""recovery":{"window":86400,"lost":10,"recovered":4,"rate":0.444444,"pending":1,"never_reached":3,"#))
        #expect(json.contains(#""time_to_recovery":{"median":1780,"p90":21600,"mean":7940}"#))
        #expect(json.contains(#""2026-03-02":{"lost":4,"recovered":2,"pending":0,"never_reached":2}"#))
        let csv = CSVReportRenderer.render(report)
        #expect(csv.contains("overall,,phone_recovery_lost,10\n"))
        #expect(csv.contains("overall,,phone_recovery_rate,0.444444\n"))
        #expect(csv.contains("overall,,phone_recovery_by_channel_chat,1\n"))
        let text = TextReportRenderer.render(report)
        #expect(text.contains("lost / recovered / pending"))
        #expect(text.contains("10 / 4 / 1"))
        #expect(text.contains("callers never reached (calls)"))
    }

    @Test func explainSaysWhatBecameOfALostCall() async throws {
        let store = try await Self.scenario().store()
        let explainer = Explainer(settings: Self.settings)
        let c = try await explainer.explain(store: store, key: "C", now: at(Self.now))
        #expect(c.contains("  lost call, never reached within phone.recovery_window (1 unanswered callback attempt)\n"))
        let b = try await explainer.explain(store: store, key: "B", now: at(Self.now))
        #expect(b.contains("  lost call, recovered: the team's call was answered at 2026-03-02T16:00:30.000Z, 6h 00m after the lost call\n"))
        let a = try await explainer.explain(store: store, key: "A", now: at(Self.now))
        #expect(a.contains("  lost call, recovered: the customer came back by chat at 2026-03-02T11:01:00.000Z, 2h 00m after the lost call\n"))
        #expect(!(try await explainer.explain(store: store, key: "E3", now: at(Self.now))).contains("lost call"))
    }

    @Test("two returns at the same moment: the one first by (source, key) recovers, whatever the storage order")
    func equalTimesGoBySourceAndKey() async throws {
        for reversed in [false, true] {
            var s = Scenario()
            s.call("lost", "2026-03-02T09:00:00Z", .abandoned, wait: 30, customer: "+15550601")
            var returns = Scenario()
            returns.message("z-chat", "2026-03-02T10:00:00Z", .customer, customer: "+15550601", channel: .chat, platform: "whatsapp", source: "meta")
            returns.message("a-mail", "2026-03-02T10:00:00Z", .customer, customer: "+15550601", source: "mail")
            s.items += reversed ? returns.items.reversed() : returns.items
            let r = try await s.report(now: "2026-03-05T00:00:00Z")
            // "mail" sorts before "meta": the e-mail is the recovery.
            #expect(r.overall.phone?.recovery?.byChannel == ["email": 1], "reversed: \(reversed)")
        }
    }

    @Test func byQueueBreakdownSplitsTheLostCalls() async throws {
        var s = Scenario()
        s.call("q1", "2026-03-02T09:00:00Z", .abandoned, wait: 60, queue: "sales", customer: "+15550201")
        s.call("q1-back", "2026-03-02T10:00:00Z", .answered, wait: 5, talk: 60, agent: "anna", queue: "support", customer: "+15550201")
        s.call("q2", "2026-03-02T09:30:00Z", .abandoned, wait: 60, queue: "support", customer: "+15550202")
        let r = try await s.report(now: "2026-03-05T00:00:00Z", by: [.queue])
        let groups = Dictionary(uniqueKeysWithValues: r.groups(.queue))
        // sales: its one lost call was recovered by the later support call; support: one lost, never reached.
        #expect(groups["sales"]?.phone?.recovery?.recovered == 1 && groups["sales"]?.phone?.recovery?.lost == 1)
        #expect(groups["support"]?.phone?.recovery?.neverReached == 1 && groups["support"]?.phone?.recovery?.recovered == 0)
        #expect(r.overall.phone?.recovery?.rate == 0.5)
    }

    @Test func neverReachedList() async throws {
        let data = try await Self.scenario().dataset(Self.settings, now: Self.now)
        var k = ConversationConditions()
        try k.set("never-reached", nil)
        #expect(k.query().map(\.0) == ["never-reached"])
        let list = MetricsEngine(settings: Self.settings).conversations(data, request: Self.request, conditions: k)
        // One row per caller never reached, their last lost call: C, D and H's 15:00 call (not H1);
        // not A, B, E (recovered), not G (pending), not F (anonymous: no number to list).
        #expect(list.rows.map(\.key) == ["C", "D", "H2"])
        #expect(list.rows.map(\.customer) == ["+15550103", "+15550104", "+15550109"])
        #expect(list.rows.map(\.openedAt) == [at("2026-03-02T12:00:00Z"), at("2026-03-02T13:00:00Z"), at("2026-03-04T15:00:00Z")])
        #expect(list.total == 3)
        // Combined with another condition (AND): abandoned only drops D (a timeout).
        try k.set("abandoned", nil)
        #expect(MetricsEngine(settings: Self.settings).conversations(data, request: Self.request, conditions: k).rows.map(\.key) == ["C", "H2"])
    }

    @Test("the HTML section shows recovery by day with its table; the served page links the never-reached callers to their list")
    func htmlFragment() async throws {
        let store = try await Self.scenario().store()
        let engine = MetricsEngine(settings: Self.settings)
        let options = ReportOptions(format: .html, from: "2026-03-01", to: Self.now, now: Self.now)
        var input = try await engine.htmlInput(store: store, request: try options.request(timeZone: TimeZone(identifier: "UTC")!))
        let file = HTMLReportRenderer.render(input)
        let section = try #require(HTMLReportTests.slice(file, "<section id=\"call-centre\"", "</section>"))
        #expect(section.contains(#"<div id="call-recovery" data-lost="10" data-recovered="4" data-rate="0.444444">"#))
        #expect(section.contains(#"<figure class="chart" id="chart-call-recovery""#))
        #expect(section.contains(#"<tr data-day="2026-03-02"><th scope="row">2026-03-02</th><td class="num" data-key="lost" data-value="4">4</td>"#))
        #expect(section.contains(#"<td class="num" data-key="never_reached" data-value="2">2</td>"#))
        #expect(section.contains(#"id="table-staffing-grid""#) && section.contains(#"id="table-staffing""#))
        #expect(!file.contains("href="))
        input.links = HTMLReportLinks(options: options)
        let page = HTMLReportRenderer.render(input)
        let data = try await engine.load(store: store, now: at(Self.now)).data
        let never = HTMLReportLinksTests.links(page).filter { $0.query.contains { $0.0 == "never-reached" } }
        #expect(never.count == 1 && never.first?.count == 3)
        for (count, query) in never { #expect(try HTMLReportLinksTests.total(query, engine: engine, data: data) == count) }
    }

    @Test("the same recovery from the SQLite and PostgreSQL stores", arguments: ["sqlite", "postgres"])
    func sameOnEveryStore(_ kind: String) async throws {
        let (store, cleanup) = try await scratchStore(kind, "sb-recovery")
        defer { cleanup() }
        _ = try await store.write(IngestBatch(source: "test", interactions: Self.scenario().items))
        let engine = MetricsEngine(settings: Self.settings)
        let report = try await engine.report(store: store, request: Self.request)
        try Self.expectTotals(report, kind)
        let data = try await engine.load(store: store, now: at(Self.now)).data
        var k = ConversationConditions()
        try k.set("never-reached", "1")
        #expect(engine.conversations(data, request: Self.request, conditions: k).rows.map(\.key) == ["C", "D", "H2"], "\(kind)")
    }
}
