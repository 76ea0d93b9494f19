import Foundation
import SwitchboardCore
import SwitchboardStore
import Testing

/// `switchboard check` lists what an imap source reads (real Dovecot); `serve` backs off a throttled
/// mailbox (scripts/fake-imap) instead of failing it.
@Suite(.serialized) struct ImapProvidersCLITests {
    static let dovecotInstalled = ConditionTrait.enabled(if: OAuth2Servers.dovecotInstalled, "dovecot is not installed")

    static func source(url: String, user: String, password: String = "secret", extra: String = "") -> String {
        """
        store: {sqlite: ./sb.db}
        connectors:
          - name: support-mailbox
            kind: imap
            url: "\(url)"
            username: \(user)
            password: \(password)
            timeout: 5s
        \(extra)
        """
    }

    @Test(dovecotInstalled) func checkListsTheMailboxesWithFlagsAndCountsAndNamesWhatIsWrong() throws {
        let out = try OAuth2Servers.script("start-dovecot", [], env: ["SPECIAL_USE": "Отправленные=\\Sent"])
        let values = Dictionary(uniqueKeysWithValues: out.split(separator: "\n").compactMap { line -> (String, String)? in
            let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
            return kv.count == 2 ? (kv[0], kv[1]) : nil
        })
        let dir = try #require(values["DIR"]), port = try #require(values["PORT"])
        defer { _ = try? OAuth2Servers.script("stop-dovecot", [dir]) }
        let ws = try Workspace(config: Self.source(url: "imap://127.0.0.1:\(port)", user: "ck"))
        let mail = ws.url("m.eml")
        try Data("From: a@shop.example\r\nTo: s@acme.example\r\nSubject: hi\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n\r\nhello\r\n".utf8)
            .write(to: mail)
        for box in ["INBOX", "INBOX", "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"] {
            _ = try OAuth2Servers.script("imap-append", [port, "ck", box, mail.path])
        }

        let ok = try ws.run(["check"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("support-mailbox: ok: logged in to imap://127.0.0.1:\(port)/ as ck with password"), "\(ok.stdout)")
        #expect(ok.stdout.contains("support-mailbox: ok: reads INBOX (chosen automatically): 2 messages"), "\(ok.stdout)")
        #expect(ok.stdout.contains("support-mailbox: ok: reads Отправленные (\\Sent; the team's outbound mail; chosen automatically): 1 message"),
                "\(ok.stdout)")
        #expect(try ws.run(["check", "--offline"]).stdout.contains("reads INBOX") == false)

        try ws.write("switchboard.yaml", Self.source(url: "imap://127.0.0.1:\(port)", user: "ck", extra: "    mailboxes: [INBOX, Billing]"))
        let missing = try ws.run(["check"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("error: support-mailbox: mailbox 'Billing' is not on imap://127.0.0.1:\(port)"), "\(missing.stderr)")
        #expect(missing.stderr.contains("Отправленные \\Sent"), "\(missing.stderr)")

        try ws.write("switchboard.yaml", Self.source(url: "imap://127.0.0.1:\(port)", user: "ck", password: "wrong"))
        let wrong = try ws.run(["check"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("error: support-mailbox: the IMAP server at imap://127.0.0.1:\(port)/ rejected the login"), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains("wrong") && !wrong.stdout.contains("wrong"), "the password is never shown")

        try ws.write("switchboard.yaml", Self.source(url: "imap://127.0.0.1:1", user: "ck"))
        let down = try ws.run(["check"])
        #expect(down.status == 1)
        #expect(down.stderr.contains("error: support-mailbox: cannot connect to imap://127.0.0.1:1/"), "\(down.stderr)")
    }

    @Test func serveBacksOffAThrottledMailboxWithoutFailingIt() async throws {
        let out = try OAuth2Servers.script("fake-imap", ["--lifetime", "60", "--answer",
                                                         "EXAMINE=NO [THROTTLED] Request is throttled. Suggested Backoff Time: 90000 milliseconds"])
        let values = Dictionary(uniqueKeysWithValues: out.split(separator: "\n").compactMap { line -> (String, String)? in
            let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
            return kv.count == 2 ? (kv[0], kv[1]) : nil
        })
        let imapPort = try #require(values["PORT"]), pid = try #require(values["PID"].flatMap(Int32.init))
        defer { kill(pid, SIGTERM) }
        let port = try ServeTests.freePort()
        let ws = try Workspace(config: Self.source(url: "imap://127.0.0.1:\(imapPort)", user: "shared@contoso.example")
            .replacingOccurrences(of: "store: {sqlite: ./sb.db}", with: "store: {sqlite: ./sb.db}\nserver: {listen: \"127.0.0.1:\(port)\"}")
            + "    schedule: every 1m\n")
        let server = try await ScheduledServeTests.serve(ws, ["--log-format", "json"], log: "serve.log")
        defer { server.terminate(); server.waitUntilExit() }

        try await ScheduledServeTests.waitFor("the throttled run", seconds: 30) {
            try ScheduledServeTests.status(port: port)["sources"]?[0]?["last_run"]?["result"]?.string == "throttled"
        }
        let source = try #require(try ScheduledServeTests.status(port: port)["sources"]?[0])
        #expect(source["consecutive_failures"]?.number == 0, "throttling is no failure")
        #expect(source["last_error"]?.isNull == true)
        #expect(source["last_run"]?["message"]?.string?.contains("is throttling this account") == true)
        // At least the 90 s the server asked for, not the 1-minute schedule.
        let finished = try #require(source["last_run"]?["finished_at"]?.string.flatMap(Timestamp.parseISO8601))
        let next = try #require(source["next_run_at"]?.string.flatMap(Timestamp.parseISO8601))
        #expect(next.timeIntervalSince(finished) >= 89, "\(next.timeIntervalSince(finished))")
        let log = try String(contentsOf: ws.url("serve.log"), encoding: .utf8)
        #expect(log.contains("throttled by the server 1 time(s) in a row: backing off, not failing the source"), "\(log)")
        #expect(!log.contains("scheduled pull failed"))
        let store = try SQLiteStore(path: ws.url("sb.db").path)
        #expect(try await store.deadLetters(source: "support-mailbox", limit: 10).isEmpty)
        #expect(try await store.runs(source: "support-mailbox", limit: 10).map(\.status) == ["throttled"])
    }
}
