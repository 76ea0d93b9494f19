import Foundation
import InteractionsConnectors
import SwitchboardCore
import SwitchboardTesting
import Testing

/// `values:` maps a system's own words for enumerated fields; a letter refused without the map is read
/// again by the replay once the map has it.
@Suite struct JSONLinesValuesTests {
    let fixture = Bundle.module.url(forResource: "Fixtures/mixed", withExtension: "jsonl")!

    func importer(_ yaml: String = "") throws -> JSONLinesImporter {
        try JSONLinesImporter(name: "helpdesk", settings: ConnectorHarness.settings(for: JSONLinesImporter.self, yaml: yaml),
                              context: ConnectorContext())
    }

    @Test func mappedValuesAreReadAsTheSchemasAndTheRefusedLineReplays() async throws {
        let harness = ConnectorHarness()
        _ = try await harness.importFiles(try importer(), source: "helpdesk", [fixture])
        let letter = try #require(await harness.deadLetters().first { $0.provenance == "file:mixed.jsonl#L5" })
        #expect(letter.replay == ReplayContext(kind: "jsonl"))
        #expect(throws: (any Error).self) { try importer().replay(letter) }

        let fixed = try importer("values: {channel: {fax: phone}}")
        let decoded = try fixed.replay(letter)
        #expect(decoded.interactions.map(\.channel) == [.phone])
        #expect(decoded.interactions.first?.provenance == "file:mixed.jsonl#L5")
        let again = ConnectorHarness()
        let summary = try await again.importFiles(fixed, source: "helpdesk", [fixture])
        #expect(summary.stored == 5 && summary.deadLetters == 3, "the mapped line imports too")
    }

    @Test func aMapToAValueTheSchemaDoesNotKnowOrAnUnknownFieldIsASettingsError() throws {
        #expect(throws: ConnectorError.self) { try importer("values: {channel: {fax: telefax}}") }
        #expect(throws: ConnectorError.self) { try importer("values: {colour: {red: phone}}") }
        #expect(throws: Never.self) { try importer("values: {call.outcome: {dropped: abandoned}, actorRole: {operator: agent}}") }
    }

    @Test func aCutLineIsNotReplayable() throws {
        let letter = DeadLetter(source: "helpdesk", reason: "too long", provenance: "file:x.jsonl#L9", raw: Data("{\"ext".utf8),
                                replay: ReplayContext(kind: "jsonl", values: ["cut": "true"]))
        let error = #expect(throws: ConnectorError.self) { try importer().replay(letter) }
        #expect(error?.message.contains("raise max_record_bytes") == true)
    }
}
