import Foundation
import Logging
import SwitchboardCore

/// The secrets of this run — the config's secret values and URL passwords, `migrate --to`'s
/// password — hidden from every log line and error message the process writes.
enum ShownSecrets {
    nonisolated(unsafe) private static var values: [String] = []   // only touched under `lock`
    private static let lock = NSLock()

    /// Adds values to hide (once the config is loaded, or a URL is given on the command line).
    static func add(_ secrets: [String]) {
        lock.withLock { values += secrets.filter { !$0.isEmpty } }
    }

    /// `text` as it may be shown: known secrets and the password of every URL hidden.
    static func redact(_ text: String) -> String {
        Redaction.text(text, secrets: lock.withLock { values })
    }
}

/// Wraps the process's log handler (text or JSON) so that no record shows a secret.
///
/// Contract: the message, every metadata value (the handler's own, the provider's and the
/// record's) and the error's description pass through ``ShownSecrets/redact(_:)`` before the
/// wrapped handler formats them; the wrapped handler keeps no metadata of its own.
struct RedactingLogHandler: LogHandler {
    var inner: any LogHandler
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadataProvider?.get() ?? [:]
        all.merge(metadata) { $1 }
        all.merge(event.metadata ?? [:]) { $1 }
        var shown = event
        shown.message = "\(ShownSecrets.redact(event.message.description))"
        shown.metadata = all.isEmpty ? nil : all.mapValues(Self.redact)
        shown.error = event.error.map { ShownError(description: ShownSecrets.redact("\($0)")) }
        inner.log(event: shown)
    }

    static func redact(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let s): return .string(ShownSecrets.redact(s))
        case .stringConvertible(let s): return .string(ShownSecrets.redact(s.description))
        case .array(let items): return .array(items.map(redact))
        case .dictionary(let map): return .dictionary(map.mapValues(redact))
        }
    }
}

/// An error as it may be shown: its description with the secrets hidden.
struct ShownError: Error, CustomStringConvertible {
    var description: String
}
