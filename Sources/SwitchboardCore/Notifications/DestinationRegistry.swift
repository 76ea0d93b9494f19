import Foundation
import Yams

/// The explicit list of notification destination kinds the program knows, built in the CLI
/// (like ``ConnectorRegistry``).
public struct DestinationRegistry: Sendable {
    let types: [any NotificationDestination.Type]

    public init(_ types: [any NotificationDestination.Type]) { self.types = types }

    /// Every kind's name, for messages.
    public var names: [String] { types.map { $0.kind } }

    /// The kind called `name`.
    public func kind(_ name: String) -> (any NotificationDestination.Type)? { types.first { $0.kind == name } }

    /// Creates the destination of a `notifications:` entry.
    /// - Throws: ``ConfigError`` with the entry's line and key path when the kind is unknown, a key is
    ///   unknown or missing, or a setting is unusable.
    public func make(_ entry: NotificationEntry, file: String = "config") throws -> any NotificationDestination {
        guard let type = kind(entry.kind) else {
            throw ConfigError(problems: [ConfigProblem(file: file, line: entry.line, column: nil, keyPath: "\(entry.keyPath).kind",
                message: "unknown kind '\(entry.kind)'\(Suggestion.hint(for: entry.kind, in: names)); known kinds: \(names.joined(separator: ", "))")])
        }
        return try Self.build(type, entry: entry, file: file)
    }

    /// Every problem of every entry of `config.notifications` (what `switchboard check` reports).
    public func problems(_ config: SwitchboardConfig) -> [ConfigProblem] {
        var out: [ConfigProblem] = []
        for entry in config.notifications {
            do { _ = try make(entry, file: config.file.path) }
            catch let error as ConfigError { out += error.problems }
            catch { out.append(ConfigProblem(file: config.file.path, line: entry.line, column: nil, keyPath: entry.keyPath, message: "\(error)")) }
        }
        return out
    }

    private static func build<D: NotificationDestination>(_ type: D.Type, entry: NotificationEntry,
                                                          file: String) throws -> any NotificationDestination {
        let reader = NodeReader(file: file)
        let known = D.settings.map(\.key)
        for (k, v) in entry.settings.mapping ?? [:] {
            guard let key = k.string, !known.contains(key) else { continue }
            reader.problem(k, "\(entry.keyPath).\(key)",
                           "unknown setting for kind \(D.kind)\(Suggestion.hint(for: key, in: known)); known settings: kind, \(known.joined(separator: ", "))")
            _ = v
        }
        for spec in D.settings where spec.required && entry.settings.mapping?[spec.key] == nil {
            reader.problem(entry.settings, "\(entry.keyPath).\(spec.key)", "required setting of kind \(D.kind) is missing: \(spec.doc)")
        }
        guard reader.problems.isEmpty else { throw ConfigError(problems: reader.problems) }
        let settings: D.Settings
        do {
            settings = try YAMLDecoder().decode(D.Settings.self, from: plainKeys(entry.settings))
        } catch {
            reader.report(error, in: entry.settings, path: entry.keyPath)
            throw ConfigError(problems: reader.problems)
        }
        do {
            return try D(name: entry.name, settings: settings)
        } catch let error as DestinationSettingsError {
            let node = error.key.isEmpty ? entry.settings : (entry.settings.mapping?[error.key] ?? entry.settings)
            reader.problem(node, error.key.isEmpty ? entry.keyPath : "\(entry.keyPath).\(error.key)", error.message)
            throw ConfigError(problems: reader.problems)
        }
    }
}
