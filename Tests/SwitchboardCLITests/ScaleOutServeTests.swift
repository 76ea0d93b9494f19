import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTesting
import Testing

/// Two `switchboard serve` processes on one PostgreSQL database, with one shared config: the same
/// scheduled `asterisk-cdr` pull on a growing Master.csv and the same webhook source, over real HTTP.
/// Everything is observed from outside: PostgreSQL through `psql`, the instances through `/status`,
/// `/metrics` and their JSON logs.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ScaleOutServeTests {
    static let needsServer = ConditionTrait.enabled(if: TestPostgres.serverURL != nil, Comment(rawValue: TestPostgres.skipMessage))

    static func config(url: String) -> String {
        """
        store: {postgres: "\(url)"}
        timezone: UTC
        \(SampleConfig.pbxAgents)
        connectors:
        \(SampleConfig.pbxSource(schedule: "every 1s"))
        \(SampleConfig.helpdeskSource)
        """
    }

    /// One running `switchboard serve`.
    struct Instance {
        let name: String
        let port: Int
        let process: Process
        let log: URL

        var logLines: [JSONValue] {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        }

        /// Log records with this message.
        func logged(_ message: String) -> Int { logLines.filter { $0["message"]?.string == message }.count }

        /// The `pbx` entry of `GET /status`.
        func pbxStatus() throws -> JSONValue? {
            let sources = try ScheduledServeTests.status(port: port)["sources"]?.array ?? []
            return sources.first { $0["source"]?.string == "pbx" }
        }

        /// A counter of `GET /metrics` for the helpdesk source.
        func metric(_ name: String) throws -> Int {
            let text = try ServeTests.curl(["-s", "http://127.0.0.1:\(port)/metrics"])
            let prefix = "switchboard_webhook_\(name)_total{source=\"helpdesk\"} "
            let line = text.split(separator: "\n").first { $0.hasPrefix(prefix) }
            return line.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
        }
    }

    /// Starts serve on `port` with a JSON log; does not wait for it to listen (see ``listening(_:)``).
    static func launch(_ ws: Workspace, name: String, port: Int, env extra: [String: String]) throws -> Instance {
        let log = ws.url("serve-\(name).log")
        let p = try CLI.launch(["serve", "--listen", "127.0.0.1:\(port)", "--log-format", "json"], cwd: ws.dir,
                               env: extra.merging(["HELPDESK_SECRET": ServeTests.secret]) { mine, _ in mine }, log: log)
        return Instance(name: name, port: port, process: p, log: log)
    }

    /// Waits until `instance` logs that it listens (at most 60 s); fails at once when it exits.
    static func listening(_ instance: Instance) async throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && instance.process.isRunning {
            if instance.logLines.contains(where: { $0["message"]?.string?.contains("listening on http://127.0.0.1:\(instance.port)") == true }) {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("serve \(instance.name) did not start: \((try? String(contentsOf: instance.log, encoding: .utf8)) ?? "")")
        throw CancellationError()
    }

    /// One SQL query's rows (fields split on `|`), failing the test when psql fails.
    static func query(_ url: String, _ sql: String) async throws -> [[String]] {
        let (status, output) = await TestPostgres.psqlOffPool(url, sql)
        try #require(status == 0, "psql failed: \(output)")
        return output.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    static func count(_ url: String, source: String) async throws -> Int {
        Int(try await query(url, "SELECT count(*) FROM interactions WHERE source = '\(source)'").first?.first ?? "") ?? -1
    }

    /// A `psql` session holding the source's advisory lock, as another instance would, until it is killed.
    /// It reads its commands from a pipe the test keeps open, so the session is idle (as an instance's lock
    /// connection is) and the server notices at once when the process dies.
    static func holdLock(_ url: String, source: String) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        p.arguments = [url.split(separator: "?").first.map(String.init) ?? url, "-qAt"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let input = Pipe()
        p.standardInput = input
        try p.run()
        input.fileHandleForWriting.write(Data("SELECT pg_advisory_lock(\(PostgresStore.lockKey(source: source)));\n".utf8))
        return (p, input)
    }

    static func lockHolders(_ url: String, source: String) async throws -> Int {
        let key = UInt64(bitPattern: PostgresStore.lockKey(source: source))
        let rows = try await query(url, """
            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND classid = \(key >> 32)::oid AND objid = \(key & 0xffff_ffff)::oid AND objsubid = 1
            """)
        return Int(rows.first?.first ?? "") ?? -1
    }

    /// The webhook client spreading `count` signed deliveries over both instances, redelivering every
    /// fourth one to the other instance; its summary line goes to `client.out`.
    static func webhookClient(_ ws: Workspace, ports: [Int], count: Int) throws -> Process {
        _ = FileManager.default.createFile(atPath: ws.url("client.out").path, contents: nil)
        return try ServeTests.python(
            ["--port", ports.map(String.init).joined(separator: ","), "--secret", ServeTests.secret,
             "--count", "\(count)", "--concurrency", "8", "--redeliver-every", "4", "--prefix", "so",
             "--acked", ws.url("acked.txt").path, "--deadline", "90"],
            cwd: ws.dir, output: try FileHandle(forWritingTo: ws.url("client.out")))
    }

    @Test(needsServer) func twoInstancesStoreEverythingOnceRunThePullOneAtATimeAndTakeOverFromAKilledOne() async throws {
        let url = try TestPostgres.createDatabase()
        let ws = try Workspace(config: Self.config(url: url))
        let file = ws.url("Master.csv")
        var calls = 3000
        try PhonePullCLITests.append(PhonePullCLITests.cdr(calls: calls), to: file)

        // Another holder has the pbx lock while both instances start: both skip the pull and say so.
        let (holder, holderInput) = try Self.holdLock(url, source: "pbx")
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
        try await ScheduledServeTests.waitFor("the test's psql to hold the pbx lock", seconds: 30) {
            try await Self.lockHolders(url, source: "pbx") == 1
        }
        let token = ws.url("crash-token")
        let env = ["SWITCHBOARD_TEST_CRASH_TOKEN": token.path]
        let (portA, portB) = (try ServeTests.freePort(), try ServeTests.freePort())
        let a = try Self.launch(ws, name: "a", port: portA, env: env)
        let b = try Self.launch(ws, name: "b", port: portB, env: env)
        defer { for p in [a.process, b.process] where p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        try await Self.listening(a)
        try await Self.listening(b)
        for instance in [a, b] {
            try await ScheduledServeTests.waitFor("\(instance.name) to skip the locked source") {
                try instance.pbxStatus()?["last_run"]?["result"]?.string == "skipped"
            }
            let skipped = try #require(try instance.pbxStatus())
            #expect(skipped["last_run"]?["message"]?.string?.contains("another instance holds this source's lock") == true)
            #expect(skipped["consecutive_failures"]?.number == 0)
        }
        #expect(try await Self.count(url, source: "pbx") == 0)
        #expect(try await Self.query(url, "SELECT count(*) FROM ingest_runs").first?.first == "0")

        // The holder dies; PostgreSQL frees its lock and one instance imports the file.
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        try? holderInput.fileHandleForWriting.close()
        let client = try Self.webhookClient(ws, ports: [portA, portB], count: 400)
        defer { if client.isRunning { kill(client.processIdentifier, SIGKILL) } }
        try await ScheduledServeTests.waitFor("the first \(calls) calls") { try await Self.count(url, source: "pbx") == calls }
        // The PBX keeps writing while both instances run.
        for _ in 0..<2 {
            try PhonePullCLITests.append(PhonePullCLITests.cdr(calls: 1500, start: calls), to: file)
            calls += 1500
            try await ScheduledServeTests.waitFor("\(calls) calls") { try await Self.count(url, source: "pbx") == calls }
        }

        // Webhooks: 400 deliveries alternately to both instances; every fourth (all sent to a) again to b.
        try await ScheduledServeTests.waitFor("the webhook client", seconds: 120) { !client.isRunning }
        let summary = (try? String(contentsOf: ws.url("client.out"), encoding: .utf8)) ?? ""
        #expect(client.terminationStatus == 0, "webhook client: \(summary)")
        #expect(summary.contains("acked=400 of 400 redelivered=100") && summary.contains("per_port=\(portA):200,\(portB):300"),
                "\(summary)")
        let sent = Set((0..<400).map { "so-\($0)" })
        let acked = try String(contentsOf: ws.url("acked.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(Set(acked) == sent && acked.count == 400)
        let stored = try await Self.query(url, "SELECT external_id FROM interactions WHERE source = 'helpdesk'").map { $0[0] }
        #expect(stored.count == sent.count && Set(stored) == sent, "each delivery stored exactly once")
        #expect(try a.metric("stored") + b.metric("stored") == 400)
        #expect(try a.metric("duplicates") + b.metric("duplicates") == 100, "every redelivery is a duplicate of a stored one")
        #expect(try a.metric("stored") > 0 && b.metric("stored") > 0)

        // Kill mid-pull: whichever instance pulls the next append commits one batch and dies (SIGKILL).
        try #require(FileManager.default.createFile(atPath: token.path, contents: nil))
        try PhonePullCLITests.append(PhonePullCLITests.cdr(calls: 8000, start: calls), to: file)
        calls += 8000
        try await ScheduledServeTests.waitFor("an instance to be killed mid-pull") { !a.process.isRunning || !b.process.isRunning }
        let (victim, survivor) = a.process.isRunning ? (b, a) : (a, b)
        victim.process.waitUntilExit()
        let killedAt = Date()
        #expect(victim.process.terminationReason == .uncaughtSignal, "serve \(victim.name) was expected to be killed")
        #expect(!FileManager.default.fileExists(atPath: token.path))
        // The other one takes the source over and stores the rest; further appends go on.
        try await ScheduledServeTests.waitFor("the survivor to store the rest") { try await Self.count(url, source: "pbx") == calls }
        try PhonePullCLITests.append(PhonePullCLITests.cdr(calls: 500, start: calls), to: file)
        calls += 500
        try await ScheduledServeTests.waitFor("\(calls) calls after the takeover") { try await Self.count(url, source: "pbx") == calls }
        try await ScheduledServeTests.waitFor("an ok run of \(survivor.name) after the kill") {
            let run = try survivor.pbxStatus()?["last_run"]
            let started = run?["started_at"]?.string.flatMap(Timestamp.parseISO8601)
            return run?["result"]?.string == "ok" && started.map { $0 > killedAt } == true
        }
        kill(survivor.process.processIdentifier, SIGTERM)
        survivor.process.waitUntilExit()
        #expect(survivor.process.terminationReason == .exit && survivor.process.terminationStatus == 0)

        // Every call stored exactly once.
        let pbx = try await Self.query(url, "SELECT count(*), count(DISTINCT external_id) FROM interactions WHERE source = 'pbx'")
        #expect(pbx.first == ["\(calls)", "\(calls)"])
        #expect(try await Self.query(url, "SELECT count(*) FROM dead_letters").first?.first == "0")

        // The pull ran on one instance at a time: the runs' intervals never overlap.
        let runs = try await Self.query(url, """
            SELECT started_at, finished_at, status, stored, duplicates, COALESCE(error, '') FROM ingest_runs
            WHERE source = 'pbx' AND mode = 'scheduled' ORDER BY started_at, id
            """)
        #expect(!runs.contains { $0[2] == "running" }, "a run left 'running'")
        for (earlier, later) in zip(runs, runs.dropFirst()) {
            #expect((Int(later[0]) ?? 0) >= (Int(earlier[1]) ?? Int.max), "runs overlap: \(earlier) and \(later)")
        }
        // Both instances ran it; every run that took the lock is one row.
        #expect(a.logged("scheduled pull started") >= 1 && b.logged("scheduled pull started") >= 1)
        #expect(a.logged("scheduled pull started") + b.logged("scheduled pull started") == runs.count)
        // The killed run is closed as interrupted by the survivor. It had committed part of the append; the
        // survivor resumed from its last committed checkpoint: only the takeover run re-read records (those
        // committed after that checkpoint, stored once anyway), no other run read anything twice.
        let interrupted = try #require(runs.firstIndex { $0[5].hasPrefix("interrupted:") }, "\(runs)")
        #expect(runs[interrupted][2] == "failed" && runs.filter { $0[5].hasPrefix("interrupted:") }.count == 1)
        #expect(survivor.logged("closed an interrupted run of this source (its instance stopped mid-pull)") == 1)
        #expect(runs.enumerated().allSatisfy { $0.offset == interrupted || $0.element[2] == "ok" }, "\(runs)")
        let committedByVictim = calls - runs.map { Int($0[3]) ?? 0 }.reduce(0, +)
        #expect(committedByVictim > 0 && committedByVictim < 8000, "the kill landed mid-pull (victim committed \(committedByVictim) of 8000)")
        let takeover = try #require(runs.indices.contains(interrupted + 1) ? runs[interrupted + 1] : nil, "\(runs)")
        #expect((Int(takeover[3]) ?? 0) > 0 && (Int(takeover[4]) ?? Int.max) <= committedByVictim, "\(takeover)")
        #expect(runs.enumerated().allSatisfy { $0.offset == interrupted + 1 || $0.element[4] == "0" }, "\(runs)")
    }

    @Test(needsServer) func oneShotPullSkipsASourceAnotherProcessIsPullingThenPullsItOnceFreed() async throws {
        let url = try TestPostgres.createDatabase()
        let ws = try Workspace(config: Self.config(url: url))
        try PhonePullCLITests.append(PhonePullCLITests.cdr(calls: 40), to: ws.url("Master.csv"))
        let (holder, holderInput) = try Self.holdLock(url, source: "pbx")
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
        try await ScheduledServeTests.waitFor("the test's psql to hold the pbx lock", seconds: 30) {
            try await Self.lockHolders(url, source: "pbx") == 1
        }
        let skipped = try ws.run(["pull", "pbx", "--json"], env: ["HELPDESK_SECRET": ServeTests.secret])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stderr.contains("pbx: skipped: another process (a `switchboard serve` or `pull`) is pulling this source"))
        #expect(try await Self.count(url, source: "pbx") == 0)
        #expect(try await Self.query(url, "SELECT count(*) FROM ingest_runs").first?.first == "0")

        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        try? holderInput.fileHandleForWriting.close()
        try await ScheduledServeTests.waitFor("the server to free the lock", seconds: 30) {
            try await Self.lockHolders(url, source: "pbx") == 0
        }
        let pulled = try ws.run(["pull", "pbx", "--json"], env: ["HELPDESK_SECRET": ServeTests.secret])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(try JSONParser.parse(pulled.stdout)["stored"]?.number == 40)
        // The pull released the lock when it ended.
        #expect(try await Self.lockHolders(url, source: "pbx") == 0)
    }
}
