import Foundation
import SurveysConnectors
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Dead-letter replay of `survey-csv`: rows keep their file's header line; after the fix (here `metric:` for a
/// file without a metric column) each row replays to the answer an import with the fix gives.
@Suite("survey-csv dead-letter replay")
struct SurveyReplayTests {
    @Test func rowsRefusedForTheirHeaderReplayOnceTheSettingIsThere() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("survey-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("csat.csv")
        try "time,score,email\n2026-03-02 10:00,5,ann@example.com\n2026-03-02 11:00,2,bob@example.com\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let context = SurveyCSVImporterTests.context
        func importer(_ yaml: String) throws -> SurveyCSVImporter {
            try SurveyCSVImporter(name: "csat", settings: ConnectorHarness.settings(for: SurveyCSVImporter.self, yaml: yaml),
                                  context: context)
        }
        let harness = ConnectorHarness(context: context)
        let summary = try await harness.importFiles(try importer("columns: {customer: email}"), source: "csat", [file])
        #expect(summary.deadLetters == 3 && summary.stored == 0)
        let letters = await harness.deadLetters().sorted { $0.provenance < $1.provenance }
        #expect(letters.map { $0.replay?.kind } == ["survey-csv", "survey-csv", "survey-csv"])
        #expect(letters[0].replay?.values["header_line"] == "true")
        #expect(letters[1].replay?.values["header"] == "time,score,email")
        // Still without the fix: the same refusal.
        #expect(throws: ConnectorError.self) { try importer("columns: {customer: email}").replay(letters[1]) }

        let fixed = try importer("columns: {customer: email}\nmetric: csat")
        #expect(try fixed.replay(letters[0]).interactions.isEmpty)
        let replayed = try letters[1...].map { try #require(try fixed.replay($0).interactions.first) }
        let direct = ConnectorHarness(context: context)
        _ = try await direct.importFiles(fixed, source: "csat", [file])
        let imported = await direct.stored()
        #expect(replayed.map(\.id) == imported.map(\.id))
        #expect(replayed.map(\.survey) == imported.map(\.survey))
        #expect(replayed.map(\.customerKey) == ["ann@example.com", "bob@example.com"])
    }
}
