import Foundation
import Logging
import SwitchboardCore

/// Terminal output: errors, progress lines and summaries.
enum Terminal {
    static let isInteractive = isatty(2) != 0

    /// Writes `error: message`, with the run's secrets and any URL password hidden.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data(("error: " + ShownSecrets.redact(message) + "\n").utf8))
    }

    /// `message` about `source`, which names it once: `support-mailbox: …` whether or not the connector's
    /// own text already began with the name (the e-mail connector's do).
    static func named(_ source: String, _ message: String) -> String {
        message.hasPrefix("\(source): ") ? message : "\(source): \(message)"
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    static func bootstrapLogging(verbose: Bool) {
        LoggingSystemOnce.bootstrap(verbose: verbose)
    }

    /// The logging of a long-running process: `level` unless verbose, in the given format.
    static func bootstrapLogging(verbose: Bool, format: LogFormat, level: Logger.Level) {
        LoggingSystemOnce.bootstrap(verbose: verbose, format: format, level: level)
    }

    /// A progress callback printing `records, records/s, bytes` on one rewritten line, when stderr is a terminal.
    static func progress(label: String, quiet: Bool) -> (@Sendable (IngestProgress) -> Void)? {
        guard isInteractive, !quiet else { return nil }
        return { p in
            let rate = p.seconds > 0 ? Double(p.records) / p.seconds : 0
            let line = "\r\(label): \(p.records) records, \(Int(rate)) records/s, \(formatBytes(p.bytes))   "
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    static func clearProgress(quiet: Bool) {
        guard isInteractive, !quiet else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func formatBytes(_ n: Int) -> String {
        if n >= 1 << 30 { return String(format: "%.1f GiB", Double(n) / Double(1 << 30)) }
        if n >= 1 << 20 { return String(format: "%.1f MiB", Double(n) / Double(1 << 20)) }
        if n >= 1 << 10 { return String(format: "%.1f KiB", Double(n) / Double(1 << 10)) }
        return "\(n) B"
    }

    /// Pretty, key-sorted JSON; `line`: on one line (JSON Lines).
    static func json<T: Encodable>(_ value: T, line: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = line ? [.sortedKeys, .withoutEscapingSlashes] : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }
}

/// Bootstraps swift-log exactly once per process.
enum LoggingSystemOnce {
    nonisolated(unsafe) private static var done = false
    private static let lock = NSLock()

    static func bootstrap(verbose: Bool, format: LogFormat = .text, level: Logger.Level = .warning) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        let chosen: Logger.Level = verbose ? .debug : level
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                return RedactingLogHandler(inner: JSONLogHandler(label: label, level: chosen))
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = chosen
                return RedactingLogHandler(inner: handler)
            }
        }
    }
}
