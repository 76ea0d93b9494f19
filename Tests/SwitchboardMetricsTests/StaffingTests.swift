import Foundation
import SwitchboardCore
import SwitchboardScan
import SwitchboardStore
import SwitchboardTesting
@testable import SwitchboardMetrics
import Testing

/// The weekday × hour staffing grid (Erlang C) and its back-test (docs/metrics.md "Staffing").
@Suite("Staffing")
struct StaffingTests {
    /// Agents logged in as the queue_log would give them: one agent on Mondays 10:00–11:00 local time, nothing known otherwise.
    struct MondayTen: LoggedInAgents {
        func agents(slot: Int) -> Double? {
            let day = Int((Double(slot) / 24).rounded(.down))
            return BusinessCalendar.weekday(day) == 1 && slot - day * 24 == 10 ? 1 : nil
        }
    }

    /// Business timezone Europe/Berlin (UTC+1 in March before the DST change): calls at 09:xx UTC fall in the
    /// local 10:00 hour. Three Mondays (03-02, 03-09, 03-16), four calls each, every one answered with 180 s talk:
    ///   week 1: waits 5, 10, 12, 19 s → all within 20 s: level 1.0
    ///   week 2: waits 5, 10, 12, 60 s → 3 of 4: 0.75
    ///   week 3: waits 5, 10, 60, 90 s → 2 of 4: 0.5
    /// Period 03-02 00:00 to 03-23 00:00 local: the Monday 10:00 hour occurs 3 times.
    ///   offered per hour = 12 ÷ 3 = 4; AHT 180 s; load A = 4 × 180 ÷ 3600 = 0.2 Erlangs.
    ///   Erlang C with one agent: C(1, A) = A = 0.2, level = 1 − 0.2·e^(−(1 − 0.2)·20/180) = 0.81701…
    ///   ≥ 0.80, so 1 agent on the phones; with 30 % shrinkage ⌈1 ÷ 0.7⌉ = 2 to roster.
    ///   achieved level = 9 ÷ 12 = 0.75; logged in: 1 agent.
    /// Back-test (forecast from the earlier weeks, one agent logged in): week 1 has no earlier week;
    ///   week 2: forecast 4/h, AHT 180 → predicted 0.81701, actual 0.75 → |0.75 − 0.81701| ÷ 0.75 = 0.08935
    ///   week 3: forecast (4 + 4) ÷ 2 = 4/h → predicted 0.81701, actual 0.5 → 0.63402
    ///   MAPE = (0.08935 + 0.63402) ÷ 2 = 0.36168 over 2 hours.
    static func scenario() -> Scenario {
        var s = Scenario()
        let waits: [[Double]] = [[5, 10, 12, 19], [5, 10, 12, 60], [5, 10, 60, 90]]
        for (w, day) in ["02", "09", "16"].enumerated() {
            for (k, wait) in waits[w].enumerated() {
                s.call("c\(day)-\(k)", "2026-03-\(day)T09:\(LocalClock.pad(k * 10, 2)):00Z", .answered, wait: wait, talk: 180,
                       agent: "anna", customer: "+1555030\(w)\(k)")
            }
        }
        return s
    }

    static var settings: MetricsSettings {
        var s = MetricsSettings(timeZone: TimeZone(identifier: "Europe/Berlin")!)
        s.targets.phoneAnswerWithin = 20
        s.targets.phoneServiceLevel = 0.80
        s.shrinkage = 0.30
        return s
    }

    static let request = ReportRequest(from: at("2026-03-01T23:00:00Z"), to: at("2026-03-22T23:00:00Z"), now: at("2026-03-25T00:00:00Z"))

