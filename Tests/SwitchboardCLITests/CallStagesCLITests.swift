import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing

/// The call-stage funnel (`phone.stages`) end to end: the hand-written CDR, queue_log, FreeSWITCH and phone-csv
/// files of connectors/phone/Tests/Fixtures/stages imported with the `switchboard` binary, then reported as JSON,
/// CSV, table and HTML, on SQLite and on PostgreSQL.
///
/// Stages (the pinned example): greeting ← app Playback; menu ← context ivr-main, apps Background / WaitExten;
/// queue ← app Queue (and every call with a queue); then `agent` (answered). All calls are on Monday 2026-03-02, UTC.
///
/// The Asterisk calls (Master.csv + queue_log), worked out by hand — reached stage, outcome, wait before giving up:
///
/// | call | ended in | reached | outcome | abandoned there? | wait | position |
/// | --- | --- | --- | --- | --- | --- | --- |
/// | C1 09:00 | ivr-welcome / Playback | greeting | ivr | yes | duration 8 s | – |
/// | C2 09:10 | ivr-main / BackGround | menu | ivr | yes | 20 s | – |
/// | C3 10:05 | ivr-main / WaitExten | menu | ivr | yes | 30 s | – |
/// | C4 10:20 | ivr-main / Hangup (context) | menu | ivr | yes | 12 s | – |
/// | C5 11:00 | Queue support, ABANDON 2 | queue | abandoned | yes | 40 s (queue) | 2 |
/// | C6 11:30 | Queue sales, ABANDON 1 after 3 s | queue | short_abandon | yes (short) | 3 s | 1 |
/// | C7 12:00 | Queue support, EXITWITHTIMEOUT | queue | timeout | no | – | – |
/// | C8 12:30 | Queue sales, EXITWITHKEY 5 | queue | missed | no | – | – |
/// | C9 13:00 | Queue support, CONNECT | agent | answered | no | – | – |
/// | C10 14:00 | Dial, answered | agent | answered | no | – | – |
/// | C11 15:00 | Dial, not answered | none (unstaged) | abandoned | – | – | – |
/// | C12 16:00 | Queue support, EXITEMPTY (no agent leg in the CDR: the queue_log's outcome wins) | queue | missed | no | – | – |
///
/// entered = calls that reached the stage or a later one: greeting 11 (C1–C10, C12), menu 10 (C2–C10, C12), queue 7
/// (C5–C10, C12), agent 2 (C9, C10). abandoned: greeting 1, menu 3, queue 2 (1 short), agent 0. ended here: 1, 3,
/// 5 (C5–C8, C12), 2. Rates: 1/11 = 0.090909, 3/10 = 0.3, 2/7 = 0.285714, 0/2 = 0. Waits (nearest rank, median =
/// ⌈n/2⌉-th, p90 = ⌈0.9n⌉-th): greeting [8] → 8 / 8; menu [12, 20, 30] → 20 / 30; queue [3, 40] → 3 / 40. Positions at
/// abandon: queue {1: 1, 2: 1}. ivr-only calls: 4 (C1–C4); unstaged: 1, abandoned 1 (C11). The existing numbers keep
/// their meaning: offered 7 (C5, C7, C8, C9, C10, C11, C12: ivr and short abandons are not offered), abandoned 2 (C5,
/// C11), short_abandoned 1.
@Suite(.serialized, .timeLimit(.minutes(5))) struct CallStagesCLITests {
    static let fixtures = CLI.packageRoot.appendingPathComponent("connectors/phone/Tests/Fixtures/stages").path

    /// The config over the fixtures; `stages` replaces the pinned stages, `defaults` leaves `phone.stages` out.
    static func config(store: String, stages: String? = nil, defaults: Bool = false) -> String {
        let list = stages ?? """
                - {name: greeting, apps: [Playback]}
                - {name: menu, contexts: [ivr-main], apps: [Background, WaitExten]}
                - {name: queue, apps: [Queue]}
            """
        return """
        store: \(store)
        timezone: UTC
        agents:
          - {id: anna, phones: ["301", "SIP/301"]}
          - {id: boris, phones: ["302", "SIP/302"]}
        phone:
          default_country: RU
        \(defaults ? "" : "  stages:\n" + list)
        connectors:
          - {name: pbx, kind: asterisk-cdr, path: \(fixtures)/Master.csv, queue_log: \(fixtures)/queue_log}
          - name: fs
            kind: freeswitch-cdr
            path: \(fixtures)/freeswitch.csv
            columns: [caller_id_name, caller_id_number, destination_number, context, start_stamp, answer_stamp, end_stamp,
                      duration, billsec, hangup_cause, uuid, bleg_uuid, last_app, last_arg, cc_queue]
          - {name: sheet, kind: phone-csv, path: \(fixtures)/calls.csv, outcome_map: {ivr: ivr}}
        """
    }

    static let period = ["--from", "2026-03-02", "--to", "2026-03-03", "--now", "2026-03-03"]

    static func imported(store: String) throws -> Workspace {
        let ws = try Workspace(config: config(store: store))
        for source in ["pbx", "fs", "sheet"] {
            let r = try ws.run(["import", source, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        return ws
    }

    /// `entered`, `abandoned`, `short_abandoned`, `ended` of each stage in order.
    static func counts(_ stages: JSONValue?) -> [[Double?]] {
        ["greeting", "menu", "queue", "agent"].map { name in
            ["entered", "abandoned", "short_abandoned", "ended"].map { stages?[name]?[$0]?.number }
        }
    }

    /// The three sources' funnels added up (entered, abandoned, short, ended per stage).
    static let overall: [[Double?]] = [[18, 3, 0, 3], [15, 4, 0, 4], [11, 4, 1, 7], [4, 0, 0, 4]]

    @Test func funnelOfEveryStageOnTheHandWrittenFiles() throws {
        let ws = try Self.imported(store: "{sqlite: ./sb.db}")
        let r = try ws.run(["report", "--format", "json", "--by", "source", "--by", "queue", "--by", "topic"] + Self.period)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONParser.parse(r.stdout)

        // Asterisk (see the table above).
        let pbx = json["by_source"]?["pbx"]?["phone"]
        #expect(Self.counts(pbx?["stages"]) == [[11, 1, 0, 1], [10, 3, 0, 3], [7, 2, 1, 5], [2, 0, 0, 2]])
        let stages = pbx?["stages"]
        #expect(stages?["greeting"]?["abandon_rate"]?.number == 0.090909)
        #expect(stages?["menu"]?["abandon_rate"]?.number == 0.3)
        #expect(stages?["queue"]?["abandon_rate"]?.number == 0.285714)
        #expect(stages?["agent"]?["abandon_rate"]?.number == 0)
        #expect(stages?["greeting"]?["abandon_wait_median"]?.number == 8 && stages?["greeting"]?["abandon_wait_p90"]?.number == 8)
        #expect(stages?["menu"]?["abandon_wait_median"]?.number == 20 && stages?["menu"]?["abandon_wait_p90"]?.number == 30)
        #expect(stages?["queue"]?["abandon_wait_median"]?.number == 3 && stages?["queue"]?["abandon_wait_p90"]?.number == 40)
        #expect(stages?["agent"]?["abandon_wait_median"] == .null)
        #expect(stages?["queue"]?["abandoned_positions"]?["1"]?.number == 1 && stages?["queue"]?["abandoned_positions"]?["2"]?.number == 1)
        // By hour: greeting entered at 09 (C1, C2), 10 (C3, C4), 11 (C5, C6), 12 (C7, C8), 13 (C9), 14 (C10), 16 (C12);
        // abandoned in the menu at 09 (C2) and 10 (C3, C4), in the queue at 11 (C5, C6). By weekday: all on Monday.
        let byHour = stages?["greeting"]?["entered_by_hour"]
        #expect(["09", "10", "11", "12", "13", "14", "15", "16"].map { byHour?[$0]?.number } == [2, 2, 2, 2, 1, 1, nil, 1])
        #expect(stages?["menu"]?["abandoned_by_hour"]?["09"]?.number == 1 && stages?["menu"]?["abandoned_by_hour"]?["10"]?.number == 2)
        #expect(stages?["queue"]?["abandoned_by_hour"]?["11"]?.number == 2)
        #expect(stages?["greeting"]?["entered_by_weekday"]?["mon"]?.number == 11)
        #expect(stages?["queue"]?["abandoned_by_weekday"]?["mon"]?.number == 2)
        #expect(pbx?["ivr"]?.number == 4)
        #expect(pbx?["unstaged"]?["calls"]?.number == 1 && pbx?["unstaged"]?["abandoned"]?.number == 1)
        // The existing numbers do not change meaning.
        #expect(pbx?["offered"]?.number == 7 && pbx?["abandoned"]?.number == 2 && pbx?["short_abandoned"]?.number == 1)
        #expect(pbx?["answered"]?.number == 2)

        // FreeSWITCH: F1 playback (greeting, ivr, 10 s), F2 context ivr-main (menu, ivr, 40 s), F3 cc_queue support@default
        // cancelled after 30 s (queue, abandoned), F4 bridged (agent). entered 4, 3, 2, 1; abandoned 1, 1, 1, 0.
        let fs = json["by_source"]?["fs"]?["phone"]
        #expect(Self.counts(fs?["stages"]) == [[4, 1, 0, 1], [3, 1, 0, 1], [2, 1, 0, 1], [1, 0, 0, 1]])
        #expect(fs?["stages"]?["greeting"]?["abandon_wait_median"]?.number == 10)
        #expect(fs?["stages"]?["menu"]?["abandon_wait_median"]?.number == 40)
        #expect(fs?["stages"]?["queue"]?["abandon_wait_median"]?.number == 30)
        #expect(fs?["ivr"]?.number == 2 && fs?["offered"]?.number == 2)

        // phone-csv: P1 Playback (greeting, ivr, 15 s), P2 Queue support abandoned at position 4 after 50 s, P3 answered.
        // entered 3, 2, 2, 1; abandoned 1, 0, 1, 0.
        let sheet = json["by_source"]?["sheet"]?["phone"]
        #expect(Self.counts(sheet?["stages"]) == [[3, 1, 0, 1], [2, 0, 0, 0], [2, 1, 0, 1], [1, 0, 0, 1]])
        #expect(sheet?["stages"]?["greeting"]?["abandon_wait_median"]?.number == 15)
        #expect(sheet?["stages"]?["queue"]?["abandoned_positions"]?["4"]?.number == 1)

        // Overall: the sum of the three sources; offered 7 + 2 + 2 = 11.
        let all = json["overall"]?["phone"]
        #expect(Self.counts(all?["stages"]) == Self.overall)
        #expect(all?["ivr"]?.number == 7 && all?["offered"]?.number == 11)

        // Per queue (and per topic: the queue name is each call's topic): support holds C5, C7, C9, C12, P2, P3.
        // queue entered 6, abandoned 2 (C5 at position 2, P2 at position 4); agent entered 2 (C9, P3).
        for group in [json["by_queue"]?["support"], json["by_topic"]?["support"]] {
            let s = group?["phone"]?["stages"]
            #expect(s?["queue"]?["entered"]?.number == 6 && s?["queue"]?["abandoned"]?.number == 2)
            #expect(s?["agent"]?["entered"]?.number == 2)
            #expect(s?["queue"]?["abandoned_positions"]?["2"]?.number == 1 && s?["queue"]?["abandoned_positions"]?["4"]?.number == 1)
        }
        // sales: C6 (short abandon at position 1) and C8 (key).
        #expect(json["by_queue"]?["sales"]?["phone"]?["stages"]?["queue"]?["entered"]?.number == 2)
        #expect(json["by_queue"]?["sales"]?["phone"]?["stages"]?["queue"]?["short_abandoned"]?.number == 1)

        // CSV and table carry the same numbers.
        let csv = try ws.run(["report", "--format", "csv", "--by", "source"] + Self.period)
        #expect(csv.status == 0, "\(csv.stderr)")
        for line in ["source,pbx,phone_stage_greeting_entered,11", "source,pbx,phone_stage_menu_abandoned,3",
                     "source,pbx,phone_stage_queue_abandon_wait_p90,40", "source,pbx,phone_stage_queue_abandoned_position_2,1",
                     "source,pbx,phone_ivr,4", "source,pbx,phone_unstaged,1", "overall,,phone_stage_agent_entered,4"] {
            #expect(csv.stdout.contains(line + "\n"), "\(line)")
        }
        let table = try ws.run(["report"] + Self.period)
        #expect(table.stdout.contains("call stage"), "\(table.stdout)")
        #expect(table.stdout.contains("ivr only (no agent leg)"))

        // HTML: the Call centre section with the funnel chart and its table.
        let html = try ws.run(["report", "--format", "html"] + Self.period)
        #expect(html.status == 0, "\(html.stderr)")
        #expect(html.stdout.contains("<section id=\"call-centre\""))
        #expect(html.stdout.contains("id=\"chart-call-stages\""))
        #expect(html.stdout.contains("<tr data-stage=\"queue\"><th scope=\"row\" class=\"name\"><bdi>queue</bdi></th><td class=\"num\" data-key=\"entered\" data-value=\"11\">"))
        #expect(html.stdout.contains("id=\"call-ivr\" data-value=\"7\""))

        // explain names where the call ended.
        let explain = try ws.run(["explain", "pbx/1772449200.5", "--now", "2026-03-03T00:00:00Z"])
        #expect(explain.stdout.contains("the call ended in context ext-queues, application Queue, queue position 2"), "\(explain.stdout)")
    }

    /// Without `phone.stages` the defaults apply: greeting ← Answer, Playback, Wait; menu ← Background, WaitExten, Read;
    /// queue ← Queue. C4 (Hangup in ivr-main) now matches nothing: the defaults name no context. So for the Asterisk
    /// calls: entered 10 (C1–C3, C5–C10, C12), 9 (C2, C3, C5–C10, C12), 7, 2; abandoned 1, 2 (C2, C3), 2, 0;
    /// unstaged 2 (C4, C11), both abandoned.
    @Test func defaultStagesWhenTheConfigHasNone() throws {
        let ws = try Workspace(config: Self.config(store: "{sqlite: ./sb.db}", defaults: true))
        #expect(try ws.run(["import", "pbx", "--quiet"]).status == 0)
        let r = try ws.run(["report", "--format", "json"] + Self.period)
        #expect(r.status == 0, "\(r.stderr)")
        let phone = try JSONParser.parse(r.stdout)["overall"]?["phone"]
        #expect(Self.counts(phone?["stages"]) == [[10, 1, 0, 1], [9, 2, 0, 2], [7, 2, 1, 5], [2, 0, 0, 2]])
        #expect(phone?["unstaged"]?["calls"]?.number == 2 && phone?["unstaged"]?["abandoned"]?.number == 2)
        // No stages configured: check has nothing to warn about.
        let check = try ws.run(["check", "--offline"])
        #expect(check.status == 0 && !check.stderr.contains("warning"), "\(check.stderr)")
    }

    @Test func checkWarnsAboutAStageNamingNothingStored() throws {
        let ws = try Self.imported(store: "{sqlite: ./sb.db}")
        try ws.write("typo.yaml", Self.config(store: "{sqlite: ./sb.db}", stages: """
                - {name: greeting, apps: [Playback]}
                - {name: menu, contexts: [ivr-mian], apps: [SayDigits]}
                - {name: queue, queues: [support]}
            """))
        let r = try ws.run(["check", "--offline", "--config", "typo.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: phone.stages[1] (menu): no stored call ended in any of its contexts ivr-mian; apps SayDigits"), "\(r.stderr)")
        #expect(!r.stderr.contains("phone.stages[0]") && !r.stderr.contains("phone.stages[2]"), "\(r.stderr)")
        // The stages as imported name only what occurs: no warning.
        let clean = try ws.run(["check", "--offline"])
        #expect(clean.status == 0 && !clean.stderr.contains("warning"), "\(clean.stderr)")
    }

    @Test func badStageConfigIsAProblemWithItsPath() throws {
        let ws = try Workspace(config: Self.config(store: "{sqlite: ./sb.db}", stages: """
                - {name: agent, apps: [Queue]}
                - {name: menu}
                - {name: menu, apps: [Background], queue: [x]}
            """))
        let r = try ws.run(["check", "--offline"])
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("phone.stages[0].name"), "\(r.stderr)")
        #expect(r.stderr.contains("'agent' is the final stage"))
        #expect(r.stderr.contains("stage 'menu' matches nothing"))
        #expect(r.stderr.contains("phone.stages[2].queue"), "\(r.stderr)")
    }

    static let needsServer = ConditionTrait.enabled(if: TestPostgres.serverURL != nil, Comment(rawValue: TestPostgres.skipMessage))

    @Test(needsServer) func postgresStoreGivesTheSameFunnel() throws {
        let sqlite = try Self.imported(store: "{sqlite: ./sb.db}")
        let pg = try Self.imported(store: "{postgres: \"\(try TestPostgres.createDatabase())\"}")
        for args in [["report", "--format", "json", "--by", "source", "--by", "queue"], ["report", "--format", "csv", "--by", "topic"]] {
            let a = try sqlite.run(args + Self.period), b = try pg.run(args + Self.period)
            #expect(a.status == 0 && b.status == 0, "\(a.stderr)\(b.stderr)")
            #expect(a.stdout.contains("phone_stage_queue_entered") || a.stdout.contains("\"stages\""))
            #expect(b.stdout == a.stdout, "\(args)")
        }
        let json = try JSONParser.parse(try pg.run(["report", "--format", "json"] + Self.period).stdout)
        #expect(Self.counts(json["overall"]?["phone"]?["stages"]) == Self.overall)
    }
}
