import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing

/// `alerts:` in `serve` on a manual clock (`SWITCHBOARD_TEST_CLOCK`): notices received by a real HTTP receiver
/// on loopback (Slack, Telegram and a Standard Webhooks endpoint, the signature checked by Python's `hmac`) and
/// a real SMTP server (aiosmtpd), across restarts of `serve`.
@Suite(.serialized, .timeLimit(.minutes(5))) struct AlertsServeTests {
    static let token = "123456789:AAE-alert-bot-9f8e7d"
    static let hookKey = "alert-hook-key-3c2b1a"
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let password = "smtp-alert-pass-6a5b4c"
    static let t0 = "2026-03-09T10:00:00Z"

    static func config(_ receiver: TestHTTPReceiver, _ smtp: TestSMTP, port: Int, store: String = "store: {sqlite: ./data/sb.db}",
                       alerts: String? = nil) -> String {
        """
        \(store)
        timezone: Europe/Moscow
        server: {listen: "127.0.0.1:\(port)"}
        targets:
          frt: {chat: 5m, email: 24h}
        connectors:
          - {name: chats, kind: jsonl, path: ./chats.jsonl}
        notifications:
          ops: {kind: webhook, url: "\(receiver.url("/hook"))", secret: "${OPS_WEBHOOK_SECRET}"}
          team: {kind: slack, url: "${SLACK_WEBHOOK_URL}"}
          duty: {kind: telegram, bot_token: "${TG_BOT_TOKEN}", chat_id: "-1001234567890", api_url: "\(receiver.url())"}
          lead: {kind: email, smtp: "\(smtp.url)", username: alerts@example.com, password: "${SMTP_PASSWORD}",
                 from: "Switchboard <alerts@example.com>", to: [lead@example.com]}
        alerts:
        \(alerts ?? "  - {name: chat-frt, rule: frt_at_risk, channel: chat, warn_at: 80%, notify: [ops, team, duty, lead]}")
        """
    }

    static func env(_ ws: Workspace, _ receiver: TestHTTPReceiver) -> [String: String] {
        ["SLACK_WEBHOOK_URL": receiver.url("/services/T1/B2/\(hookKey)"), "TG_BOT_TOKEN": token, "OPS_WEBHOOK_SECRET": secret,
         "SMTP_PASSWORD": password, "SWITCHBOARD_TEST_CLOCK": ws.url("clock").path]
    }

    /// One chat message of conversation `key` at `t0` + `minutes`.
    static func message(_ key: String, _ n: Int, minutes: Double, customer: Bool) -> String {
        let at = Timestamp.formatISO8601(Timestamp.parseISO8601(t0)!.addingTimeInterval(minutes * 60))
        let who = customer ? #""direction":"inbound","actorRole":"customer""# : #""direction":"outbound","actorRole":"agent","actorId":"anna""#
        return #"{"externalId":"\#(key)-\#(n)","channel":"chat","platform":"webchat","conversationKey":"\#(key)","kind":"message",\#(who),"customerKey":"olga@example.org","occurredAt":"\#(at)","text":"hello"}"# + "\n"
    }

    static func importChats(_ ws: Workspace, _ env: [String: String], _ lines: String) throws {
        try ws.write("chats.jsonl", lines)
        let r = try ws.run(["import", "chats", "--quiet"], env: env)
        try #require(r.status == 0, "\(r.stderr)")
    }

    static func setClock(_ ws: Workspace, minutes: Double) throws {
        try ws.write("clock", Timestamp.formatISO8601(Timestamp.parseISO8601(t0)!.addingTimeInterval(minutes * 60)))
    }

    /// Waits until serve on `port` finished a tick at `t0` + `minutes`.
    static func waitForTick(_ port: Int, minutes: Double) async throws {
        let at = Timestamp.parseISO8601(t0)!.addingTimeInterval(minutes * 60)
        let deadline = Date().addingTimeInterval(60)
        var last = ""
        while Date() < deadline {
            let status = try? ScheduledServeTests.status(port: port)["alerts"]
            if status?["evaluated_at"]?.string.flatMap(Timestamp.parseISO8601) == at { return }
            last = status.map { "\($0)" } ?? "no status"
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for an alert tick at +\(minutes)m on port \(port); last status: \(last)")
        throw CancellationError()
    }

    static func body(_ request: JSONValue) throws -> JSONValue { try JSONParser.parse(try #require(request["body"]?.string)) }

    @Test func aWaitingChatWarnsThenBreachesThenResolvesOnceEachAcrossRestarts() async throws {
        let receiver = try TestHTTPReceiver.start(secret: Self.secret)
        defer { receiver.stop() }
        let smtp = try TestSMTP.start(user: "alerts@example.com", password: Self.password)
        defer { smtp.stop() }
        let port = try LoopbackPort.free()
        let ws = try Workspace(config: Self.config(receiver, smtp, port: port))
        let env = Self.env(ws, receiver)
        // chat-1 waits; chat-2 is answered after 2 minutes, before its warning.
        var lines = Self.message("chat-1", 1, minutes: 0, customer: true) + Self.message("chat-2", 1, minutes: 0.5, customer: true)
            + Self.message("chat-2", 2, minutes: 2.5, customer: false)
        try Self.importChats(ws, env, lines)
        try Self.setClock(ws, minutes: 1)
        var server = try await CLI.serve(["--log-format", "json"], cwd: ws.dir, env: env, log: ws.url("serve1.log"))
        defer { ReportMailCLITests.stop(server) }
        try await Self.waitForTick(port, minutes: 1)
        #expect(try receiver.requests().isEmpty && smtp.messageFiles.isEmpty, "nothing at risk yet")

        // 4 min 10 s: past 80 % of the 5-minute target → one warning to each destination.
        try Self.setClock(ws, minutes: 4 + 10.0 / 60)
        var requests = try await receiver.waitForRequests(3)
        var mails = try await smtp.waitForMessages(1)
        try await Self.waitForTick(port, minutes: 4 + 10.0 / 60)
        #expect(requests.count == 3 && mails.count == 1)
        func request(_ all: [JSONValue], _ path: String) throws -> JSONValue { try #require(all.last { $0["path"]?.string == path }) }
        let slack = try Self.body(try request(requests, "/services/T1/B2/\(Self.hookKey)"))
        let slackText = try #require(slack["text"]?.string)
        #expect(slackText.hasPrefix("*[WARNING] chat-frt: chat conversation chats/chat-1*\n"), "\(slackText)")
        #expect(slackText.contains("Customer: olga@example.org") && slackText.contains("Waiting since: 2026-03-09 13:00:00 +03:00 (4m 10s)"))
        #expect(slackText.contains("Agent: none yet") && slackText.contains("First response target: 5m"))
        let telegram = try Self.body(try request(requests, "/bot\(Self.token)/sendMessage"))
        #expect(telegram["chat_id"]?.number == -1001234567890 && telegram["parse_mode"]?.string == "HTML")
        #expect(telegram["text"]?.string?.hasPrefix("<b>[WARNING] chat-frt: chat conversation chats/chat-1</b>\n") == true)
        let hook = try request(requests, "/hook")
        #expect(hook["signature"]?.string == "valid", "checked by the receiver's own HMAC: \(hook)")
        let event = try Self.body(hook)
        #expect(event["type"]?.string == "alert")
        #expect(event["data"]?["rule"]?.string == "frt_at_risk" && event["data"]?["state"]?.string == "warning")
        #expect(event["data"]?["source"]?.string == "chats" && event["data"]?["conversation_key"]?.string == "chat-1")
        #expect(event["data"]?["customer"]?.string == "olga@example.org" && event["data"]?["channel"]?.string == "chat")
        #expect(event["data"]?["waiting_since"]?.string.flatMap(Timestamp.parseISO8601) == Timestamp.parseISO8601(Self.t0))
        #expect(event["data"]?["agent"]?.isNull == true)
        #expect(mails[0]["subject"]?.string == "[WARNING] chat-frt: chat conversation chats/chat-1")
        #expect(mails[0]["envelope"]?["rcpt_tos"]?.array?.compactMap(\.string) == ["lead@example.com"])
        let mailText = try #require(mails[0]["parts"]?[0]?["text"]?.string)
        #expect(mailText.contains("Alert chat-frt (rule frt_at_risk) is warning.") && mailText.contains("Customer: olga@example.org"))

        // The open alert, on GET /alerts and `switchboard alerts`.
        let open = try JSONParser.parse(try ServeTests.curl(["-s", "http://127.0.0.1:\(port)/alerts"]))
        let listed = try #require(open["alerts"]?.array)
        #expect(listed.count == 1 && listed[0]["alert"]?.string == "chat-frt" && listed[0]["state"]?.string == "warning")
        #expect(listed[0]["conversation_key"]?.string == "chat-1" && listed[0]["customer"]?.string == "olga@example.org")
        let table = try ws.run(["alerts"], env: env)
        #expect(table.status == 0 && table.stdout.contains("chat-frt") && table.stdout.contains("warning")
                && table.stdout.contains("chats/chat-1"), "\(table.stdout)\(table.stderr)")
        let cliJSON = try ws.run(["alerts", "--json"], env: env)
        #expect(try JSONParser.parse(cliJSON.stdout) == open)

        // Restart at the same moment: nothing is sent again.
        ReportMailCLITests.stop(server)
        server = try await CLI.serve(["--log-format", "json"], cwd: ws.dir, env: env, log: ws.url("serve2.log"))
        try await Self.waitForTick(port, minutes: 4 + 10.0 / 60)
        #expect(try receiver.requests().count == 3 && smtp.messageFiles.count == 1, "no repeat after a restart")

        // 5 min 30 s: past the target → one breach each.
        try Self.setClock(ws, minutes: 5.5)
        requests = try await receiver.waitForRequests(6)
        mails = try await smtp.waitForMessages(2)
        try await Self.waitForTick(port, minutes: 5.5)
        #expect(try Self.body(try request(requests, "/hook"))["data"]?["state"]?.string == "breached")
        #expect(mails[1]["subject"]?.string == "[BREACHED] chat-frt: chat conversation chats/chat-1")

        // serve is down when anna replies at 6 min; the next serve sends the resolution.
        ReportMailCLITests.stop(server)
        lines += Self.message("chat-1", 2, minutes: 6, customer: false)
        try Self.importChats(ws, env, lines)
        try Self.setClock(ws, minutes: 7)
        server = try await CLI.serve(["--log-format", "json"], cwd: ws.dir, env: env, log: ws.url("serve3.log"))
        requests = try await receiver.waitForRequests(9)
        mails = try await smtp.waitForMessages(3)
        try await Self.waitForTick(port, minutes: 7)
        let resolved = try Self.body(try request(requests, "/hook"))
        #expect(resolved["data"]?["state"]?.string == "resolved" && resolved["data"]?["agent"]?.string == "anna")
        #expect(mails[2]["subject"]?.string == "[RESOLVED] chat-frt: chat conversation chats/chat-1")
        try Self.setClock(ws, minutes: 9)
        try await Self.waitForTick(port, minutes: 9)
        let all = try receiver.requests()
        #expect(all.count == 9 && smtp.messageFiles.count == 3, "one warning, one breach, one resolution per destination")
        let states = try all.filter { $0["path"]?.string == "/hook" }.map { try Self.body($0)["data"]?["state"]?.string ?? "" }
        #expect(states == ["warning", "breached", "resolved"])
        #expect(all.allSatisfy { $0["status"]?.number == 200 })
        let ids = all.filter { $0["path"]?.string == "/hook" }.compactMap { $0["headers"]?["webhook-id"]?.string }
        #expect(Set(ids).count == 3, "each notice its own webhook-id")
        #expect(try JSONParser.parse(try ServeTests.curl(["-s", "http://127.0.0.1:\(port)/alerts"]))["alerts"]?.array?.isEmpty == true)

        // No secret anywhere: /status, /metrics, the notices, the logs.
        let status = try ServeTests.curl(["-s", "http://127.0.0.1:\(port)/status"])
        let metrics = try ServeTests.curl(["-s", "http://127.0.0.1:\(port)/metrics"])
        #expect(metrics.contains("switchboard_alerts_open{rule=\"frt_at_risk\"} 0"))
        let notices = try all.map { $0["body"]?.string ?? "" } + smtp.messageFiles.map { try String(contentsOf: $0, encoding: .utf8) }
        let logs = try (1...3).map { try String(contentsOf: ws.url("serve\($0).log"), encoding: .utf8) }
        for text in [status, metrics] + notices + logs {
            #expect(!text.contains("AAE-alert-bot") && !text.contains(Self.hookKey) && !text.contains(Self.secret) && !text.contains(Self.password))
        }
    }

    @Test func aRefusedNoticeIsRetriedWithBackOffAndShownOnStatus() async throws {
        let receiver = try TestHTTPReceiver.start(secret: Self.secret)
        defer { receiver.stop() }
        let smtp = try TestSMTP.start(user: "alerts@example.com", password: Self.password)
        defer { smtp.stop() }
        let port = try LoopbackPort.free()
        let ws = try Workspace(config: Self.config(receiver, smtp, port: port, alerts:
            "  - {name: chat-late, rule: frt_breached, channel: chat, notify: [ops]}"))
        let env = Self.env(ws, receiver)
        try Self.importChats(ws, env, Self.message("chat-1", 1, minutes: 0, customer: true))
        try Self.setClock(ws, minutes: 6)
        try receiver.answer(500, "internal error")
        let server = try await CLI.serve(["--log-format", "json"], cwd: ws.dir, env: env, log: ws.url("serve.log"))
        defer { ReportMailCLITests.stop(server) }
        _ = try await receiver.waitForRequests(1)
        try await Self.waitForTick(port, minutes: 6)
        let failing = try ws.run(["status"], env: env)
        #expect(failing.status == 0 && failing.stdout.contains("chat-late") && failing.stdout.contains("HTTP 500"), "\(failing.stdout)\(failing.stderr)")
        let pending = try #require(try ScheduledServeTests.status(port: port)["alerts"]?["pending"]?[0])
        #expect(pending["alert"]?.string == "chat-late" && pending["state"]?.string == "breached" && pending["attempts"]?.number == 1)
        #expect(pending["last_error"]?.string?.contains("HTTP 500") == true, "\(pending)")
        // Not due again before its back-off (5 s less at most 20 % jitter): a tick 3 s later sends nothing.
        try Self.setClock(ws, minutes: 6 + 3.0 / 60)
        try await Self.waitForTick(port, minutes: 6 + 3.0 / 60)
        #expect(try receiver.requests().count == 1)
        try receiver.answer(nil)
        try Self.setClock(ws, minutes: 6 + 10.0 / 60)
        let all = try await receiver.waitForRequests(2)
        try await Self.waitForTick(port, minutes: 6 + 10.0 / 60)
        #expect(all[1]["status"]?.number == 200 && all[1]["signature"]?.string == "valid")
        #expect(all[0]["headers"]?["webhook-id"] == all[1]["headers"]?["webhook-id"], "the retry is the same notice")
        #expect(try ScheduledServeTests.status(port: port)["alerts"]?["pending"]?.array?.isEmpty == true)
        let table = try ws.run(["status"], env: env)
        #expect(table.status == 0 && table.stdout.contains("alerts: 1 rule(s), 1 open, last evaluated"), "\(table.stdout)\(table.stderr)")
    }

    @Test func alertsNeedTheReportTokenAndGaugesAreComputedAtScrapeWithoutAlerts() async throws {
        let port = try LoopbackPort.free()
        let token = "report-token-0f1e2d3c"
        let ws = try Workspace(config: """
            store: {sqlite: ./data/sb.db}
            timezone: UTC
            server: {listen: "127.0.0.1:\(port)", report_token: "${SWITCHBOARD_REPORT_TOKEN}"}
            targets:
              frt: {chat: 5m}
            connectors:
              - {name: chats, kind: jsonl, path: ./chats.jsonl}
            """)
        let env = ["SWITCHBOARD_REPORT_TOKEN": token, "SWITCHBOARD_TEST_CLOCK": ws.url("clock").path]
        try Self.importChats(ws, env, Self.message("chat-1", 1, minutes: 0, customer: true))
        try Self.setClock(ws, minutes: 20)
        let server = try await CLI.serve([], cwd: ws.dir, env: env, log: ws.url("serve.log"))
        defer { ReportMailCLITests.stop(server) }
        let url = "http://127.0.0.1:\(port)/alerts"
        let refused = try ServeTests.curl(["-s", "-D", "-", url])
        #expect(refused.hasPrefix("HTTP/1.1 401") && refused.lowercased().contains("www-authenticate: bearer"), "\(refused)")
        let wrong = try ServeTests.curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer nope", url])
        #expect(wrong == "401")
        let listed = try ServeTests.curl(["-s", "-H", "Authorization: Bearer \(token)", url])
        #expect(try JSONParser.parse(listed)["alerts"]?.array?.isEmpty == true, "\(listed)")
        // No alerts: the gauges are computed when scraped, at the clock's now (chat-1 has waited 20 minutes).
        let metrics = try ServeTests.curl(["-s", "http://127.0.0.1:\(port)/metrics"])
        #expect(metrics.contains(#"switchboard_awaiting_first_response{channel="chat",bucket="15m_1h"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"switchboard_backlog_open{channel="chat",bucket="under_1h"} 1"#))
        #expect(metrics.contains(#"switchboard_alerts_open{rule="frt_breached"} 0"#))
        let status = try ServeTests.curl(["-s", "http://127.0.0.1:\(port)/status"])
        for text in [metrics, status, refused] { #expect(!text.contains(token)) }
    }
}