    @Test func gridAndBacktest() async throws {
        var data = try await Self.scenario().dataset(Self.settings, now: "2026-03-25T00:00:00Z")
        data.loggedInAgents = MondayTen()
        let report = MetricsEngine(settings: Self.settings).compute(data, request: Self.request)
        let s = try #require(report.overall.phone?.staffing)
        #expect(s.cells.count == 1)
        let c = try #require(s.cells.first)
        let predicted = 1 - 0.2 * exp(-0.8 * 20 / 180)
        #expect(abs(predicted - 0.81701) < 0.00001)
        #expect(c.weekday == 1 && c.hour == 10 && c.hours == 3 && c.offered == 12)
        #expect(c.offeredPerHour == 4 && c.aht == 180 && abs(c.erlangs - 0.2) < 1e-12)
        #expect(c.onPhones == 1 && c.requiredAgents == 2)
        #expect(c.loggedInAgents == 1 && c.serviceLevel == 0.75)
        #expect(abs(c.predictedServiceLevel! - predicted) < 1e-12)
        let week2 = abs(0.75 - predicted) / 0.75, week3 = abs(0.5 - predicted) / 0.5
        #expect(abs(week2 - 0.08935) < 0.00001 && abs(week3 - 0.63402) < 0.00001)
        #expect(c.backtestWeeks == 2 && abs(c.backtestMAPE! - (week2 + week3) / 2) < 1e-12)
        #expect(s.backtestHours == 2 && abs(s.backtestMAPE! - 0.36168) < 0.00001)
        let json = JSONReportRenderer.render(report)
        #expect(json.contains(#""staffing":[{"weekday":"mon","hour":10,"offered_per_hour":4,"aht":180,"required_agents":2,"logged_in_agents":1,"service_level":0.75,"#))
        #expect(json.contains(#""staffing_backtest":{"mape":0.361684,"hours":2,"zero_level_hours":0}"#))
    }

    @Test("logged-in agents from queue_log agent events (agent time) give the same grid and back-test as the hand-made roster")
    func loggedInFromAgentEvents() async throws {
        // One agent logs in at 10:00 and off at 11:00 local (09:00–10:00 UTC) on each of the three Mondays.
        let events = Self.logIns()
        var data = try await Self.scenario().dataset(Self.settings, now: "2026-03-25T00:00:00Z")
        data.agentEvents = events
        data.loggedInAgents = AgentTime(events, now: at("2026-03-25T00:00:00Z"), timeZone: Self.settings.timeZone)
        let s = try #require(MetricsEngine(settings: Self.settings).compute(data, request: Self.request).overall.phone?.staffing)
        let c = try #require(s.cells.first)
        #expect(s.cells.count == 1 && c.loggedInAgents == 1 && c.requiredAgents == 2)
        #expect(c.backtestWeeks == 2 && abs(s.backtestMAPE! - 0.36168) < 0.00001)
    }

    /// The log-ins of ``loggedInFromAgentEvents()``: one agent, 10:00–11:00 local on each of the three Mondays.
    static func logIns() -> [AgentEvent] {
        ["02", "09", "16"].flatMap { day in
            [("09:00:00", "AGENTLOGIN"), ("10:00:00", "AGENTLOGOFF")].map { time, event in
                AgentEvent(source: "pbx-log", at: at("2026-03-\(day)T\(time)Z"), agent: "anna", interface: "SIP/301",
                           queue: "support", event: event, data: [], callid: "", provenance: "test:\(day)-\(event)")
            }
        }
    }

    @Test("the grid from the SQLite and PostgreSQL stores: calls and stored agent log-ins give the same numbers", arguments: ["sqlite", "postgres"])
    func sameOnEveryStore(_ kind: String) async throws {
        let (store, cleanup) = try await scratchStore(kind, "sb-staffing")
        defer { cleanup() }
        var batch = IngestBatch(source: "test", interactions: Self.scenario().items)
        batch.agentEvents = Self.logIns()
        _ = try await store.write(batch)
        let report = try await MetricsEngine(settings: Self.settings).report(store: store, request: Self.request)
        let s = try #require(report.overall.phone?.staffing, "\(kind)")
        let c = try #require(s.cells.first)
        #expect(s.cells.count == 1 && c.offeredPerHour == 4 && c.requiredAgents == 2 && c.loggedInAgents == 1 && c.serviceLevel == 0.75, "\(kind)")
        #expect(c.backtestWeeks == 2 && abs(s.backtestMAPE! - 0.36168) < 0.00001, "\(kind)")
    }

