import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing

/// The condition rules of `alerts:` (backlog_above, abandonment_above, source_failing, dead_letters_above) in a
/// running `serve` on the real clock, each firing once and resolving once, seen by a real HTTP receiver; the
/// alert state on PostgreSQL with two instances; the KPI gauges of `/metrics` on a small known data set.
@Suite(.serialized, .timeLimit(.minutes(5))) struct AlertConditionsServeTests {
    static let secret = AlertsServeTests.secret

    /// One JSON Lines interaction `minutesAgo` before `now`.
    static func line(_ id: String, channel: String, key: String, minutesAgo: Double, now: Date, _ extra: String) -> String {
        let at = Timestamp.formatISO8601(now.addingTimeInterval(-minutesAgo * 60))
        return #"{"externalId":"\#(id)","channel":"\#(channel)","conversationKey":"\#(key)","occurredAt":"\#(at)",\#(extra)}"# + "\n"
    }

    static let customerMail = #""kind":"message","direction":"inbound","actorRole":"customer","customerKey":"c@example.org""#
    static func call(_ outcome: String, wait: Int) -> String {
        #""kind":"call","direction":"inbound","actorRole":"customer","customerKey":"+79160000000","call":{"outcome":"\#(outcome)","waitSeconds":\#(wait),"talkSeconds":30}"#
    }

    static func importSource(_ ws: Workspace, _ name: String, _ text: String, env: [String: String] = ["OPS_WEBHOOK_SECRET": secret]) throws {
        try ws.write("\(name).jsonl", text)
        let r = try ws.run(["import", name, "--quiet"], env: env)
        try #require(r.status == 0, "\(r.stderr)")
    }

    /// The hook requests' alert events so far (name → states in order).
    static func states(_ receiver: TestHTTPReceiver) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for r in try receiver.requests() where r["path"]?.string == "/hook" {
            let data = try AlertsServeTests.body(r)["data"]
            out[data?["alert"]?.string ?? "", default: []].append(data?["state"]?.string ?? "")
        }
        return out
    }

    @Test func eachConditionRuleFiresOnceAndResolvesOnce() async throws {
        let receiver = try TestHTTPReceiver.start(secret: Self.secret)
        defer { receiver.stop() }
        let port = try LoopbackPort.free()
        let ws = try Workspace(config: """
            store: {sqlite: ./data/sb.db}
            timezone: UTC
            server: {listen: "127.0.0.1:\(port)"}
            \(SampleConfig.pbxAgents)
            connectors:
              - {name: mail, kind: jsonl, path: ./mail.jsonl}
              - {name: calls, kind: jsonl, path: ./calls.jsonl}
            \(SampleConfig.pbxSource(schedule: "every 1s"))
            notifications:
              ops: {kind: webhook, url: "\(receiver.url("/hook"))", secret: "${OPS_WEBHOOK_SECRET}"}
            alerts:
              - {name: mail-backlog, rule: backlog_above, channel: email, threshold: 1, notify: [ops]}
              - {name: abandon, rule: abandonment_above, source: calls, threshold: 30%, min_offered: 3, notify: [ops]}
              - {name: pbx-down, rule: source_failing, source: pbx, failures: 2, notify: [ops]}
              - {name: rejects, rule: dead_letters_above, threshold: 1, window: 4s, notify: [ops]}
            """)
        let env = ["OPS_WEBHOOK_SECRET": Self.secret]
        let now = Date()
        // Two unanswered e-mails (backlog 2 > 1), two broken lines (2 dead letters > 1 within 4 s).
        var mail = Self.line("m1", channel: "email", key: "T-1", minutesAgo: 10, now: now, Self.customerMail)
            + Self.line("m2", channel: "email", key: "T-2", minutesAgo: 9, now: now, Self.customerMail)
        try Self.importSource(ws, "mail", mail + "{broken one\n{broken two\n")
        // Two of three calls abandoned in the last hour (67 % > 30 %).
        var calls = Self.line("k1", channel: "phone", key: "L-1", minutesAgo: 20, now: now, Self.call("abandoned", wait: 40))
            + Self.line("k2", channel: "phone", key: "L-2", minutesAgo: 15, now: now, Self.call("abandoned", wait: 50))
            + Self.line("k3", channel: "phone", key: "L-3", minutesAgo: 10, now: now, Self.call("answered", wait: 20))
        try Self.importSource(ws, "calls", calls)
        // Master.csv does not exist: every scheduled pull of pbx fails.
        let server = try await CLI.serve(["--log-format", "json"], cwd: ws.dir, env: env, log: ws.url("serve.log"))
        defer { ReportMailCLITests.stop(server) }
        try await ScheduledServeTests.waitFor("every condition to fire") {
            let s = try Self.states(receiver)
            return ["mail-backlog", "abandon", "pbx-down", "rejects"].allSatisfy { s[$0]?.first == "breached" }
        }
        let events = try receiver.requests().map { try AlertsServeTests.body($0)["data"] }
        let backlog = try #require(events.first { $0?["alert"]?.string == "mail-backlog" } ?? nil)
        #expect(backlog["rule"]?.string == "backlog_above" && backlog["value"]?.number == 2 && backlog["threshold"]?.number == 1)
        let abandon = try #require(events.first { $0?["alert"]?.string == "abandon" } ?? nil)
        #expect(abandon["value"]?.number.map { abs($0 - 2.0 / 3) < 1e-9 } == true && abandon["threshold"]?.number == 0.3)
        let failing = try #require(events.first { $0?["alert"]?.string == "pbx-down" } ?? nil)
        #expect(failing["source"]?.string == "pbx" && failing["detail"]?.string?.contains("Master.csv") == true, "\(failing)")
        let rejects = try #require(events.first { $0?["alert"]?.string == "rejects" } ?? nil)
        #expect(rejects["value"]?.number == 2 && rejects["rule"]?.string == "dead_letters_above")
        let open = try JSONParser.parse(try ServeTests.curl(["-s", "http://127.0.0.1:\(port)/alerts"]))["alerts"]?.array ?? []
        let openNames = Set(open.compactMap { $0["alert"]?.string })
        #expect(openNames.isSuperset(of: ["mail-backlog", "abandon", "pbx-down"]), "\(openNames)")

        // Each clears: one e-mail is resolved, four answered calls come in, Master.csv appears, the dead letters age out.
        mail += Self.line("m1-done", channel: "email", key: "T-1", minutesAgo: 0, now: Date(),
                          #""kind":"status","direction":"internal","actorRole":"agent","actorId":"anna","status":{"to":"resolved"}"#)
        try Self.importSource(ws, "mail", mail)
        for i in 4...7 {
            calls += Self.line("k\(i)", channel: "phone", key: "L-\(i)", minutesAgo: 1, now: Date(), Self.call("answered", wait: 10))
        }
        try Self.importSource(ws, "calls", calls)
        try PhonePullCLITests.append(PhonePullCLITests.cdr(calls: 2), to: ws.url("Master.csv"))
        try await ScheduledServeTests.waitFor("every condition to resolve", seconds: 90) {
            let s = try Self.states(receiver)
            return ["mail-backlog", "abandon", "pbx-down", "rejects"].allSatisfy { s[$0]?.last == "resolved" }
        }
        try await Task.sleep(for: .seconds(1.5))
        let s = try Self.states(receiver)
        for name in ["mail-backlog", "abandon", "pbx-down", "rejects"] {
            #expect(s[name] == ["breached", "resolved"], "\(name): \(s[name] ?? [])")
        }
        #expect(try receiver.requests().allSatisfy { $0["signature"]?.string == "valid" })
        // A resolution carries the condition as measured when it cleared.
        let resolved = try receiver.requests().map { try AlertsServeTests.body($0)["data"] }.filter { $0?["state"]?.string == "resolved" }
        func cleared(_ name: String) -> JSONValue? { resolved.first { $0?["alert"]?.string == name } ?? nil }
        #expect(cleared("mail-backlog")?["value"]?.number == 1)
        #expect(cleared("abandon")?["value"]?.number.map { abs($0 - 2.0 / 7) < 1e-9 } == true)
        #expect(cleared("pbx-down")?["value"]?.number == 0 && cleared("pbx-down")?["detail"]?.string == "the last run succeeded")
        #expect((cleared("rejects")?["value"]?.number ?? 9) <= 1)
        let still = try JSONParser.parse(try ServeTests.curl(["-s", "http://127.0.0.1:\(port)/alerts"]))["alerts"]?.array
        #expect(still?.isEmpty == true, "\(still ?? [])")
    }

    @Test(ScaleOutServeTests.needsServer)
    func twoInstancesOnOnePostgreSQLSendEachTransitionOnce() async throws {
        let receiver = try TestHTTPReceiver.start(secret: Self.secret)
        defer { receiver.stop() }
        let smtp = try TestSMTP.start(user: "alerts@example.com", password: AlertsServeTests.password)
        defer { smtp.stop() }
        let url = try await TestPostgres.offPool { try TestPostgres.createDatabase() }
        let ports = [try LoopbackPort.free(), try LoopbackPort.free()]
        let ws = try Workspace(config: AlertsServeTests.config(receiver, smtp, port: ports[0], store: "store: {postgres: \"\(url)\"}",
                                                              alerts: "  - {name: chat-frt, rule: frt_at_risk, channel: chat, warn_at: 80%, notify: [ops, lead]}"))
        let env = AlertsServeTests.env(ws, receiver)
        var lines = AlertsServeTests.message("chat-1", 1, minutes: 0, customer: true)
        try AlertsServeTests.importChats(ws, env, lines)
        try AlertsServeTests.setClock(ws, minutes: 1)
        var servers: [Process] = []
        defer { for s in servers { ReportMailCLITests.stop(s) } }
        for (i, port) in ports.enumerated() {
            servers.append(try await CLI.serve(["--listen", "127.0.0.1:\(port)", "--log-format", "json"], cwd: ws.dir, env: env,
                                               log: ws.url("serve\(i).log")))
        }
        func step(minutes: Double, requests: Int) async throws {
            try AlertsServeTests.setClock(ws, minutes: minutes)
            _ = try await receiver.waitForRequests(requests)
            _ = try await smtp.waitForMessages(requests)
            for port in ports { try await AlertsServeTests.waitForTick(port, minutes: minutes) }
            // Ten seconds later both instances have looked again.
            try AlertsServeTests.setClock(ws, minutes: minutes + 10.0 / 60)
            for port in ports { try await AlertsServeTests.waitForTick(port, minutes: minutes + 10.0 / 60) }
            let seen = try receiver.requests().map { try AlertsServeTests.body($0)["data"]?["state"]?.string ?? "" }
            #expect(seen.count == requests && smtp.messageFiles.count == requests, "\(seen), \(smtp.messageFiles.count) mails")
        }
        try await step(minutes: 4.5, requests: 1)
        try await step(minutes: 5.5, requests: 2)
        lines += AlertsServeTests.message("chat-1", 2, minutes: 6, customer: false)
        try AlertsServeTests.importChats(ws, env, lines)
        try await step(minutes: 7, requests: 3)
        let states = try receiver.requests().map { try AlertsServeTests.body($0)["data"]?["state"]?.string ?? "" }
        #expect(states == ["warning", "breached", "resolved"])
        let rows = try await ScaleOutServeTests.query(url, "SELECT state, destination, sent_at IS NOT NULL, attempts FROM alert_notices ORDER BY id")
        #expect(rows.map { $0.joined(separator: "/") } == ["warning/ops/t/1", "warning/lead/t/1", "breached/ops/t/1", "breached/lead/t/1",
                                                          "resolved/ops/t/1", "resolved/lead/t/1"], "\(rows)")
        let alerts = try await ScaleOutServeTests.query(url, "SELECT alert, subject, state FROM alerts")
        #expect(alerts.map { $0.joined(separator: "/") } == ["chat-frt/chats/chat-1/resolved"])
    }

    @Test func gaugesOnMetricsCarryTheKPIsOfAKnownDataSet() async throws {
        let receiver = try TestHTTPReceiver.start(secret: Self.secret)
        defer { receiver.stop() }
        let port = try LoopbackPort.free()
        let ws = try Workspace(config: """
            store: {sqlite: ./data/sb.db}
            timezone: UTC
            server: {listen: "127.0.0.1:\(port)"}
            targets: {phone: {answer_within: 60s}, frt: {chat: 5m, email: 24h}}
            connectors:
              - {name: desk, kind: jsonl, path: ./desk.jsonl}
            notifications:
              ops: {kind: webhook, url: "\(receiver.url("/hook"))", secret: "${OPS_WEBHOOK_SECRET}"}
            alerts:
              - {name: chat-frt, rule: frt_at_risk, channel: chat, notify: [ops]}
            """)
        let env = ["OPS_WEBHOOK_SECRET": Self.secret, "SWITCHBOARD_TEST_CLOCK": ws.url("clock").path]
        let now = try #require(Timestamp.parseISO8601("2026-03-09T12:00:00Z"))
        let agent = #""kind":"message","direction":"outbound","actorRole":"agent","actorId":"anna""#
        let customer = #""kind":"message","direction":"inbound","actorRole":"customer","customerKey":"c@example.org""#
        var data = ""
        // Chat: A waits 2 min, B 10 min (at risk → breached), C answered after 60 s, D after 180 s (both today).
        data += Self.line("a1", channel: "chat", key: "A", minutesAgo: 2, now: now, customer)
        data += Self.line("b1", channel: "chat", key: "B", minutesAgo: 10, now: now, customer)
        data += Self.line("c1", channel: "chat", key: "C", minutesAgo: 30, now: now, customer)
        data += Self.line("c2", channel: "chat", key: "C", minutesAgo: 29, now: now, agent)
        data += Self.line("d1", channel: "chat", key: "D", minutesAgo: 40, now: now, customer)
        data += Self.line("d2", channel: "chat", key: "D", minutesAgo: 37, now: now, agent)
        // E-mail: one waiting two days.
        data += Self.line("e1", channel: "email", key: "E", minutesAgo: 2 * 1440, now: now, customer)
        // Calls in the last hour: answered in 10 s and 90 s, one abandoned, one missed; one two hours ago.
        data += Self.line("k1", channel: "phone", key: "K1", minutesAgo: 50, now: now, Self.call("answered", wait: 10))
        data += Self.line("k2", channel: "phone", key: "K2", minutesAgo: 40, now: now, Self.call("answered", wait: 90))
        data += Self.line("k3", channel: "phone", key: "K3", minutesAgo: 30, now: now, Self.call("abandoned", wait: 40))
        data += Self.line("k4", channel: "phone", key: "K4", minutesAgo: 20, now: now, Self.call("missed", wait: 30))
        data += Self.line("k5", channel: "phone", key: "K5", minutesAgo: 120, now: now, Self.call("abandoned", wait: 40))
        try Self.importSource(ws, "desk", data)
        try ws.write("clock", Timestamp.formatISO8601(now))
        let server = try await CLI.serve(["--log-format", "json"], cwd: ws.dir, env: env, log: ws.url("serve.log"))
        defer { ReportMailCLITests.stop(server) }
        _ = try await receiver.waitForRequests(1)
        try await ScheduledServeTests.waitFor("the tick") {
            try ScheduledServeTests.status(port: port)["alerts"]?["evaluated_at"]?.string.flatMap(Timestamp.parseISO8601) == now
        }
        let text = try ServeTests.curl(["-s", "http://127.0.0.1:\(port)/metrics"])
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("switchboard_") && !line.hasPrefix("switchboard_webhook") {
            let parts = line.split(separator: " ")
            values[String(parts[0])] = String(parts[1])
        }
        let expected: [String: String] = [
            #"switchboard_backlog_open{channel="chat",bucket="under_1h"}"#: "4",
            #"switchboard_backlog_open{channel="chat",bucket="1h_1d"}"#: "0",
            #"switchboard_backlog_open{channel="email",bucket="1d_3d"}"#: "1",
            #"switchboard_awaiting_first_response{channel="chat",bucket="under_5m"}"#: "1",
            #"switchboard_awaiting_first_response{channel="chat",bucket="5m_15m"}"#: "1",
            #"switchboard_awaiting_first_response{channel="email",bucket="over_1d"}"#: "1",
            #"switchboard_frt_today_seconds{channel="chat",quantile="0.5"}"#: "60",
            #"switchboard_frt_today_seconds{channel="chat",quantile="0.9"}"#: "180",
            "switchboard_phone_offered_last_hour": "4",
            "switchboard_phone_abandonment_rate_last_hour": "0.25",
            "switchboard_phone_service_level_last_hour": "0.25",
            #"switchboard_alerts_open{rule="frt_at_risk"}"#: "1",
            #"switchboard_alerts_open{rule="backlog_above"}"#: "0",
        ]
        for (name, value) in expected { #expect(values[name] == value, "\(name)") }
        #expect(text.contains("# TYPE switchboard_backlog_open gauge"))
        // Bounded labels only: no customer or conversation in any gauge.
        #expect(!text.contains("c@example.org") && !text.contains("conversation_key") && !text.contains(Self.secret))
    }
}
