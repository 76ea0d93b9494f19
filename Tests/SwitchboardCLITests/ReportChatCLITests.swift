import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Scheduled reports sent to `kind: slack`, `kind: telegram` and `kind: webhook` destinations, received by a real
/// HTTP receiver on loopback (scripts/start-http-receiver, which checks the Standard Webhooks signature with
/// Python's own `hmac`), with `serve` on a manual clock (`SWITCHBOARD_TEST_CLOCK`).
@Suite(.serialized, .timeLimit(.minutes(3))) struct ReportChatCLITests {
    static let token = "123456789:AAE-bot-token-5c4b3a"
    static let hookKey = "hook-key-7d6e5f"
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    static func config(_ receiver: TestHTTPReceiver, port: Int) -> String {
        """
        store: {sqlite: ./data/sb.db}
        timezone: Europe/Moscow
        server: {listen: "127.0.0.1:\(port)"}
        \(SampleConfig.dataSections)
        notifications:
          team: {kind: slack, url: "${SLACK_WEBHOOK_URL}"}
          duty: {kind: telegram, bot_token: "${TG_BOT_TOKEN}", chat_id: "-1001234567890", api_url: "\(receiver.url())"}
          ops: {kind: webhook, url: "\(receiver.url("/hook"))", secret: "${OPS_WEBHOOK_SECRET}"}
        reports:
          - {name: weekly, schedule: "0 8 * * mon", period: previous-week, by: [channel, agent], notify: [team, duty, ops]}
        """
    }

    static func env(_ ws: Workspace, _ receiver: TestHTTPReceiver) -> [String: String] {
        ["SLACK_WEBHOOK_URL": receiver.url("/services/T1/B2/\(hookKey)"), "TG_BOT_TOKEN": token, "OPS_WEBHOOK_SECRET": secret,
         "SWITCHBOARD_TEST_CLOCK": ws.url("clock").path]
    }

    static func escaped(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// `switchboard report` with the report's options, as the destinations must carry it.
    static func report(_ ws: Workspace, _ env: [String: String], format: String, now: String) throws -> String {
        let r = try ws.run(["report", "--format", format, "--period", "previous-week", "--now", now, "--by", "channel,agent"], env: env)
        try #require(r.status == 0, "\(r.stderr)")
        return r.stdout
    }

    static func body(_ request: JSONValue) throws -> JSONValue { try JSONParser.parse(try #require(request["body"]?.string)) }

    @Test func aReportGoesToSlackTelegramAndASignedWebhookAndARefusalIsRetried() async throws {
        let receiver = try TestHTTPReceiver.start(secret: Self.secret)
        defer { receiver.stop() }
        let port = try LoopbackPort.free()
        let ws = try Workspace(config: Self.config(receiver, port: port))
        let env = Self.env(ws, receiver)
        for source in ["helpdesk", "surveys"] {
            let r = try ws.run(["import", source, "--quiet"], env: env)
            try #require(r.status == 0, "\(r.stderr)")
        }
        let now = "2026-03-09T08:00:00+03:00"
        try ws.write("clock", now)
        // Every destination refuses at first: nothing is recorded, the report retries with back-off.
        try receiver.answer(500, "internal error")
        let server = try await CLI.serve(["--log-format", "json"], cwd: ws.dir, env: env, log: ws.url("serve.log"))
        defer { ReportMailCLITests.stop(server) }
        try await ScheduledServeTests.waitFor("a refused send") {
            try ReportMailCLITests.reportStatus(port: port)?["consecutive_failures"]?.number ?? 0 >= 1
        }
        let failing = try #require(try ReportMailCLITests.reportStatus(port: port))
        #expect(failing["last_error"]?.string?.contains("HTTP 500 internal error") == true, "\(failing)")
        #expect(failing["last_slot"]?.isNull == true)
        let refused = try receiver.requests()
        #expect(refused.count == 3 && refused.allSatisfy { $0["status"]?.number == 500 })
        let list = try ws.run(["reports", "list"], env: env)
        #expect(list.stdout.split(separator: "\n").last?.hasSuffix("-") == true, "nothing in the sent log: \(list.stdout)")

        try receiver.answer(nil)
        try ws.write("clock", "2026-03-09T08:00:31+03:00")
        let all = try await receiver.waitForRequests(6)
        try await ReportMailCLITests.waitForNextRun(port, "2026-03-16T08:00:00+03:00")
        let recovered = try #require(try ReportMailCLITests.reportStatus(port: port))
        #expect(recovered["consecutive_failures"]?.number == 0
                && ReportMailCLITests.time(recovered["last_slot"]) == Timestamp.parseISO8601(now))
        let accepted = Array(all[3...])
        #expect(accepted.allSatisfy { $0["status"]?.number == 200 })
        func request(_ path: String) throws -> JSONValue { try #require(accepted.first { $0["path"]?.string == path }) }

        let title = "Switchboard report weekly: previous week, 2026-03-02 – 2026-03-08"
        let table = try Self.report(ws, env, format: "table", now: now)
        var lines = table.split(separator: "\n", omittingEmptySubsequences: false)
        while lines.last?.isEmpty == true { lines.removeLast() }
        let slack = try Self.body(try request("/services/T1/B2/\(Self.hookKey)"))
        #expect(slack["text"]?.string == "*\(title)*\n```\n\(Self.escaped(lines.joined(separator: "\n")))\n```")

        let telegram = try Self.body(try request("/bot\(Self.token)/sendMessage"))
        #expect(telegram["chat_id"]?.number == -1001234567890 && telegram["parse_mode"]?.string == "HTML")
        let text = try #require(telegram["text"]?.string)
        #expect(text.hasPrefix("<b>\(title)</b>\n<pre>\(Self.escaped(String(lines[0])))\n") && text.utf16.count <= 4096)
        if Self.escaped(table).utf16.count < 3900 {
            #expect(text.hasSuffix("\(Self.escaped(String(lines[lines.count - 1])))</pre>"), "the whole table fits")
        } else {
            #expect(text.contains("</pre>\n<i>cut to fit Telegram's 4096 characters: ") && text.hasSuffix(" of \(lines.count) lines shown</i>"))
        }

        let hook = try request("/hook")
        #expect(hook["signature"]?.string == "valid", "checked by the receiver's own HMAC: \(hook)")
        #expect(hook["headers"]?["webhook-id"] == refused.first { $0["path"]?.string == "/hook" }?["headers"]?["webhook-id"],
                "the retry carries the refused delivery's webhook-id")
        let event = try Self.body(hook)
        #expect(event["type"]?.string == "report" && event["data"]?["report"]?.string == "weekly")
        #expect(event["data"]?["period"]?.string == "previous-week" && event["data"]?["subject"]?.string == title)
        #expect(event["data"]?["from"]?.string.flatMap(Timestamp.parseISO8601) == Timestamp.parseISO8601("2026-03-02T00:00:00+03:00"))
        #expect(event["data"]?["to"]?.string.flatMap(Timestamp.parseISO8601) == Timestamp.parseISO8601("2026-03-09T00:00:00+03:00"))
        let json = try Self.report(ws, env, format: "json", now: now)
        #expect(event["data"]?["result"] == (try JSONParser.parse(json)), "data.result is `report --format json`")

        // `reports send` posts to all three at once; none of it is logged as sent.
        let sent = try ws.run(["reports", "send", "weekly", "--now", now], env: env)
        #expect(sent.status == 0 && ["team", "duty", "ops"].allSatisfy { sent.stdout.contains("sent report weekly to \($0)") }, "\(sent.stderr)")
        #expect(try await receiver.waitForRequests(9).count == 9)

        // The bot token and the Slack webhook's key never show: not in /status, the status table, or the log.
        let status = try ServeTests.curl(["-s", "http://127.0.0.1:\(port)/status"])
        let table2 = try ws.run(["status"], env: env)
        let log = try String(contentsOf: ws.url("serve.log"), encoding: .utf8)
        #expect(log.contains("scheduled report not sent; retrying with back-off") && log.contains("HTTP 500"))
        for text in [status, table2.stdout, table2.stderr, log, sent.stdout, sent.stderr] {
            #expect(!text.contains("AAE-bot-token") && !text.contains(Self.hookKey) && !text.contains(Self.secret))
        }
    }

    @Test func checkNamesEachDestinationProblemWithItsKeyPathAndNoSecret() throws {
        let ws = try Workspace(config: """
            store: {sqlite: ./data/sb.db}
            connectors: []
            notifications:
              team: {kind: slack, url: "http://hooks.example.com/services/T1/B2/\(Self.hookKey)"}
              duty: {kind: telegram, bot_token: "${TG_BOT_TOKEN}", chat_id: "-100123", api_url: "http://192.168.1.5:8081"}
              ops: {kind: webhook, url: "https://ops.example.com/hook", secret: "plain words"}
              fine: {kind: webhook, url: "http://127.0.0.1:9/hook", secret: "\(Self.secret)"}
            reports:
              - {name: weekly, schedule: "0 8 * * mon", period: previous-week, notify: [team, duty, ops, fine, pager]}
            """)
        let r = try ws.run(["check"], env: ["TG_BOT_TOKEN": Self.token])
        #expect(r.status == 2)
        for expected in ["notifications.team.url: http:// to hooks.example.com", "only to 127.0.0.1",
                         "notifications.duty.api_url: http:// to 192.168.1.5", "notifications.ops.secret: expected a signing key",
                         "reports[0].notify[4]: unknown destination 'pager'"] {
            #expect(r.stderr.contains(expected), "missing \(expected) in \(r.stderr)")
        }
        #expect(!r.stderr.contains("notifications.fine"))
        #expect(!(r.stdout + r.stderr).contains("AAE-bot-token") && !(r.stdout + r.stderr).contains(Self.hookKey))
    }
}
