import ArgumentParser
import Foundation
import SwitchboardCore

/// `switchboard connectors` — the kinds this build knows and their settings.
struct ConnectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connectors", abstract: "List connector kinds, what they do and their settings.")

    @Flag(name: .long, help: "Machine-readable JSON output.")
    var json = false

    struct KindOutput: Encodable {
        var kind: String
        var summary: String
        var roles: [String]
        var settings: [SettingOutput]
    }
    struct SettingOutput: Encodable {
        var key: String
        var type: String
        var required: Bool
        var doc: String
    }

    func run() throws {
        let kinds = connectorRegistry.kinds.map { k in
            KindOutput(kind: k.kind, summary: k.summary, roles: k.roles.map(\.rawValue),
                       settings: k.settings.map { SettingOutput(key: $0.key, type: $0.type, required: $0.required, doc: $0.doc) })
        }
        if json {
            print(Terminal.json(kinds))
            return
        }
        for k in kinds {
            print("\(k.kind)  [\(k.roles.joined(separator: ", "))]")
            print("    \(k.summary)")
            for s in k.settings {
                print("    \(s.key)\(s.required ? " (required)" : ""): \(s.type) — \(s.doc)")
            }
            print("")
        }
        print("Every entry also takes: name, kind, enabled (default true) and, for pull sources, schedule.")
    }
}
