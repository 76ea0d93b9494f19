import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTesting
import Testing

/// `switchboard serve` as a real process, driven by a Python client (hmac from Python's
/// standard library, not our code).
@Suite(.serialized) struct ServeTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    static func config(port: Int) -> String {
        """
        store: {sqlite: ./data/sb.db}
        server: {listen: "127.0.0.1:\(port)", max_body: 64KiB}
        connectors:
        \(SampleConfig.helpdeskSource)
        """
    }

    /// A port free right now on loopback.
    static func freePort() throws -> Int { try LoopbackPort.free() }

    /// Starts `switchboard serve` with its log in `log` and waits until it listens.
    static func serve(_ ws: Workspace, log: String, env extra: [String: String] = [:]) async throws -> Process {
        try await CLI.serve(cwd: ws.dir, env: extra.merging(["HELPDESK_SECRET": secret]) { mine, _ in mine }, log: ws.url(log))
    }

    /// Starts scripts/webhook-client.py with `args`; its output goes to `output`.
    static func python(_ args: [String], cwd: URL, output: FileHandle = .nullDevice) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", CLI.packageRoot.appendingPathComponent("scripts/webhook-client.py").path] + args
        p.currentDirectoryURL = cwd
        p.standardOutput = output
        try p.run()
        return p
    }

    @Test func fiveThousandDeliveriesSurviveASigkillAndAreStoredExactlyOnce() async throws {
        let port = try Self.freePort()
        let ws = try Workspace(config: Self.config(port: port))
        var server = try await Self.serve(ws, log: "serve1.log")
        let total = 5000
        let client = try Self.python(["--port", "\(port)", "--secret", Self.secret, "--count", "\(total)",
                                      "--concurrency", "32", "--acked", ws.url("acked.txt").path,
                                      "--progress", ws.url("progress").path], cwd: ws.dir)
        // Kill the server without warning once a part of the deliveries is acknowledged.
        var progress = 0
        for _ in 0..<3000 where client.isRunning {
            progress = Int((try? String(contentsOf: ws.url("progress"), encoding: .utf8)) ?? "") ?? 0
            if progress >= 1000 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        #expect(server.terminationReason == .uncaughtSignal)
        #expect(progress >= 1000 && progress < total, "the kill must land mid-run (acked \(progress))")
        try await Task.sleep(for: .milliseconds(300))
        server = try await Self.serve(ws, log: "serve2.log")
        client.waitUntilExit()
        #expect(client.terminationStatus == 0, "the client did not get every delivery acknowledged")
        // Graceful stop: SIGTERM exits 0.
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        #expect(server.terminationReason == .exit && server.terminationStatus == 0)

        let acked = try String(contentsOf: ws.url("acked.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(acked.count == total)
        let store = try SQLiteStore(path: ws.url("data/sb.db").path)
        let ids = LockedList()
        try await store.scan(InteractionQuery(sources: ["helpdesk"])) { ids.append($0.externalId) }
        let stored = ids.values
        #expect(stored.count == Set(stored).count, "an interaction is stored twice")
        #expect(Set(acked).isSubset(of: Set(stored)), "\(Set(acked).subtracting(stored).count) acknowledged deliveries are missing")
        #expect(stored.count == total)
    }

    @Test func serveAnswersHealthAndRefusesUnsignedThenStopsOnSigint() async throws {
        let port = try Self.freePort()
        let ws = try Workspace(config: Self.config(port: port))
        let server = try await Self.serve(ws, log: "serve.log")
        let health = try Self.curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/readyz"])
        #expect(health == "200")
        let unsigned = try Self.curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-d", "{}",
                                      "http://127.0.0.1:\(port)/webhooks/helpdesk"])
        #expect(unsigned == "401")
        kill(server.processIdentifier, SIGINT)
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        #expect(try await SQLiteStore(path: ws.url("data/sb.db").path).count(source: nil) == 0)
    }

    static func curl(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["curl"] + args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Collects values from a `@Sendable` scan callback.
final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ v: String) { lock.withLock { list.append(v) } }
    var values: [String] { lock.withLock { list } }
}
