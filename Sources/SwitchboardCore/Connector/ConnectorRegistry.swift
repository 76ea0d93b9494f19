import Foundation
import Yams

/// The explicit list of connector kinds the program knows, built in the CLI.
/// Adding a connector is one folder plus one line in that list.
public struct ConnectorRegistry: Sendable {
    /// A kind as listed by `switchboard connectors`.
    public struct Kind: Sendable {
        public var kind: String
        public var summary: String
        public var settings: [SettingSpec]
        public var roles: [ConnectorRole]
        let type: any Connector.Type
    }

    public let kinds: [Kind]

    public init(_ types: [any Connector.Type]) {
        kinds = types.map { t in
            var roles: [ConnectorRole] = []
            if t is any FileImporter.Type { roles.append(.file) }
            if t is any PullSource.Type { roles.append(.pull) }
            if t is any WebhookSource.Type { roles.append(.webhook) }
            return Kind(kind: t.kind, summary: t.summary, settings: t.settings, roles: roles, type: t)
        }
    }

    /// The kind called `name`.
    public func kind(_ name: String) -> Kind? { kinds.first { $0.kind == name } }

    /// Every kind's name, for error messages.
    public var names: [String] { kinds.map(\.kind) }

    /// Creates the connector of a config entry.
    /// - Throws: ``ConfigError`` with the entry's line when the kind is unknown or its settings do not decode.
    public func make(_ entry: ConnectorEntry, context: ConnectorContext, file: String = "config") throws -> any Connector {
        guard let k = kind(entry.kind) else {
            throw ConfigError(problems: [ConfigProblem(file: file, line: entry.line, column: nil,
                keyPath: "connectors[\(entry.index)].kind",
                message: "unknown kind '\(entry.kind)'\(Suggestion.hint(for: entry.kind, in: names)); known kinds: \(names.joined(separator: ", "))")])
        }
        return try Self.build(k.type, entry: entry, context: context, file: file)
    }

    private static func build<C: Connector>(_ type: C.Type, entry: ConnectorEntry, context: ConnectorContext,
                                            file: String) throws -> any Connector {
        let reader = NodeReader(file: file)
        let path = "connectors[\(entry.index)]"
        let settings: C.Settings
        do {
            settings = try YAMLDecoder().decode(C.Settings.self, from: plainKeys(entry.settings))
        } catch {
            reader.report(error, in: entry.settings, path: path)
            throw ConfigError(problems: reader.problems)
        }
        do {
            return try C(name: entry.name, settings: settings, context: context)
        } catch let error as ConnectorError {
            throw ConfigError(problems: [ConfigProblem(file: file, line: entry.line, column: nil, keyPath: path,
                                                       message: "\(entry.name) (\(entry.kind)): \(error.message)")])
        }
    }
}

/// The node with every mapping key as a plain scalar of its text. The YAML decoder looks a key up by its
/// text read as a plain scalar, so a quoted key that looks like a number or a date (`"104882915872119"`,
/// `"+74950000001"`) would otherwise not be found and read as a missing setting.
public func plainKeys(_ node: Node) -> Node {
    switch node {
    case .mapping(let m):
        let pairs = m.map { key, value -> (Node, Node) in
            guard let text = key.string else { return (key, plainKeys(value)) }
            return (.scalar(Node.Scalar(text, .implicit, .plain, key.mark)), plainKeys(value))
        }
        return .mapping(Node.Mapping(pairs, m.tag, m.style, m.mark))
    case .sequence(let s):
        return .sequence(Node.Sequence(s.map(plainKeys), s.tag, s.style, s.mark))
    default:
        return node
    }
}
