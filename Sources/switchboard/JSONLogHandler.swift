import Foundation
import Logging
import SwitchboardCore

/// How `switchboard serve` writes its log to standard error.
enum LogFormat: String, CaseIterable, Sendable {
    /// swift-log's human-readable lines.
    case text
    /// One JSON object per line (`time`, `level`, `label`, `message`, then the metadata keys
    /// such as `connector.source`), for log shippers.
    case json
}

/// Writes each log record as one JSON object on one line of standard error.
///
/// Contract: a record is written with a single `write(2)` so lines from concurrent tasks never
/// interleave; metadata values are strings (nested values are rendered with their description);
/// the keys `time`, `level`, `label` and `message` are reserved and win over metadata of the same name.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, level: Logger.Level) {
        self.label = label
        logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        write(level: event.level, message: event.message, metadata: event.metadata, error: event.error)
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        write(level: level, message: message, metadata: explicit, error: nil)
    }

    private func write(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, error: (any Error)?) {
        var fields: [String: String] = [:]
        if let error { fields["error"] = "\(error)" }
        for (k, v) in metadataProvider?.get() ?? [:] { fields[k] = "\(v)" }
        for (k, v) in metadata { fields[k] = "\(v)" }
        for (k, v) in explicit ?? [:] { fields[k] = "\(v)" }
        fields["time"] = Timestamp.formatISO8601(Date())
        fields["level"] = level.rawValue
        fields["label"] = label
        fields["message"] = message.description
        var out = "{"
        for (i, key) in (["time", "level", "label", "message"] + fields.keys.filter { !Self.fixed.contains($0) }.sorted()).enumerated() {
            if i > 0 { out += "," }
            out += JSONString.quoted(key) + ":" + JSONString.quoted(fields[key] ?? "")
        }
        out += "}\n"
        FileHandle.standardError.write(Data(out.utf8))
    }

    static let fixed: Set<String> = ["time", "level", "label", "message"]
}
