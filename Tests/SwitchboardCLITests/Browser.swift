import Foundation

/// Headless Chromium (Debian `chromium`, installed by `make test`) driven from the command line.
enum Browser {
    struct Shot {
        var width: Int
        var height: Int
        var colours: Int
        /// Share of pixels that differ from the background colour.
        var ink: Double
        /// Chromium's log: console messages appear as `CONSOLE` lines.
        var log: String
    }

    static var executable: String? {
        for name in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
            where FileManager.default.isExecutableFile(atPath: name) { return name }
        return nil
    }

    static func require() throws -> String {
        guard let exe = executable else {
            throw BrowserError(message: "headless Chromium is missing: run `make deps` (apt-get install chromium)")
        }
        return exe
    }

    struct BrowserError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static func run(_ args: [String]) throws -> CLI.Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try require())
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("sb-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                       "--user-data-dir=\(profile.path)", "--enable-logging=stderr", "--v=0", "--hide-scrollbars"] + args
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = profile.path
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let errData = LockedData()
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !errData.done { usleep(10_000) }
        return CLI.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                          stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// The DOM after load, serialised.
    static func dumpDOM(_ file: URL) throws -> CLI.Result {
        try run(["--dump-dom", file.absoluteString])
    }

    /// A screenshot of the page at this window size, with its pixel statistics.
    static func screenshot(_ file: URL, to png: URL, size: (Int, Int) = (1280, 2400)) throws -> Shot {
        try? FileManager.default.removeItem(at: png)
        let r = try run(["--screenshot=\(png.path)", "--window-size=\(size.0),\(size.1)", file.absoluteString])
        guard FileManager.default.fileExists(atPath: png.path) else {
            throw BrowserError(message: "no screenshot written (exit \(r.status)): \(r.stderr.suffix(2000))")
        }
        let stats = try CLI.runTool("/usr/bin/env", ["python3", CLI.packageRoot.appendingPathComponent("scripts/png-stats.py").path, png.path])
        let parts = stats.stdout.split(separator: " ")
        guard stats.status == 0, parts.count == 4 else { throw BrowserError(message: "png-stats.py: \(stats.stderr)") }
        return Shot(width: Int(parts[0])!, height: Int(parts[1])!, colours: Int(parts[2])!,
                    ink: Double(parts[3].trimmingCharacters(in: .whitespacesAndNewlines))!, log: r.stderr)
    }

    /// Console messages and failed loads in Chromium's log.
    static func consoleProblems(_ log: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter {
            $0.contains("CONSOLE") || $0.contains("Uncaught") || $0.contains("Failed to load resource") || $0.contains("net::ERR_")
        }
    }
}

/// Bytes filled in by a reader thread.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var value = Data()
    private var finished = false
    func set(_ d: Data) { lock.lock(); value = d; finished = true; lock.unlock() }
    var done: Bool { lock.lock(); defer { lock.unlock() }; return finished }
    var data: Data { lock.lock(); defer { lock.unlock() }; return value }
}

extension CLI {
    /// Runs any program (not the switchboard binary).
    static func runTool(_ path: String, _ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}