    @Test func erlangAWithThePatienceCallersShowed() async throws {
        // Monday 10:00 UTC, one week: three answered calls and one abandoned, every caller waited 30 s
        // → patience = 4 × 30 s waited ÷ 1 abandon = 120 s; 4 calls per hour, AHT 180 s.
        var s = Scenario()
        for k in 0..<3 {
            s.call("a\(k)", "2026-03-02T10:0\(k):00Z", .answered, wait: 30, talk: 180, agent: "anna", customer: "+155505000\(k)")
        }
        s.call("lost", "2026-03-02T10:30:00Z", .abandoned, wait: 30, customer: "+1555050009")
        var settings = MetricsSettings()
        settings.targets.phoneAnswerWithin = 20
        let r = try await s.report(settings, from: "2026-03-02T00:00:00Z", to: "2026-03-09T00:00:00Z", now: "2026-03-10T00:00:00Z")
        let staffing = try #require(r.overall.phone?.staffing)
        #expect(staffing.patience == 120)
        let c = try #require(staffing.cells.first)
        let model = ErlangA(callsPerHour: 4, aht: 180, patience: 120)
        let n = model.agents(for: 0.8, answerWithin: 20)
        #expect(c.erlangARequiredAgents == ErlangC.rostered(n, shrinkage: 0.3) && c.erlangAAbandonment == model.abandonment(agents: n))
        #expect(JSONReportRenderer.render(r).contains(#""staffing_patience":120"#))
    }

    @Test func withoutLogInsTheGridStillRecommends() async throws {
        let report = try await Self.scenario().report(Self.settings, from: "2026-03-01T23:00:00Z", to: "2026-03-22T23:00:00Z",
                                                      now: "2026-03-25T00:00:00Z")
        let c = try #require(report.overall.phone?.staffing?.cells.first)
        #expect(c.requiredAgents == 2 && c.loggedInAgents == nil && c.predictedServiceLevel == nil && c.backtestMAPE == nil)
        #expect(report.overall.phone?.staffing?.backtestMAPE == nil)
        #expect(JSONReportRenderer.render(report).contains(#""logged_in_agents":null"#))
        // A period reaching past now counts only the hours that have happened: the Mondays of 03-23 … 04-27
        // are still to come on 03-17, so the hour still occurs 3 times and 12 calls are 4 per hour.
        let ahead = try await Self.scenario().report(Self.settings, from: "2026-03-01T23:00:00Z", to: "2026-04-30T22:00:00Z",
                                                     now: "2026-03-17T00:00:00Z")
        let early = try #require(ahead.overall.phone?.staffing?.cells.first)
        #expect(early.hours == 3 && early.offeredPerHour == 4)
    }

    @Test func theTextbookLoadGivesTheTextbookAnswer() async throws {
        // The textbook load (ErlangCTests: 100 calls per 30 min = 200 per hour, AHT 180 s = 10 Erlangs) as
        // data: 200 answered calls in the Monday 10:00 hour of a one-week period (UTC), 180 s talk each.
        // The grid must give 14 agents on the phones (80 % in 20 s) and ⌈14 ÷ 0.7⌉ = 20 to roster.
        var s = Scenario()
        for k in 0..<200 {
            s.call("t\(k)", "2026-03-02T10:\(LocalClock.pad(k * 18 / 60, 2)):\(LocalClock.pad(k * 18 % 60, 2))Z", .answered,
                   wait: 10, talk: 180, agent: "anna", customer: "+1555040\(LocalClock.pad(k, 3))")
        }
        var settings = MetricsSettings()
        settings.targets.phoneAnswerWithin = 20
        let r = try await s.report(settings, from: "2026-03-02T00:00:00Z", to: "2026-03-09T00:00:00Z", now: "2026-03-10T00:00:00Z")
        let c = try #require(r.overall.phone?.staffing?.cells.first { $0.offered > 0 })
        #expect(c.offeredPerHour == 200 && c.erlangs == 10 && c.onPhones == 14 && c.requiredAgents == 20)
    }
}
