import Foundation
import SwitchboardCore
import SwitchboardTesting
@testable import ChatExportConnectors

/// Paths and runners shared by the chat-export tests.
enum Samples {
    /// `../shared/samples/real` seen from the repository root.
    static let real: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()   // chat-exports
        .deletingLastPathComponent()   // connectors
        .deletingLastPathComponent()   // repository root
        .deletingLastPathComponent()
        .appendingPathComponent("shared/samples/real")

    static func real(_ path: String) -> URL { real.appendingPathComponent(path) }

    /// A fixture of this target's bundle.
    static func fixture(_ path: String) throws -> URL {
        guard let base = Bundle.module.resourceURL else { throw CocoaError(.fileNoSuchFile) }
        return base.appendingPathComponent("Fixtures").appendingPathComponent(path)
    }

    static let utc = TimeZone(identifier: "UTC")!

    static func date(_ iso: String) -> Date { Timestamp.parseISO8601(iso)! }

    /// A file in a fresh temporary folder.
    static func temporaryFile(_ name: String, _ bytes: Data) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chat-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try bytes.write(to: url)
        return url
    }
}

/// Runs a chat importer through the real batching sink into the in-memory store.
struct ImportRun {
    var stored: [Interaction]
    var deadLetters: [DeadLetter]
    var summary: IngestSummary

    var messages: [Interaction] { stored.filter { $0.actorRole != .system } }
    var system: [Interaction] { stored.filter { $0.actorRole == .system } }
    var authors: Set<String> { Set(stored.filter { $0.actorRole != .system }.compactMap(\.actorName)) }
    var first: Date? { stored.map(\.occurredAt).min() }
    var last: Date? { stored.map(\.occurredAt).max() }

    static func run<C: FileImporter>(_ type: C.Type, _ urls: [URL], yaml: String = "", source: String = "chat",
                                     context: ConnectorContext = ConnectorContext(timeZone: Samples.utc),
                                     harness: ConnectorHarness? = nil) async throws -> ImportRun
    where C.Settings == ChatExportSettings {
        let h = harness ?? ConnectorHarness(context: context)
        let settings = try ConnectorHarness.settings(for: type, yaml: yaml)
        let connector = try C(name: source, settings: settings, context: h.context)
        let summary = try await h.importFiles(connector, source: source, urls)
        return ImportRun(stored: await h.stored(), deadLetters: await h.deadLetters(), summary: summary)
    }
}
