import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import EmailConnectors

/// scripts/fake-imap: a tiny IMAP server answering what a test tells it (a real Dovecot cannot be
/// made to throttle like Gmail or Microsoft 365). Started on a free loopback port, stopped by its id.
struct FakeIMAPServer {
    let port: Int
    let pid: pid_t
    let log: URL
    var url: String { "imap://127.0.0.1:\(port)" }

    /// - Parameters: greeting: the greeting after `* ` (`OK …`, or `BYE …` to hang up); answers: COMMAND=TEXT.
    static func start(greeting: String? = nil, answers: [String] = []) throws -> FakeIMAPServer {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("sb-fake-imap-\(UUID().uuidString).log")
        var args = ["--log", log.path, "--lifetime", "60"]
        if let greeting { args += ["--greeting", greeting] }
        for a in answers { args += ["--answer", a] }
        let out = try DovecotServer.run(DovecotServer.script("fake-imap"), args)
        var values: [String: String] = [:]
        for line in out.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { values[String(kv[0])] = String(kv[1]) }
        }
        guard let port = values["PORT"].flatMap(Int.init), let pid = values["PID"].flatMap(Int32.init) else {
            throw DovecotServer.Failure(message: "fake-imap printed no PORT/PID: \(out)")
        }
        return FakeIMAPServer(port: port, pid: pid, log: log)
    }

    /// The commands it received (logins as `AUTHENTICATE PLAIN user=…`, no secrets).
    var commands: [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() {
        kill(pid, SIGTERM)
        try? FileManager.default.removeItem(at: log)
    }
}

@Suite("imap throttling and provider answers against scripts/fake-imap")
struct ImapThrottleTests {
    static func source(_ server: FakeIMAPServer, _ login: String = "password: secret", username: String = "support@acme.example",
                       extra: String = "") throws -> ImapSource {
        try ImapSource(name: "mailbox", settings: ConnectorHarness.settings(for: ImapSource.self, yaml: """
            url: "\(server.url)"
            username: \(username)
            \(login)
            timeout: 10s
            \(extra)
            """), context: ConnectorContext())
    }

