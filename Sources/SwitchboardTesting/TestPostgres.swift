import Foundation

/// The PostgreSQL server of the tests: `$SWITCHBOARD_TEST_PG_URL` when set (a server
/// someone else runs), otherwise a throwaway cluster started with
/// `scripts/start-postgres` on port 55433 and removed with `scripts/stop-postgres`
/// when the test process exits.
public final class TestPostgres: Sendable {
    public static let shared = TestPostgres()
    public static let port = "55433"
    public let serverURL: Result<String, TestSetupError>

    public struct TestSetupError: Error, CustomStringConvertible { public var description: String }

    private init() {
        if let url = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_PG_URL"], !url.isEmpty {
            serverURL = .success(url)
            return
        }
        let alreadyRunning = FileManager.default.fileExists(atPath: "/tmp/switchboard-pg-\(Self.port)/url")
        let (status, output) = Self.run(Self.script("start-postgres"), [Self.port])
        guard status == 0, let url = output.split(separator: "\n").last.map(String.init) else {
            serverURL = .failure(TestSetupError(description: "scripts/start-postgres failed (\(status)): \(output)"))
            return
        }
        serverURL = .success(url)
        if !alreadyRunning { atexit { _ = TestPostgres.run(TestPostgres.script("stop-postgres"), [TestPostgres.port]) } }
    }

    /// Creates an empty database and returns its URL.
    public func createDatabase() throws -> String {
        let server = try serverURL.get()
        let name = "sb_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
        let (status, output) = Self.run("/usr/bin/psql", [server, "-v", "ON_ERROR_STOP=1", "-qc", "CREATE DATABASE \(name)"])
        guard status == 0 else { throw TestSetupError(description: "cannot create database \(name): \(output)") }
        guard let slash = server.lastIndex(of: "/") else { throw TestSetupError(description: "bad server URL \(server)") }
        return String(server[..<slash]) + "/" + name + "?sslmode=disable"
    }

    public static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/\(name)").path
    }

    public static func run(_ executable: String, _ arguments: [String]) -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(executable): \(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
