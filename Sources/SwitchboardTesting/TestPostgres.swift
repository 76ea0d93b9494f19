import Foundation

/// The PostgreSQL server of the tests, named by `$SWITCHBOARD_TEST_PG_URL`.
///
/// `make test` starts a throwaway cluster with `scripts/start-postgres`, sets the variable
/// and removes the cluster afterwards. When the variable is unset, tests that need the
/// server skip themselves with ``skipMessage``; the test process starts no server but the
/// TLS-only one a test starts for itself (``startTLSServer()``). Every helper here gives up
/// after a bounded time instead of waiting for the server.
public enum TestPostgres {
    /// The environment variable naming the server.
    public static let variable = "SWITCHBOARD_TEST_PG_URL"

    /// The server's URL (`postgres://user@127.0.0.1:PORT/db`), nil when the variable is unset.
    public static var serverURL: String? {
        guard let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty else { return nil }
        return url
    }

    /// Why a PostgreSQL test did not run.
    public static let skipMessage = "PostgreSQL tests skipped: \(variable) is not set. `make test` sets it; by hand: "
        + "export \(variable)=$(scripts/start-postgres 55433 | tail -1), and scripts/stop-postgres 55433 afterwards"

    public struct SetupError: Error, CustomStringConvertible { public var description: String }

    /// Starts a throwaway server of its own that takes TCP connections over TLS only, with a self-signed certificate
    /// (`SWITCHBOARD_PG_TLS=1 scripts/start-postgres PORT`, on a port the kernel chose); returns its URL, which ends in
    /// `?sslmode=require&sslrootcert=…`, and what stops and removes it. Call only when ``serverURL`` is set (PostgreSQL
    /// is installed), off the shared threads (``offPool(_:)``): it takes a few seconds.
    public static func startTLSServer() throws -> (url: String, stop: @Sendable () -> Void) {
        let port = try LoopbackPort.free()
        let (status, out) = run(TestSMTP.script("start-postgres"), ["\(port)"], environment: ["SWITCHBOARD_PG_TLS": "1"])
        let stop: @Sendable () -> Void = { _ = run(TestSMTP.script("stop-postgres"), ["\(port)"]) }
        guard status == 0, let url = out.split(separator: "\n").last.map(String.init), url.hasPrefix("postgres://") else {
            stop()
            throw SetupError(description: "SWITCHBOARD_PG_TLS=1 scripts/start-postgres \(port) failed: \(out)")
        }
        return (url, stop)
    }

    /// Creates an empty database on the test server and returns its URL (with `sslmode=disable`).
    public static func createDatabase() throws -> String {
        guard let server = serverURL else { throw SetupError(description: skipMessage) }
        let name = "sb_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
        let (status, output) = psql(server, "CREATE DATABASE \(name)")
        guard status == 0 else { throw SetupError(description: "cannot create database \(name) on \(server): \(output)") }
        return url(server, database: name) + "?sslmode=disable"
    }

    /// `url` with its database replaced and its options dropped.
    public static func url(_ url: String, database: String) -> String {
        let base = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        guard let slash = base.lastIndex(of: "/") else { return base }
        return String(base[..<slash]) + "/" + database
    }

    /// Runs one SQL command with `psql` (at most 60 s), returning its exit status and output.
    public static func psql(_ url: String, _ sql: String) -> (Int32, String) {
        let plain = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        return run("/usr/bin/psql", [plain, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], environment: ["PGCONNECT_TIMEOUT": "10"])
    }

    /// Runs blocking work (a `psql` call, a database creation) on a thread of its own, so
    /// an async test does not hold one of the few threads every async task shares.
    public static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }

    /// ``psql(_:_:)`` on a thread of its own (see ``offPool(_:)``).
    public static func psqlOffPool(_ url: String, _ sql: String) async -> (Int32, String) {
        (try? await offPool { psql(url, sql) }) ?? (-1, "psql did not run")
    }

    /// Runs a program, killing it after `timeout`; returns its exit status and output (stdout and stderr).
    ///
    /// The output goes through a file, not a pipe: a daemon the program leaves behind
    /// cannot keep the read waiting.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                           timeout: Duration = .seconds(60)) -> (Int32, String) {
        let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("sb-run-\(UUID().uuidString).out")
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
              let out = try? FileHandle(forWritingTo: outURL) else { return (-1, "cannot create \(outURL.path)") }
        defer {
            try? out.close()
            try? FileManager.default.removeItem(at: outURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "\(executable): \(error)") }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return (-1, "\(executable) \(arguments.joined(separator: " ")): no answer within \(timeout), stopped")
        }
        process.waitUntilExit()
        let text = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        return (process.terminationStatus, text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
