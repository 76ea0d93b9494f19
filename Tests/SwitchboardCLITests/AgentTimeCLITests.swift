import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Agent time and transfers from a hand-written queue_log (connectors/phone/Tests/Fixtures/agent_time_queue_log),
/// imported and reported by the `switchboard` binary on SQLite and PostgreSQL. Business timezone Asia/Irkutsk
/// (UTC+8, no DST): local 2024-01-28 00:00 is 1706371200; local 08:00 is 00:00 UTC, a UTC day boundary.
///
/// The file, in local time (Jan 28 unless said), with the expected figures worked out by hand:
///
///   anna (SIP/301) — membership of two queues, overlapping pauses, a line out of time order:
///     09:00 ADDMEMBER support, ADDMEMBER sales        logged in from 09:00 (one session, not one per queue)
///     10:00 PAUSE support lunch, PAUSE sales lunch   paused "lunch" from 10:00 (counted once)
///     10:20 PAUSE sales training                      "training" from 10:20 (the latest pause in force)
///     10:45 UNPAUSE support   (written BEFORE the 10:30 line: lines are taken in time order)
///     10:30 UNPAUSE sales                             back to "lunch" (support still paused) 10:30–10:45
///     11:00:10 CONNECT / 11:05:10 COMPLETECALLER calltime 300       talk 300, handled 1 (queue support)
///     11:10:05 CONNECT / 11:12:05 TRANSFER to 200@default, calltime 120   talk 120, handled 1, transfer 1 (sales)
///     11:20:15 RINGNOANSWER                                         ring_no_answer 1
///     11:30 WRAPUPSTART (an unknown event: counted, skipped)
///     12:00 REMOVEMEMBER support, sales               logged out at 12:00
///   ⇒ logged_in 09:00–12:00 = 10800; paused lunch 1200 + 900 = 2100, training 600, paused 2700; talk 420;
///     occupancy = 420 ÷ (10800 − 2700) = 0.051852; utilisation = 420 ÷ 10800 = 0.038889; idle 10800 − 2700 − 420 = 7680.
///
///   boris (SIP/302) — a PAUSE without a log-in, a log-off without a log-in, a session across local midnight:
///     08:00 PAUSE break (not logged in: counts only inside a session)
///     08:30 AGENTLOGOFF logintime 5400 without a log-in   session 07:00–08:30 (5400), so break 08:00–08:30 = 1800
///     11:20:30 CONNECT / 11:22:30 COMPLETEAGENT calltime 120   talk 120, handled 1 (support)
///     23:30 ADDMEMBER … Jan 29 00:45 REMOVEMEMBER     1800 on Jan 28 + 2700 on Jan 29
///   ⇒ logged_in 5400 + 4500 = 9900, paused 1800, talk 120, occupancy 120 ÷ 8100 = 0.014815; day 2024-01-28: 7200.
///
///   SIP/305 — in no `agents:` entry (keeps the raw interface), a session open at now:
///     13:00 AGENTLOGIN; Jan 29 00:30 PAUSEALL without a reason; now = Jan 29 01:00 (2024-01-28T17:00:00Z)
///   ⇒ logged_in 13:00–01:00 = 43200, paused "(none)" 1800, talk 0, occupancy 0; Jan 28: 39600, Jan 29: 3600.
///   A line dated after now (an ADDMEMBER of anna) is ignored.
///
///   Transfers: support handled 2 (anna, boris), 0 transferred; sales handled 1, transferred 1 ⇒ overall 1 of 3.
@Suite(.timeLimit(.minutes(5))) struct AgentTimeCLITests {
    static let fixture: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }   // AgentTimeCLITests.swift, SwitchboardCLITests, Tests
        return url.appendingPathComponent("connectors/phone/Tests/Fixtures/agent_time_queue_log")
    }()

    static func config(store: String) -> String {
        """
        store: \(store)
        timezone: Asia/Irkutsk
        agents:
          - {id: anna, phones: ["SIP/301"]}
          - {id: boris, phones: ["SIP/302"]}
        connectors:
          - name: queues
            kind: asterisk-queue-log
            path: ./queue_log
        """
    }

    static let now = "2024-01-28T17:00:00Z"
    static let report = ["report", "--format", "json", "--from", "2024-01-28", "--to", "2024-01-30", "--now", now, "--by", "day,agent,queue"]

    static func workspace(store: String = "{sqlite: ./sb.db}") throws -> Workspace {
        let ws = try Workspace(config: config(store: store))
        try ws.write("queue_log", try String(contentsOf: fixture, encoding: .utf8))
        for _ in 0..<2 {   // the second import stores nothing new: agent events are not doubled
            let r = try ws.run(["import", "queues", "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        return ws
    }

    func json(_ ws: Workspace, _ args: [String]) throws -> JSONValue {
        let r = try ws.run(args)
        try #require(r.status == 0, "\(r.stderr)")
        return try JSONParser.parse(r.stdout)
    }

    /// The figures of one agent under `phone.agents` of a group.
    func agent(_ group: JSONValue?, _ id: String) -> JSONValue? { group?["phone"]?["agents"]?[id] }

    @Test("golden figures: overlapping pauses, log-off without log-in, session open at now, the local day boundary, transfers")
    func goldenFigures() throws {
        let ws = try Self.workspace()
        let r = try json(ws, Self.report)
        let overall = r["overall"]
        let anna = agent(overall, "anna")
        #expect(anna?["logged_in"]?.number == 10800)
        #expect(anna?["paused"]?.number == 2700)
        #expect(anna?["paused_by_reason"]?["lunch"]?.number == 2100)
        #expect(anna?["paused_by_reason"]?["training"]?.number == 600)
        #expect(anna?["talk"]?.number == 420)
        #expect(anna?["occupancy"]?.number == 0.051852)
        #expect(anna?["utilisation"]?.number == 0.038889)
        #expect(anna?["idle"]?.number == 7680)
        #expect(anna?["handled"]?.number == 2 && anna?["transfers"]?.number == 1 && anna?["transfer_rate"]?.number == 0.5)
        #expect(anna?["ring_no_answer"]?.number == 1)
        #expect(anna?["by_hour"]?["09"]?["logged_in"]?.number == 3600)
        #expect(anna?["by_hour"]?["10"]?["paused"]?.number == 2700)
        #expect(anna?["by_hour"]?["11"]?["talk"]?.number == 420)

        let boris = agent(overall, "boris")
        #expect(boris?["logged_in"]?.number == 9900)
        #expect(boris?["paused"]?.number == 1800 && boris?["paused_by_reason"]?["break"]?.number == 1800)
        #expect(boris?["talk"]?.number == 120 && boris?["handled"]?.number == 1)
        #expect(boris?["occupancy"]?.number == 0.014815)
        // Hours are local: 07:00–08:30 (before and after 00:00 UTC) and 23:30–00:45 across local midnight.
        #expect(boris?["by_hour"]?["07"]?["logged_in"]?.number == 3600)
        #expect(boris?["by_hour"]?["08"]?["logged_in"]?.number == 1800 && boris?["by_hour"]?["08"]?["paused"]?.number == 1800)
        #expect(boris?["by_hour"]?["23"]?["logged_in"]?.number == 1800)
        #expect(boris?["by_hour"]?["00"]?["logged_in"]?.number == 2700)

        let raw = agent(overall, "SIP/305")
        #expect(raw?["logged_in"]?.number == 43200)
        #expect(raw?["paused_by_reason"]?["(none)"]?.number == 1800)
        #expect(raw?["talk"]?.number == 0 && raw?["occupancy"]?.number == 0)
        #expect(agent(overall, "305") == nil)

        let transfers = overall?["phone"]?["transfers"]
        #expect(transfers?["handled"]?.number == 3 && transfers?["transferred"]?.number == 1)
        #expect(transfers?["rate"]?.number == 0.333333)
        #expect(transfers?["by_queue"]?["sales"]?["rate"]?.number == 1)
        #expect(transfers?["by_queue"]?["support"]?["handled"]?.number == 2 && transfers?["by_queue"]?["support"]?["rate"]?.number == 0)

        // The day group holds only the local day: boris 07:00–08:30 + 23:30–24:00, SIP/305 13:00–24:00.
        let day = r["by_day"]?["2024-01-28"]
        #expect(agent(day, "boris")?["logged_in"]?.number == 7200)
        #expect(agent(day, "SIP/305")?["logged_in"]?.number == 39600)
        #expect(agent(day, "anna")?["logged_in"]?.number == 10800)
        // An agent group holds its own agent only.
        #expect(agent(r["by_agent"]?["anna"], "anna")?["talk"]?.number == 420)
        #expect(agent(r["by_agent"]?["anna"], "boris") == nil)
        // A queue group has its own transfer rate, and no agent time.
        #expect(r["by_queue"]?["sales"]?["phone"]?["transfers"]?["rate"]?.number == 1)
        #expect(r["by_queue"]?["support"]?["phone"]?["transfers"]?["handled"]?.number == 2)
        #expect(agent(r["by_queue"]?["sales"], "anna") == nil)
        // The calls are the queue's three calls, whatever the agent lines: offered 3, answered 3.
        #expect(overall?["phone"]?["offered"]?.number == 3 && overall?["phone"]?["answered"]?.number == 3)
    }

    @Test("a changed period or now recomputes agent time from the stored events")
    func periodAndNow() throws {
        let ws = try Self.workspace()
        // Jan 29 alone: boris 00:00–00:45, SIP/305 00:00–01:00 (paused 00:30–01:00); no calls that day.
        let next = try json(ws, ["report", "--format", "json", "--from", "2024-01-29", "--to", "2024-01-30", "--now", Self.now])
        #expect(agent(next["overall"], "boris")?["logged_in"]?.number == 2700)
        #expect(agent(next["overall"], "SIP/305")?["logged_in"]?.number == 3600)
        #expect(agent(next["overall"], "SIP/305")?["paused"]?.number == 1800)
        #expect(agent(next["overall"], "anna") == nil)
        #expect(next["overall"]?["phone"]?["offered"] == nil)
        // Now at local 14:00 Jan 28: SIP/305's session (from 13:00) counts to now; the later lines do not exist yet.
        let early = try json(ws, ["report", "--format", "json", "--from", "2024-01-28", "--to", "2024-01-29", "--now", "2024-01-28T06:00:00Z"])
        #expect(agent(early["overall"], "SIP/305")?["logged_in"]?.number == 3600)
        #expect(agent(early["overall"], "boris")?["logged_in"]?.number == 5400)
    }

    @Test("table, CSV, HTML and explain show agent time and the transfer")
    func otherFormats() throws {
        let ws = try Self.workspace()
        let period = ["--from", "2024-01-28", "--to", "2024-01-30", "--now", Self.now]
        let table = try ws.run(["report"] + period)
        #expect(table.stdout.contains("Agent time (occupancy = talk ÷ (logged in − paused))"))
        #expect(table.stdout.contains("anna: lunch 35m 00s, training 10m 00s; boris: break 30m 00s"))
        let csv = try ws.run(["report", "--format", "csv"] + period).stdout
        #expect(csv.contains("overall,,phone_agents.anna.logged_in,10800\n"))
        #expect(csv.contains("overall,,phone_agents.SIP/305.paused_by_reason.(none),1800\n"))
        #expect(csv.contains("overall,,phone_transfers.sales.rate,1\n"))
        let html = try ws.run(["report", "--format", "html"] + period).stdout
        #expect(html.contains("id=\"chart-agent-time\"") && html.contains("<tr data-agent=\"SIP/305\">"))
        #expect(html.contains("data-part=\"paused: lunch\" data-value=\"2100\""))
        #expect(html.contains("<tr data-queue=\"sales\">"))
        let explain = try ws.run(["explain", "queues/1706411400.3", "--now", Self.now])
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(explain.stdout.contains(
            "transfer (TRANSFER): 2024-01-28T03:12:05.000Z anna (SIP/301) passed the call to 200@default after 120s talk [file:queue_log#L16]"))
        // FCR is judged as for every call: one agent took part (the transfer target is no agent of the conversation).
        #expect(explain.stdout.contains("agents: anna"))
        #expect(explain.stdout.contains("FCR: resolved, one agent, never reopened"))
    }

    @Test(PostgresCLITests.needsServer) func postgresGivesTheSameAgentTime() throws {
        let sqlite = try Self.workspace()
        let url = try TestPostgres.createDatabase()
        let postgres = try Self.workspace(store: "{postgres: \"\(url)\"}")
        let fromSQLite = try sqlite.run(Self.report)
        let fromPostgres = try postgres.run(Self.report)
        #expect(fromSQLite.status == 0 && fromPostgres.status == 0, "\(fromSQLite.stderr)\(fromPostgres.stderr)")
        #expect(fromSQLite.stdout.contains("\"SIP/305\":{\"logged_in\":43200"))
        #expect(fromPostgres.stdout == fromSQLite.stdout)
        // `migrate` carries the agent events over: the migrated store reports the same.
        let moved = try TestPostgres.createDatabase()
        #expect(try sqlite.run(["migrate", "--to", moved]).status == 0)
        try sqlite.write("moved.yaml", Self.config(store: "{postgres: \"\(moved)\"}"))
        #expect(try sqlite.run(Self.report + ["--config", "moved.yaml"]).stdout == fromSQLite.stdout)
    }
}
