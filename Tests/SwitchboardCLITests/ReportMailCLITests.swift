import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Scheduled report e-mails (`notifications:` + `reports:`), received by a real SMTP server on loopback
/// (scripts/start-smtp), with `serve` on a manual clock (`SWITCHBOARD_TEST_CLOCK`, a file holding "now").
@Suite(.serialized, .timeLimit(.minutes(5))) struct ReportMailCLITests {
    static let password = "smtp-pass-4f9e2"
    static let weekly = #"{name: weekly, schedule: "0 8 * * mon", period: previous-week, by: [channel, agent], notify: [lead]}"#

    static func config(smtp: TestSMTP, port: Int, store: String = "store: {sqlite: ./data/sb.db}", reports: [String] = [weekly]) -> String {
        """
        \(store)
        timezone: Europe/Moscow
        server: {listen: "127.0.0.1:\(port)"}
        \(SampleConfig.dataSections)
        notifications:
          lead: {kind: email, smtp: "\(smtp.url)", username: reports@example.com, password: "${SMTP_PASSWORD}",
                 from: "Switchboard <reports@example.com>", to: [lead@example.com]}
        reports:
        \(reports.map { "  - " + $0 }.joined(separator: "\n"))
        """
    }

    /// A workspace holding the sample data, and the clock file at `now`.
    static func workspace(_ config: String, now: String) throws -> Workspace {
        let ws = try Workspace(config: config)
        for source in ["helpdesk", "surveys"] {
            let r = try ws.run(["import", source, "--quiet"], env: env(ws))
            try #require(r.status == 0, "\(r.stderr)")
        }
        try setClock(ws, now)
        return ws
    }

    static func env(_ ws: Workspace) -> [String: String] {
        ["SMTP_PASSWORD": password, "SWITCHBOARD_TEST_CLOCK": ws.url("clock").path]
    }

    static func setClock(_ ws: Workspace, _ time: String) throws { try ws.write("clock", time) }

    static func serve(_ ws: Workspace, port: Int, log: String) async throws -> Process {
        try await CLI.serve(["--log-format", "json"], cwd: ws.dir, env: env(ws), log: ws.url(log))
    }

    static func stop(_ p: Process) {
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
    }

    /// The `weekly` entry of `GET /status`'s reports.
    static func reportStatus(port: Int) throws -> JSONValue? { try ScheduledServeTests.status(port: port)["reports"]?[0] }

    static func time(_ value: JSONValue?) -> Date? { value?.string.flatMap(Timestamp.parseISO8601) }

    /// Waits until serve's report is due next at `next` (it has looked at everything before).
    static func waitForNextRun(_ port: Int, _ next: String) async throws {
        let due = Timestamp.parseISO8601(next)
        try await ScheduledServeTests.waitFor("the report to be due next at \(next)") {
            time(try reportStatus(port: port)?["next_run_at"]) == due
        }
    }

    /// `switchboard report` with the report's options, as the mail must carry it.
    static func report(_ ws: Workspace, format: String, now: String) throws -> String {
        let r = try ws.run(["report", "--format", format, "--period", "previous-week", "--now", now, "--by", "channel,agent"],
                           env: env(ws))
        try #require(r.status == 0, "\(r.stderr)")
        return r.stdout
    }

    @Test func aWeeklyReportIsSentOncePerWeekAcrossRestartsAndCarriesTheReportItself() async throws {
        let smtp = try TestSMTP.start(user: "reports@example.com", password: Self.password)
        defer { smtp.stop() }
        let port = try ServeTests.freePort()
        // Sunday 8 March 2026, noon in Moscow: the latest slot (Monday 2 March 08:00) was never sent.
        let ws = try Self.workspace(Self.config(smtp: smtp, port: port), now: "2026-03-08T12:00:00+03:00")
        var server = try await Self.serve(ws, port: port, log: "serve1.log")
        _ = try await smtp.waitForMessages(1)
        try await Self.waitForNextRun(port, "2026-03-09T08:00:00+03:00")
        #expect(smtp.messageFiles.count == 1, "the latest slot is sent once at start")

        // Monday 08:00: the slot fires and the mail covers the week before.
        try Self.setClock(ws, "2026-03-09T08:00:00+03:00")
        let mails = try await smtp.waitForMessages(2)
        try await Self.waitForNextRun(port, "2026-03-16T08:00:00+03:00")
        let mail = mails[1]
        #expect(mail["subject"]?.string == "Switchboard report weekly: previous week, 2026-03-02 – 2026-03-08")
        #expect(mail["envelope"]?["rcpt_tos"]?.array?.compactMap(\.string) == ["lead@example.com"])
        #expect(mail["envelope"]?["login"]?.string == "reports@example.com")
        let parts = try #require(mail["parts"]?.array)
        #expect(parts.map { $0["content_type"]?.string } == ["text/plain", "text/html", "text/csv"])
        let now = "2026-03-09T08:00:00+03:00"
        #expect(parts[1]["text"]?.string == (try Self.report(ws, format: "html", now: now)), "the HTML part is `report --format html`")
        #expect(parts[0]["text"]?.string == (try Self.report(ws, format: "table", now: now)))
        let csv = try Self.report(ws, format: "csv", now: now)
        #expect(parts[2]["text"]?.string == csv && parts[2]["filename"]?.string == "weekly-2026-03-02.csv")
        let rows = try #require(parts[2]["csv_rows"]?.array?.map { $0.array?.compactMap(\.string) ?? [] })
        #expect(rows.count == csv.split(separator: "\n").count && rows.count > 5 && rows.allSatisfy { $0.count == rows[0].count })
        // The live report takes the same named period.
        let served = try ServeTests.curl(["-s", "http://127.0.0.1:\(port)/report?period=previous-week&now=2026-03-09T08:00:00%2B03:00&by=channel,agent&format=csv"])
        #expect(served == csv)
        let status = try #require(try Self.reportStatus(port: port))
        #expect(Self.time(status["last_slot"]) == Timestamp.parseISO8601(now) && status["consecutive_failures"]?.number == 0)
        #expect(status["period"]?.string == "previous-week" && status["notify"]?[0]?.string == "lead")

        // Later that Monday serve restarts: the slot is in the sent log, so nothing is sent again.
        try Self.setClock(ws, "2026-03-09T10:00:00+03:00")
        Self.stop(server)
        server = try await Self.serve(ws, port: port, log: "serve2.log")
        try await Self.waitForNextRun(port, "2026-03-16T08:00:00+03:00")
        #expect(Self.time(try Self.reportStatus(port: port)?["last_slot"]) == Timestamp.parseISO8601(now), "read back from the log")
        // Down over the next Monday's slot: the restart sends it, once.
        Self.stop(server)
        try Self.setClock(ws, "2026-03-16T09:30:00+03:00")
        server = try await Self.serve(ws, port: port, log: "serve3.log")
        let third = try await smtp.waitForMessages(3)
        try await Self.waitForNextRun(port, "2026-03-23T08:00:00+03:00")
        #expect(third[2]["subject"]?.string == "Switchboard report weekly: previous week, 2026-03-09 – 2026-03-15")
        try Self.setClock(ws, "2026-03-16T12:00:00+03:00")
        try await Task.sleep(for: .milliseconds(300))
        Self.stop(server)
        #expect(server.terminationStatus == 0)
        #expect(smtp.messageFiles.count == 3, "one mail per slot")

        let list = try ws.run(["reports", "list"], env: Self.env(ws))
        #expect(list.status == 0 && list.stdout.contains("weekly") && list.stdout.contains("2026-03-16T05:00:00"), "\(list.stdout)")
        let logs = try ["serve1.log", "serve2.log", "serve3.log"].map { try String(contentsOf: ws.url($0), encoding: .utf8) }.joined()
        #expect(logs.contains("scheduled report sent") && !logs.contains(Self.password))
    }

    @Test(ScaleOutServeTests.needsServer)
    func twoInstancesOnOnePostgreSQLSendEachSlotOnce() async throws {
        let smtp = try TestSMTP.start(user: "reports@example.com", password: Self.password)
        defer { smtp.stop() }
        let url = try await TestPostgres.offPool { try TestPostgres.createDatabase() }
        let ports = [try ServeTests.freePort(), try ServeTests.freePort()]
        let ws = try Self.workspace(Self.config(smtp: smtp, port: ports[0], store: "store: {postgres: \"\(url)\"}"),
                                    now: "2026-03-09T07:59:00+03:00")
        var servers: [Process] = []
        defer { for s in servers { Self.stop(s) } }
        for (i, port) in ports.enumerated() {
            servers.append(try await CLI.serve(["--listen", "127.0.0.1:\(port)", "--log-format", "json"], cwd: ws.dir,
                                               env: Self.env(ws), log: ws.url("serve\(i).log")))
        }
        /// Moves the clock to `time`, then past any instance's wait for the other's lock, until both are due at `next`.
        func advance(to time: String, mails: Int, next: String) async throws {
            try Self.setClock(ws, time)
            _ = try await smtp.waitForMessages(mails)
            let later = try #require(Timestamp.parseISO8601(time)).addingTimeInterval(20)
            try Self.setClock(ws, Timestamp.formatISO8601(later))
            for port in ports { try await Self.waitForNextRun(port, next) }
        }
        // Both start after the slot of 2 March: it is sent once, by one of them.
        try await advance(to: "2026-03-09T07:59:00+03:00", mails: 1, next: "2026-03-09T08:00:00+03:00")
        #expect(smtp.messageFiles.count == 1)
        try await advance(to: "2026-03-09T08:00:00+03:00", mails: 2, next: "2026-03-16T08:00:00+03:00")
        #expect(smtp.messageFiles.count == 2, "each slot once, whichever instance sent it")
        let rows = try await ScaleOutServeTests.query(url, "SELECT report, slot, destination FROM report_sends ORDER BY slot")
        #expect(rows.map { $0[0] + "/" + $0[2] } == ["weekly/lead", "weekly/lead"] && rows.count == 2)
        for port in ports {
            #expect(Self.time(try Self.reportStatus(port: port)?["last_slot"]) == Timestamp.parseISO8601("2026-03-09T08:00:00+03:00"))
        }
    }

    @Test func aRefusedMailIsNotRecordedAndIsRetriedWithItsReasonOnStatus() async throws {
        let smtp = try TestSMTP.start(user: "reports@example.com", password: Self.password)
        defer { smtp.stop() }
        try smtp.refuse("data")
        let port = try ServeTests.freePort()
        let ws = try Self.workspace(Self.config(smtp: smtp, port: port), now: "2026-03-09T08:00:00+03:00")
        let server = try await Self.serve(ws, port: port, log: "serve.log")
        defer { Self.stop(server) }
        try await ScheduledServeTests.waitFor("a refused send") {
            try Self.reportStatus(port: port)?["consecutive_failures"]?.number ?? 0 >= 1
        }
        let failing = try #require(try Self.reportStatus(port: port))
        #expect(failing["last_error"]?.string?.contains("550 5.7.1 message rejected by policy") == true, "\(failing)")
        #expect(failing["last_slot"]?.isNull == true && smtp.messageFiles.isEmpty)
        // The retry waits the back-off (30 s for a cron schedule, less up to 20 % jitter), not the next Monday.
        let retry = try #require(Self.time(failing["next_run_at"]))
        let slot = try #require(Timestamp.parseISO8601("2026-03-09T08:00:00+03:00"))
        #expect(retry > slot && retry <= slot.addingTimeInterval(30), "\(retry)")
        let table = try ws.run(["status"], env: Self.env(ws))
        #expect(table.status == 0 && table.stdout.contains("REPORT") && table.stdout.contains("refused"), "\(table.stdout)")
        let unsent = try ws.run(["reports", "list"], env: Self.env(ws))
        #expect(unsent.stdout.split(separator: "\n").last?.hasSuffix("-") == true, "nothing in the sent log: \(unsent.stdout)")

        try smtp.refuse(nil)
        try Self.setClock(ws, "2026-03-09T08:00:31+03:00")
        let mails = try await smtp.waitForMessages(1)
        try await Self.waitForNextRun(port, "2026-03-16T08:00:00+03:00")
        #expect(mails[0]["subject"]?.string?.contains("2026-03-02 – 2026-03-08") == true)
        let recovered = try #require(try Self.reportStatus(port: port))
        #expect(recovered["consecutive_failures"]?.number == 0 && Self.time(recovered["last_slot"]) == slot)
        #expect(recovered["last_error"]?.string?.contains("550") == true, "the last error stays visible")
        #expect(smtp.refusals == ["data"] && smtp.messageFiles.count == 1)
        let status = try ServeTests.curl(["-s", "http://127.0.0.1:\(port)/status"])
        #expect(!status.contains(Self.password))
        let log = try String(contentsOf: ws.url("serve.log"), encoding: .utf8)
        #expect(log.contains("scheduled report not sent; retrying with back-off") && log.contains("550 5.7.1"))
        #expect(!log.contains(Self.password))
    }

    @Test func reportsSendMailsOneNowAndNamesTheKnownReportsForAnUnknownOne() async throws {
        let smtp = try TestSMTP.start(user: "reports@example.com", password: Self.password)
        defer { smtp.stop() }
        let ws = try Self.workspace(Self.config(smtp: smtp, port: try ServeTests.freePort()), now: "2026-03-09T08:00:00+03:00")
        let now = "2026-03-09T08:00:00+03:00"
        let sent = try ws.run(["reports", "send", "weekly", "--now", now], env: Self.env(ws))
        #expect(sent.status == 0 && sent.stdout.contains("sent report weekly to lead"), "\(sent.stderr)")
        let mail = try #require(try await smtp.waitForMessages(1).first)
        #expect(mail["parts"]?[1]?["text"]?.string == (try Self.report(ws, format: "html", now: now)))
        let redirected = try ws.run(["reports", "send", "weekly", "--now", now, "--to", "someone@example.net"], env: Self.env(ws))
        #expect(redirected.status == 0, "\(redirected.stderr)")
        let second = try await smtp.waitForMessages(2)[1]
        #expect(second["envelope"]?["rcpt_tos"]?.array?.compactMap(\.string) == ["someone@example.net"])

        let unknown = try ws.run(["reports", "send", "wekly"], env: Self.env(ws))
        #expect(unknown.status == 2 && unknown.stderr.contains("no report named 'wekly'") && unknown.stderr.contains("known reports: weekly"))
        #expect(unknown.stderr.contains("did you mean 'weekly'"))
        try smtp.refuse("rcpt")
        let refused = try ws.run(["reports", "send", "weekly", "--now", now], env: Self.env(ws))
        #expect(refused.status == 1 && refused.stderr.contains("550 5.1.1"), "\(refused.stderr)")
        #expect(!refused.stderr.contains(Self.password))
        let list = try ws.run(["reports", "list"], env: Self.env(ws))
        #expect(list.stdout.split(separator: "\n").last?.hasSuffix("-") == true, "manual sends stay out of the sent log: \(list.stdout)")
    }

    @Test func aNamedPeriodIsTheSameReportAsItsDates() throws {
        let ws = try Workspace(config: "store: {sqlite: ./data/sb.db}\ntimezone: Europe/Moscow\n" + SampleConfig.dataSections)
        #expect(try ws.run(["import", "helpdesk", "--quiet"]).status == 0)
        let named = try ws.run(["report", "--format", "json", "--period", "previous-week", "--now", "2026-03-11T15:00:00+03:00"])
        let dated = try ws.run(["report", "--format", "json", "--from", "2026-03-02", "--to", "2026-03-09", "--now", "2026-03-11T15:00:00+03:00"])
        #expect(named.status == 0 && named.stdout == dated.stdout, "\(named.stderr)")
        let month = try ws.run(["report", "--format", "json", "--period", "previous-month", "--now", "2026-04-01T00:00:00+03:00"])
        let march = try ws.run(["report", "--format", "json", "--from", "2026-03-01", "--to", "2026-04-01", "--now", "2026-04-01T00:00:00+03:00"])
        #expect(month.stdout == march.stdout)
        let bad = try ws.run(["report", "--period", "last-week"])
        #expect(bad.status == 2 && bad.stderr.contains("--period 'last-week'") && bad.stderr.contains("previous-week"))
        let both = try ws.run(["report", "--period", "yesterday", "--from", "2026-03-01"])
        #expect(both.status == 2 && both.stderr.contains("not both"))
    }

    @Test func checkReportsEveryReportAndDestinationProblemWithItsKeyPath() throws {
        let ws = try Workspace(config: """
            store: {sqlite: ./data/sb.db}
            connectors: []
            notifications:
              lead: {kind: email, smtp: "smtp://mail.example.com:25", from: reports@example.com, to: [lead@example.com]}
            reports:
              - {name: weekly, schedule: "0 8 * * mon", period: previous-week, notify: [lead, team]}
              - {name: daily, schedule: "0 25 * * *", period: yesterday, notify: [lead]}
              - {name: monthly, schedule: "@monthly", period: last-month, notify: [lead]}
              - {name: agents, schedule: "every 24h", period: yesterday, by: [agnet], channel: [fax], notify: [lead]}
              - {name: midnight, schedule: "0 0 * * *", period: today, notify: [lead]}
              - {name: evening, schedule: "0 18 * * *", period: today, notify: [lead]}
            """)
        let r = try ws.run(["check"])
        #expect(r.status == 2)
        for expected in ["reports[0].notify[1]: unknown destination 'team'", "reports[1].schedule:", "reports[2].period: unknown period 'last-month'",
                         "notifications.lead.smtp:", "only to 127.0.0.1", "reports[3].by: 'agnet'", "reports[3].channel: 'fax'",
                         "reports[4].period: 'today' has not begun at the slot"] {
            #expect(r.stderr.contains(expected), "missing \(expected) in \(r.stderr)")
        }
        #expect(!r.stderr.contains("reports[5]"), "today sent at 18:00 is fine: \(r.stderr)")
    }
}
