import Foundation
import SwitchboardCore
import Yams

/// Runs connectors the way the CLI does, against an ``InMemoryStore``.
public struct ConnectorHarness: Sendable {
    public let store = InMemoryStore()
    public var context: ConnectorContext
    public var privacy: PrivacySettings

    public init(context: ConnectorContext = ConnectorContext(), privacy: PrivacySettings = PrivacySettings()) {
        self.context = context
        self.privacy = privacy
    }

    /// Decodes a connector's settings from YAML text, as the config loader would.
    public static func settings<C: Connector>(for type: C.Type, yaml: String) throws -> C.Settings {
        // As the config loader reads them (quoted keys that look like numbers included).
        guard let node = try Yams.compose(yaml: yaml.isEmpty ? "{}" : yaml) else { return try YAMLDecoder().decode(C.Settings.self, from: "{}") }
        return try YAMLDecoder().decode(C.Settings.self, from: plainKeys(node))
    }

    /// Imports files through a fresh ``BatchingSink`` and returns the run summary.
    @discardableResult
    public func importFiles(_ connector: some FileImporter, source: String, _ urls: [URL],
                            batchSize: Int = 500) async throws -> IngestSummary {
        let sink = BatchingSink(source: source, store: store, privacy: privacy, batchSize: batchSize)
        try await connector.importFiles(urls, into: sink)
        return try await sink.finish()
    }

    /// One pull pass from the stored checkpoint.
    @discardableResult
    public func pull(_ connector: some PullSource, source: String, batchSize: Int = 500) async throws -> IngestSummary {
        let sink = BatchingSink(source: source, store: store, privacy: privacy, batchSize: batchSize)
        try await connector.pull(from: try await store.checkpoint(source: source), into: sink)
        return try await sink.finish()
    }

    /// Everything stored, in storage order.
    public func stored() async -> [Interaction] { await store.interactions }

    /// Every dead letter, in arrival order.
    public func deadLetters() async -> [DeadLetter] { await store.deadLetterList }
}

/// Checks the promises every connector makes (DESIGN §4): ids are the hash of
/// (source, externalId), every record names its source and provenance, and a
/// second import stores nothing new.
public enum ConnectorCompliance {
    /// Problems found in what a connector produced; empty when it complies.
    public static func problems(in interactions: [Interaction], source: String) -> [String] {
        var out: [String] = []
        var seen: Set<String> = []
        for i in interactions {
            if i.source != source { out.append("\(i.externalId): source is \(i.source), expected \(source)") }
            if i.id != InteractionID.make(source: i.source, externalId: i.externalId) {
                out.append("\(i.externalId): id is not the hash of (source, externalId)")
            }
            if i.provenance.isEmpty { out.append("\(i.externalId): empty provenance") }
            if i.conversationKey.isEmpty { out.append("\(i.externalId): empty conversationKey") }
            if !seen.insert(i.id).inserted { out.append("\(i.externalId): produced twice in one run") }
            if i.kind == .call && i.call == nil { out.append("\(i.externalId): a call without call facts") }
            if i.kind == .survey && i.survey == nil { out.append("\(i.externalId): a survey without survey facts") }
            if i.kind == .status && i.status == nil { out.append("\(i.externalId): a status without status facts") }
        }
        return out
    }
}
