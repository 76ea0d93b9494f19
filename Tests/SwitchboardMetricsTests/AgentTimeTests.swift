import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

/// Agent time rules not covered by the queue_log golden test (Tests/SwitchboardCLITests/AgentTimeCLITests.swift):
/// a call still connected at now, lines that end nothing, and the logged-in grid the staffing grid reads.
@Suite struct AgentTimeTests {
    /// Monday 2024-01-29 00:00 UTC.
    static let monday = 1706486400.0

    static func event(_ hours: Double, _ event: String, data: [String] = [], callid: String = "") -> AgentEvent {
        AgentEvent(source: "pbx", at: Date(timeIntervalSince1970: monday + hours * 3600), agent: "a", interface: "SIP/1",
                   queue: "q", event: event, data: data, callid: callid, provenance: "test")
    }

    @Test("a call connected at now talks until now; REMOVEMEMBER without ADDMEMBER and a log-off without logintime end nothing")
    func openCallAndLinesThatEndNothing() {
        // 09:00 REMOVEMEMBER (never added): nothing. 09:10 AGENTLOGOFF without logintime and without a log-in: nothing.
        // 10:00 ADDMEMBER; 10:30 CONNECT, never completed; now 11:15 ⇒ logged in 4500 s, talk 2700 s, handled 1,
        // occupancy 2700 ÷ 4500 = 0.6.
        let events = [Self.event(9, "REMOVEMEMBER"), Self.event(9 + 1.0 / 6, "AGENTLOGOFF", data: ["SIP/1-1"]),
                      Self.event(10, "ADDMEMBER"), Self.event(10.5, "CONNECT", data: ["4", "x.1", "2"], callid: "c1")]
        let now = Date(timeIntervalSince1970: Self.monday + 11.25 * 3600)
        let time = AgentTime(events, now: now, timeZone: TimeZone(identifier: "UTC")!)
        let s = time.stats(from: Date(timeIntervalSince1970: Self.monday), to: now)
        let a = s.agents["a"]
        #expect(a?.loggedIn == 4500 && a?.talk == 2700 && a?.handled == 1 && a?.paused == 0)
        #expect(a?.occupancy == 0.6)
        #expect(a?.byHour[10]?.talk == 1800 && a?.byHour[11]?.talk == 900)
        #expect(s.transfersByQueue["q"]?.handled == 1 && s.transfersByQueue["q"]?.rate == 0)

        // The grid: Monday 10:00 one agent for the whole hour, 11:00 a quarter of it; nobody at 09:00 (0, not unknown).
        let grid = time.loggedInSeconds(from: Date(timeIntervalSince1970: Self.monday), to: now)
        #expect(grid[1][10] == 3600 && grid[1][11] == 900 && grid[1][9] == 0)
        let day = Int(Self.monday / 86400)
        #expect(time.agents(slot: day * 24 + 10) == 1 && time.agents(slot: day * 24 + 11) == 0.25 && time.agents(slot: day * 24 + 9) == 0)
        #expect(AgentTime([], now: now, timeZone: TimeZone(identifier: "UTC")!).agents(slot: day * 24 + 10) == nil)
    }

    @Test("pauses over several days are counted only inside each day's session, also a pause begun before the log-in")
    func pausesOverSeveralSessions() {
        // Three days (Monday = hour 0): each day ADDMEMBER 09:00, PAUSE lunch 12:00, UNPAUSE 13:00, REMOVEMEMBER 18:00;
        // on Tuesday also PAUSE break at 08:00, before the log-in. Tuesday's pause stretches: break 08:00–12:00 (the
        // lunch PAUSE of the same queue replaces it at 12:00), lunch 12:00–13:00; inside the 09:00 session: break
        // 09:00–12:00 = 10800 s. Lunch: 3 × 3600 = 10800 s. Logged in 3 × 9 h = 97200 s; paused 21600 s.
        var events: [AgentEvent] = []
        for day in 0..<3 {
            let h = Double(day * 24)
            if day == 1 { events.append(Self.event(h + 8, "PAUSE", data: ["break"])) }
            events += [Self.event(h + 9, "ADDMEMBER"), Self.event(h + 12, "PAUSE", data: ["lunch"]), Self.event(h + 13, "UNPAUSE"),
                       Self.event(h + 18, "REMOVEMEMBER")]
        }
        let utc = TimeZone(identifier: "UTC")!
        let time = AgentTime(events, now: Date(timeIntervalSince1970: Self.monday + 4 * 86400), timeZone: utc)
        let all = time.stats(from: Date(timeIntervalSince1970: Self.monday), to: Date(timeIntervalSince1970: Self.monday + 3 * 86400))
        #expect(all.agents["a"]?.loggedIn == 97200 && all.agents["a"]?.paused == 21600)
        #expect(all.agents["a"]?.pausedByReason == ["lunch": 10800, "break": 10800])
        // Tuesday alone: logged in 32400 s, paused 10800 (break) + 3600 (lunch).
        let tuesday = time.stats(from: Date(timeIntervalSince1970: Self.monday + 86400), to: Date(timeIntervalSince1970: Self.monday + 2 * 86400))
        #expect(tuesday.agents["a"]?.loggedIn == 32400 && tuesday.agents["a"]?.paused == 14400)
    }
}
