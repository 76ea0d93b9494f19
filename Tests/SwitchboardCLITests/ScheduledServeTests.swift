import Foundation
import SwitchboardCore
import SwitchboardStore
import Testing

/// `switchboard serve` with a scheduled asterisk-cdr pull on a growing Master.csv, over real HTTP.
@Suite(.serialized) struct ScheduledServeTests {
    static func config(port: Int, schedule: String = "every 1s") -> String {
        """
        store: {sqlite: ./data/sb.db}
        timezone: Europe/Berlin
        server: {listen: "127.0.0.1:\(port)"}
        \(SampleConfig.pbxAgents)
        connectors:
        \(SampleConfig.pbxSource(schedule: schedule))
        """
    }

    /// Starts serve with `args`, its standard error in `log`, and waits until it listens.
    static func serve(_ ws: Workspace, _ args: [String], log: String) async throws -> Process {
        try await CLI.serve(args, cwd: ws.dir, log: ws.url(log))
    }

    /// The parsed `GET /status` body.
    static func status(port: Int) throws -> JSONValue {
        try JSONParser.parse(ServeTests.curl(["-s", "http://127.0.0.1:\(port)/status"]))
    }

    /// Polls `condition` every 50 ms for up to `seconds`.
    static func waitFor(_ what: String, seconds: Double = 60, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    @Test func scheduledCDRPullStoresNewRowsAndReportsThemOnStatus() async throws {
        let port = try ServeTests.freePort()
        let ws = try Workspace(config: Self.config(port: port))
        let file = ws.url("Master.csv")
        try PhonePullCLITests.append(PhonePullCLITests.cdr(calls: 10), to: file)
        let server = try await Self.serve(ws, ["--log-format", "json"], log: "serve.log")
        let store = try SQLiteStore(path: ws.url("data/sb.db").path)

        try await Self.waitFor("the first scheduled pull") { try await store.count(source: "pbx") == 10 }
        // The PBX appends more calls; the next scheduled run picks up only those.
        try PhonePullCLITests.append(PhonePullCLITests.cdr(calls: 5, start: 10), to: file)
        try await Self.waitFor("the appended calls") { try await store.count(source: "pbx") == 15 }
        // A run started after that finds nothing new (a pull may have caught the append half-written,
        // so the five calls can arrive in one run or two).
        let reached = Date().addingTimeInterval(-0.001)
        try await Self.waitFor("a later run") {
            let run = try Self.status(port: port)["sources"]?[0]?["last_run"]
            let started = run?["started_at"]?.string.flatMap(Timestamp.parseISO8601)
            return run?["result"]?.string == "ok" && started.map { $0 > reached } == true
        }
        let status = try Self.status(port: port)
        #expect(status["timezone"]?.string == "Europe/Berlin")
        let pbx = try #require(status["sources"]?[0])
        #expect(pbx["source"]?.string == "pbx" && pbx["kind"]?.string == "asterisk-cdr" && pbx["schedule"]?.string == "every 1s")
        #expect(pbx["consecutive_failures"]?.number == 0)
        #expect(pbx["last_run"]?["result"]?.string == "ok")
        #expect(pbx["last_run"]?["read"]?.number == 0 && pbx["last_run"]?["stored"]?.number == 0)
        #expect(pbx["last_error"]?.isNull == true && pbx["last_success_at"]?.string != nil)
        #expect(pbx["last_run"]?["started_at"]?.string != nil && pbx["last_run"]?["finished_at"]?.string != nil)
        #expect(pbx["next_run_at"]?.string != nil || pbx["running"]?.bool == true)

        // `switchboard status` asks the same server at server.listen.
        let table = try ws.run(["status"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("SOURCE") && table.stdout.contains("pbx") && table.stdout.contains("asterisk-cdr"))
        #expect(table.stdout.contains("times in Europe/Berlin"))
        let json = try ws.run(["status", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(try JSONParser.parse(json.stdout)["sources"]?[0]?["source"]?.string == "pbx")

        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        #expect(server.terminationReason == .exit && server.terminationStatus == 0)
        #expect(try await store.count(source: "pbx") == 15)
        let runs = try await store.runs(source: "pbx", limit: 1000)
        #expect(runs.allSatisfy { $0.mode == "scheduled" && $0.status == "ok" })
        #expect(runs.map(\.stored).reduce(0, +) == 15, "every call stored by exactly one run")

        // The log is one JSON object per line; the scheduler's lines carry connector.source.
        let lines = try String(contentsOf: ws.url("serve.log"), encoding: .utf8).split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines { #expect(throws: Never.self, "not JSON: \(line)") { try JSONParser.parse(String(line)) } }
        let finished = try lines.map { try JSONParser.parse(String($0)) }.filter { $0["message"]?.string == "scheduled pull finished" }
        #expect(!finished.isEmpty && finished.allSatisfy { $0["connector.source"]?.string == "pbx" && $0["level"]?.string == "info" })

        let down = try ws.run(["status"])
        #expect(down.status == 1 && down.stderr.contains("cannot reach switchboard serve"))
    }

    @Test func aFailingSourceBacksOffAndShowsItsErrorWhileServeKeepsRunning() async throws {
        let port = try ServeTests.freePort()
        // The file does not exist yet: every pull fails until it appears.
        let ws = try Workspace(config: Self.config(port: port))
        let server = try await Self.serve(ws, [], log: "serve.log")
        try await Self.waitFor("a failed run") { try Self.status(port: port)["sources"]?[0]?["consecutive_failures"]?.number ?? 0 >= 1 }
        let failing = try #require(try Self.status(port: port)["sources"]?[0])
        #expect(failing["last_run"]?["result"]?.string == "failed")
        #expect(failing["last_error"]?.string?.contains("Master.csv") == true)
        let health = try ServeTests.curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/healthz"])
        #expect(health == "200")
        // The file appears; a later retry succeeds and the failure count resets.
        try PhonePullCLITests.append(PhonePullCLITests.cdr(calls: 3), to: ws.url("Master.csv"))
        try await Self.waitFor("recovery", seconds: 90) { try Self.status(port: port)["sources"]?[0]?["last_run"]?["result"]?.string == "ok" }
        let recovered = try #require(try Self.status(port: port)["sources"]?[0])
        #expect(recovered["consecutive_failures"]?.number == 0)
        #expect(recovered["last_error"]?.string?.contains("Master.csv") == true)
        kill(server.processIdentifier, SIGINT)
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        #expect(try await SQLiteStore(path: ws.url("data/sb.db").path).count(source: "pbx") == 3)
        let log = try String(contentsOf: ws.url("serve.log"), encoding: .utf8)
        #expect(log.contains("scheduled pull failed") && log.contains("connector.source=pbx"))
    }

    @Test func sigtermMidPullCommitsItsCheckpointAndTheNextServeResumes() async throws {
        let port = try ServeTests.freePort()
        let ws = try Workspace(config: Self.config(port: port, schedule: "every 1h"))
        let total = 20_000
        try PhonePullCLITests.append(PhonePullCLITests.cdr(calls: total), to: ws.url("Master.csv"))
        // The test hook sends SIGTERM right after the first batch of the start-up pull is committed,
        // while the connector is reading on: a graceful shutdown in the middle of a pull, on any machine.
        let (first, _, _) = try CLI.start(["serve"], cwd: ws.dir, env: ["SWITCHBOARD_TEST_SIGTERM_AFTER_BATCHES": "1"])
        first.waitUntilExit()
        #expect(first.terminationReason == .exit && first.terminationStatus == 0)
        let dbPath = ws.url("data/sb.db").path
        let partial = try await SQLiteStore(path: dbPath).count(source: "pbx")
        #expect(partial > 0 && partial < total, "the pull must stop at a checkpoint in the middle (stored \(partial))")
        let stopped = try #require(try await SQLiteStore(path: dbPath).runs(source: "pbx", limit: 10).first)
        #expect(stopped.status == "ok" && stopped.stored == partial && stopped.finishedAt != nil)

        // A new serve resumes from the committed checkpoint: the rest, each call once.
        let server = try await Self.serve(ws, [], log: "serve2.log")
        let store = try SQLiteStore(path: dbPath)
        try await Self.waitFor("the rest of the file") { try await store.count(source: "pbx") == total }
        try await Self.waitFor("the resumed run to finish") {
            try Self.status(port: port)["sources"]?[0]?["last_run"]?["result"]?.string == "ok"
        }
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        let runs = try await store.runs(source: "pbx", limit: 10)
        #expect(runs.count == 2)
        #expect(runs.map(\.stored).reduce(0, +) == total && runs.map(\.duplicates).reduce(0, +) == 0)
        #expect(runs.first?.stored == total - partial)
    }

    @Test func badScheduleIsAConfigErrorWithFileLineAndExpectation() throws {
        let ws = try Workspace(config: Self.config(port: 8080, schedule: "*/10 8-20 * * mon-fry"))
        let result = try ws.run(["check"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("switchboard.yaml:13:"), "\(result.stderr)")
        #expect(result.stderr.contains("connectors[0].schedule: day-of-week: 'fry' is not a number or a name (expected 0-7 or sun…sat)"))
    }
}
