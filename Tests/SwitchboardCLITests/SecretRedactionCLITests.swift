import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTesting
import Testing

/// Store and IMAP URL passwords holding `/ ? # @`, a space or percent escapes never reach the output
/// of `check`, `report`, `serve` (text and JSON logs) or `migrate`, whether the command fails or succeeds.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SecretRedactionCLITests {
    /// The pieces between the reserved characters: none may appear anywhere, so a password cut
    /// at its first `/`, `?`, `#`, `@` or space (and half shown) fails the test too.
    static let fragments = ["Kq7v", "Hx2m", "Mp4r", "Rt8s", "Wz5t", "Yb3u"]
    static let passwords = [
        "Kq7v/Hx2m?Mp4r#Rt8s@Wz5t Yb3u",                  // as typed
        "Kq7v%2FHx2m%3FMp4r%23Rt8s%40Wz5t%20Yb3u",        // percent-encoded
        "Kq7v%2FHx2m?Mp4r#Rt8s%40Wz5t Yb3u",              // half and half
    ]

    static func expectHidden(_ output: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for fragment in fragments {
            #expect(!output.contains(fragment), "\(what) shows the password:\n\(output)", sourceLocation: sourceLocation)
        }
    }

    /// `server` (postgres://user@host:port/db…) with `password` after the user name.
    static func withPassword(_ server: String, _ password: String) -> String {
        guard let at = server.range(of: "@") else { return server }
        return String(server[..<at.lowerBound]) + ":" + password + String(server[at.lowerBound...])
    }

    /// Nothing listens on port 1: every command fails at once, naming the store in its error.
    static func unreachable(_ password: String) -> String {
        "postgres://switchboard:\(password)@127.0.0.1:1/switchboard?connect_timeout=2&pool_timeout=3"
    }

    static func config(store url: String, extra: String = "connectors: []") -> String {
        "store:\n  postgres: \"\(url)\"\n\(extra)\n"
    }

    /// An IMAP source with the password inline in its URL, pulled every second from a port where
    /// nothing listens, so `serve` logs its failure (`starttls` only to pass the encryption check).
    static func imapSource(password: String) -> String {
        """
        connectors:
          - name: mailbox
            kind: imap
            url: "imap://anna:\(password)@127.0.0.1:1"
            username: anna
            password: unused-here
            starttls: true
            timeout: 2s
            schedule: every 1s
        """
    }

    static func emptySQLite(in ws: Workspace) throws -> String {
        let path = ws.url("old.db").path
        _ = try SQLiteStore(path: path)
        return path
    }

    @Test(arguments: passwords) func failingCommandsNameTheStoreWithoutItsPassword(password: String) throws {
        let url = Self.unreachable(password)
        let ws = try Workspace(config: Self.config(store: url))
        for args in [["check"], ["report", "--format", "json"], ["serve", "--listen", "127.0.0.1:0"],
                     ["serve", "--listen", "127.0.0.1:0", "--log-format", "json"],
                     ["migrate", "--from", try Self.emptySQLite(in: ws), "--to", url]] {
            let r = try ws.run(args)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.contains("postgres://switchboard:***@127.0.0.1:1"), "\(args): \(r.stderr)")
            Self.expectHidden(r.stdout + r.stderr, "\(args)")
        }
        // A URL that is not one at all is named without its password too.
        let broken = try Workspace(config: Self.config(store: "postgres://switchboard:\(password)@127.0.0.1:port/db"))
        let r = try broken.run(["check"])
        #expect(r.status != 0, "\(r.stderr)")
        #expect(r.stderr.contains("'postgres://switchboard:***@127.0.0.1:port/db' is not a postgres:// URL"), "\(r.stderr)")
        Self.expectHidden(r.stdout + r.stderr, "check of a broken URL")
    }

    @Test(arguments: passwords) func anIMAPURLWithAPasswordIsNotEchoedByCheck(password: String) throws {
        let ws = try Workspace(config: "store: {sqlite: ./sb.db}\n" + Self.imapSource(password: password)
            .replacingOccurrences(of: "127.0.0.1:1", with: "mail.example.com").replacingOccurrences(of: "starttls: true", with: ""))
        let r = try ws.run(["check"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("imap://anna:***@mail.example.com is not encrypted"), "\(r.stderr)")
        Self.expectHidden(r.stdout + r.stderr, "check")
    }

    static let needsServer = ConditionTrait.enabled(if: TestPostgres.serverURL != nil, Comment(rawValue: TestPostgres.skipMessage))

    @Test(needsServer, arguments: passwords) func succeedingCommandsShowTheStoreWithoutItsPassword(password: String) throws {
        // The test server trusts its loopback clients, so any password connects.
        let url = Self.withPassword(try TestPostgres.createDatabase(), password)
        let ws = try Workspace(config: Self.config(store: url))
        let check = try ws.run(["check"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("store: ok (postgres://switchboard:***@127.0.0.1:"), "\(check.stdout)")
        let report = try ws.run(["report", "--format", "json"])
        #expect(report.status == 0, "\(report.stderr)")
        let migrate = try ws.run(["migrate", "--from", try Self.emptySQLite(in: ws), "--to", url])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(migrate.stdout.contains("→ postgres://switchboard:***@127.0.0.1:"), "\(migrate.stdout)")
        for (name, r) in [("check", check), ("report", report), ("migrate", migrate)] {
            Self.expectHidden(r.stdout + r.stderr, name)
        }
    }

    @Test(needsServer, arguments: ["text", "json"]) func serveLogsInEitherFormatShowNoPassword(format: String) async throws {
        let password = Self.passwords[format == "text" ? 0 : 1]
        let url = Self.withPassword(try TestPostgres.createDatabase(), password)
        let ws = try Workspace(config: Self.config(store: url, extra: Self.imapSource(password: password)))
        let log = ws.url("serve.log")
        let server = try await CLI.serve(["--listen", "127.0.0.1:0", "--log-format", format], cwd: ws.dir, log: log)
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        func text() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        let deadline = Date().addingTimeInterval(30)
        while !text().contains("scheduled pull failed"), Date() < deadline, server.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        let output = text()
        #expect(output.contains("scheduled pull failed"), "\(output)")
        #expect(output.contains("store: postgres://switchboard:***@127.0.0.1:"), "\(output)")
        #expect(output.contains("imap://anna:***@127.0.0.1:1"), "\(output)")
        if format == "json" {
            let lines = output.split(separator: "\n").filter { $0.hasPrefix("{") }
            #expect(lines.count >= 2 && lines.allSatisfy { (try? JSONParser.parse(String($0))) != nil }, "\(output)")
        }
        Self.expectHidden(output, "serve --log-format \(format)")
    }
}
