import Foundation
import Testing

/// Runs the built `switchboard` binary as a subprocess.
enum CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The binary next to the test bundle (SwiftPM builds it because the test target depends on it).
    static var binary: URL {
        let dir = Bundle.main.bundleURL.pathExtension == "xctest"
            ? Bundle.main.bundleURL.deletingLastPathComponent() : Bundle.main.bundleURL
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("switchboard")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return packageRoot.appendingPathComponent(".build/debug/switchboard")
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The binary set up to run `args` in `cwd` with `env` on top of this process's environment
    /// (without `SWITCHBOARD_CONFIG`); not started.
    static func process(_ args: [String], cwd: URL, env: [String: String]) -> Process {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = cwd
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "SWITCHBOARD_CONFIG")
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        return p
    }

    static func start(_ args: [String], cwd: URL, env: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let p = process(args, cwd: cwd, env: env)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        return (p, out, err)
    }

    /// Starts the binary with `args`, its standard output and error written to `log` (created empty).
    static func launch(_ args: [String], cwd: URL, env: [String: String] = [:], log: URL) throws -> Process {
        let p = process(args, cwd: cwd, env: env)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        p.standardError = handle
        p.standardOutput = handle
        try p.run()
        return p
    }

    /// ``launch(_:cwd:env:log:)`` of `switchboard serve`, then waits (at most 30 s) until it logs that it
    /// listens; records the log as an issue and throws when it exits or does not get there.
    static func serve(_ args: [String] = [], cwd: URL, env: [String: String] = [:], log: URL) async throws -> Process {
        let p = try launch(["serve"] + args, cwd: cwd, env: env, log: log)
        for _ in 0..<1500 {
            if ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("listening on") { return p }
            if !p.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("serve did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        throw CancellationError()
    }

    static func run(_ args: [String], cwd: URL, env: [String: String] = [:]) throws -> Result {
        let (p, out, err) = try start(args, cwd: cwd, env: env)
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}

/// A temporary project folder with a config and data files.
final class Workspace {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sb-cli-\(UUID().uuidString)")

    init(config: String) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try write("switchboard.yaml", config)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func url(_ name: String) -> URL { dir.appendingPathComponent(name) }

    func run(_ args: [String], env: [String: String] = [:]) throws -> CLI.Result { try CLI.run(args, cwd: dir, env: env) }

    deinit { try? FileManager.default.removeItem(at: dir) }

    static let basicConfig = """
        store: {sqlite: ./data/sb.db}
        timezone: Europe/Moscow
        connectors:
          - name: helpdesk
            kind: jsonl
            path: ./in.jsonl
        """

    /// `count` JSON Lines interactions, `bad` of them malformed in the listed ways.
    static func jsonl(count: Int, start: Int = 0) -> String {
        var out = ""
        out.reserveCapacity(count * 260)
        for n in start..<(start + count) {
            let second = n % 60, minute = (n / 60) % 60, hour = (n / 3600) % 24
            out += #"{"externalId":"m-\#(n)","channel":"chat","platform":"webchat","conversationKey":"c-\#(n / 4)","kind":"message","direction":"inbound","actorRole":"customer","customerKey":"cust-\#(n % 997)","occurredAt":"2026-03-01T\#(pad(hour)):\#(pad(minute)):\#(pad(second))Z","text":"message number \#(n) with some text"}"#
            out += "\n"
        }
        return out
    }

    static func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
}