    /// Pulls through a real store; returns the error and what the store holds afterwards.
    static func throttledPull(_ server: FakeIMAPServer, extra: String = "") async throws -> ConnectorError? {
        let harness = ConnectorHarness()
        let error = await #expect(throws: ConnectorError.self) {
            try await harness.pull(try Self.source(server, extra: extra), source: "mailbox")
        }
        #expect(try await harness.store.deadLetters(source: "mailbox", limit: 10).isEmpty, "throttling dead-letters nothing")
        return error
    }

    @Test("greeting `* BYE Too many simultaneous connections`: throttled, not a network failure")
    func byeGreeting() async throws {
        let server = try FakeIMAPServer.start(greeting: "BYE Too many simultaneous connections")
        defer { server.stop() }
        let error = try await Self.throttledPull(server)
        #expect(error?.code == .throttled)
        #expect(error?.message.contains("mailbox: \(server.url) is throttling this account (during login: * BYE Too many simultaneous connections)") == true,
                "\(error?.message ?? "")")
    }

    @Test("Gmail's `NO [ALERT] Too many simultaneous connections` to the login: throttled, not a wrong password")
    func loginRefusedForConnections() async throws {
        let server = try FakeIMAPServer.start(answers: ["LOGIN=NO [ALERT] Too many simultaneous connections. (Failure)"])
        defer { server.stop() }
        let error = try await Self.throttledPull(server)
        #expect(error?.code == .throttled, "\(error?.message ?? "")")
        #expect(error?.message.contains("Too many simultaneous connections. (Failure)") == true)
    }

    @Test("`NO [THROTTLED]` with Microsoft's suggested wait, after login: throttled, the wait carried")
    func throttledAfterLogin() async throws {
        let server = try FakeIMAPServer.start(answers: [
            "EXAMINE=NO [THROTTLED] Request is throttled. Suggested Backoff Time: 5000 milliseconds"])
        defer { server.stop() }
        let error = try await Self.throttledPull(server)
        #expect(error?.code == .throttled && error?.retryAfter == 5)
        #expect(error?.message.contains("during EXAMINE in INBOX") == true, "\(error?.message ?? "")")
        #expect(server.commands.contains("AUTHENTICATE PLAIN user=support@acme.example"))
    }

    @Test("`* BYE` in the middle of a session (Gmail's bandwidth limit): throttled")
    func byeAfterLogin() async throws {
        let server = try FakeIMAPServer.start(answers: ["LIST=BYE [ALERT] Account exceeded command or bandwidth limits. (Failure)"])
        defer { server.stop() }
        let error = try await Self.throttledPull(server)
        #expect(error?.code == .throttled, "\(error?.message ?? "")")
    }

    @Test("Microsoft's `User is authenticated but not connected` after login is an authentication error with what to fix, not a throttle",
          arguments: [["EXAMINE=BAD User is authenticated but not connected.", "STATUS=BAD User is authenticated but not connected."],
                      ["LIST=BYE User is authenticated but not connected."]])
    func authenticatedButNotConnected(_ answers: [String]) async throws {
        let server = try FakeIMAPServer.start(answers: answers)
        defer { server.stop() }
        let pulled = await #expect(throws: ConnectorError.self) {
            try await ConnectorHarness().pull(try Self.source(server, username: "shared@contoso.example"), source: "mailbox")
        }
        #expect(pulled?.code == .authentication, "\(pulled?.message ?? "")")
        #expect(pulled?.message.contains("User is authenticated but not connected") == true, "\(pulled?.message ?? "")")
        #expect(pulled?.message.contains("for shared@contoso.example") == true && pulled?.message.contains("Full Access") == true,
                "\(pulled?.message ?? "")")
        // `check` says the same, not "the mailbox is not on the server".
        let lines = await (try Self.source(server, username: "shared@contoso.example")).checkConnectivity()
        let problems = lines.filter { $0.status == .problem }.map(\.text)
        #expect(!problems.isEmpty && problems.allSatisfy { $0.contains("Full Access") && !$0.contains("is not on") }, "\(lines)")
    }

    @Test("a wrong password stays an authentication error, with the server's words; IMAP turned off says so")
    func refusalsAreNotThrottling() async throws {
        let wrong = try FakeIMAPServer.start(answers: ["LOGIN=NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"])
        defer { wrong.stop() }
        let e1 = await #expect(throws: ConnectorError.self) { try await ConnectorHarness().pull(try Self.source(wrong), source: "mailbox") }
        #expect(e1?.code == .authentication)
        #expect(e1?.message.contains("the server said: A002 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)") == true, "\(e1?.message ?? "")")

        let off = try FakeIMAPServer.start(answers: ["LOGIN=NO [ALERT] Your account is not enabled for IMAP use. (Failure)"])
        defer { off.stop() }
        let e2 = await #expect(throws: ConnectorError.self) { try await ConnectorHarness().pull(try Self.source(off), source: "mailbox") }
        #expect(e2?.code == .authentication)
        #expect(e2?.message.contains("IMAP is turned off for this account") == true, "\(e2?.message ?? "")")
    }

    @Test("Microsoft 365 shared mailbox: XOAUTH2's user= is the configured username (the shared address)")
    func xoauth2UserIsTheConfiguredUsername() async throws {
        let server = try FakeIMAPServer.start()
        defer { server.stop() }
        let imap = try Self.source(server, "oauth2_token: delegate-token-123", username: "shared-support@contoso.example")
        _ = try await ConnectorHarness().pull(imap, source: "mailbox")
        #expect(server.commands.contains("AUTHENTICATE XOAUTH2 user=shared-support@contoso.example"), "\(server.commands)")
    }
}
