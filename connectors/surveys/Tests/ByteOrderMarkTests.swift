import Foundation
import SurveysConnectors
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Survey CSVs saved by Excel ("CSV UTF-8") start with a byte-order mark, often before a quoted header.
@Suite("survey-csv with a byte-order mark")
struct SurveyByteOrderMarkTests {
    @Test func aQuotedHeaderBehindTheMarkIsRead() async throws {
        let csv = "\u{FEFF}\"Response ID\",\"Submitted At\",Type,Score\r\nR-1,2026-03-02T10:00:00Z,csat,5\r\nR-2,2026-03-02T11:00:00Z,csat,4\r\n"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("survey-bom-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("responses.csv")
        try Data(csv.utf8).write(to: url)
        let yaml = "columns: {id: Response ID, time: Submitted At, metric: Type, score: Score}"
        let importer = try SurveyCSVImporter(name: "s", settings: try ConnectorHarness.settings(for: SurveyCSVImporter.self, yaml: yaml),
                                             context: ConnectorContext())
        let harness = ConnectorHarness()
        let summary = try await harness.importFiles(importer, source: "s", [url])
        let letters = await harness.deadLetters()
        #expect(summary.deadLetters == 0, "\(letters.map(\.reason))")
        #expect(await harness.stored().map(\.externalId) == ["R-1", "R-2"])
    }
}
