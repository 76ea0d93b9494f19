import Foundation
import SurveysConnectors
import SwitchboardCore
import SwitchboardTesting
import Testing

@Suite("survey-csv")
struct SurveyCSVImporterTests {
    static func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
    }

    static let context = ConnectorContext(
        timeZone: TimeZone(identifier: "Europe/Moscow")!,
        agents: AgentDirectory([Agent(id: "anna", name: "Anna Smirnova", emails: ["anna@example.com"]),
                                Agent(id: "boris", name: "Boris Petrov")]),
        phone: PhoneSettings(defaultCountry: "RU"))

    static let mapped = """
        columns: {time: Submitted At, metric: Type, score: Score, scale: Scale, customer: Email, conversation: Ticket, agent: Agent, id: Response ID}
        """

    @Test func importsMappedRowsAndRejectsBadOnesWithFileAndLine() async throws {
        let settings = try ConnectorHarness.settings(for: SurveyCSVImporter.self, yaml: Self.mapped)
        let importer = try SurveyCSVImporter(name: "surveys", settings: settings, context: Self.context)
        let harness = ConnectorHarness(context: Self.context)
        let summary = try await harness.importFiles(importer, source: "surveys", [try Self.fixture("survey-responses.csv")])
        let stored = await harness.stored()
        #expect(stored.map(\.externalId) == ["R-1001", "R-1002", "R-1003", "R-1007", "R-1008"])
        #expect(ConnectorCompliance.problems(in: stored, source: "surveys").isEmpty)
        let first = stored[0]
        #expect(first.kind == .survey)
        #expect(first.survey == SurveyInfo(metric: .csat, score: 5, scaleMin: 1, scaleMax: 5))
        #expect(first.occurredAt == Timestamp.parseISO8601("2026-03-02T09:15:00Z"))   // local Moscow time
        #expect(first.customerKey == "ann@example.com")
        #expect(first.conversationKey == "<thread-1@example.com>")
        #expect(first.actorId == "anna")
        #expect(first.provenance == "file:survey-responses.csv#L2")
        #expect(stored[1].customerKey == "+79161234567")
        #expect(stored[1].occurredAt == Timestamp.parseISO8601("2026-03-02T11:00:00Z"))
        #expect(stored[1].conversationKey == "survey:R-1002")
        #expect(stored[2].actorId == "anna")
        #expect(stored[2].survey?.scaleMax == 7)
        #expect(stored[3].conversationKey == "ticket \"42\"")
        #expect(stored[3].actorId == "boris")
        #expect(stored[3].survey?.scaleMin == 1 && stored[3].survey?.scaleMax == 5)
        #expect(stored[4].survey == SurveyInfo(metric: .nps, score: 10, scaleMin: 0, scaleMax: 10))
        let dead = await harness.deadLetters()
        #expect(dead.map(\.provenance) == ["file:survey-responses.csv#L5", "file:survey-responses.csv#L6", "file:survey-responses.csv#L7"])
        #expect(dead[0].reason.contains("survey-responses.csv:5") && dead[0].reason.contains("outside the scale"))
        #expect(dead[1].reason.contains("yesterday"))
        #expect(dead[2].reason.contains("happiness"))
        #expect(summary.deadLetters == 3)
        // Importing again stores nothing new.
        let again = try await harness.importFiles(importer, source: "surveys", [try Self.fixture("survey-responses.csv")])
        #expect(again.stored == 0 && again.duplicates == 5)
    }

    @Test func oneMetricFilesWithOwnDelimiterAndDefaultScale() async throws {
        let yaml = "metric: nps\ndelimiter: \";\"\nchannel: email\ncolumns: {time: submitted, score: rating, customer: who}"
        let settings = try ConnectorHarness.settings(for: SurveyCSVImporter.self, yaml: yaml)
        let importer = try SurveyCSVImporter(name: "nps", settings: settings, context: Self.context)
        let harness = ConnectorHarness(context: Self.context)
        try await harness.importFiles(importer, source: "nps", [try Self.fixture("nps-semicolon.csv")])
        let stored = await harness.stored()
        #expect(stored.count == 1)
        #expect(stored.first?.survey == SurveyInfo(metric: .nps, score: 8, scaleMin: 0, scaleMax: 10))
        #expect(stored.first?.channel == .email)
        #expect(stored.first?.customerKey == "+79161234567")
        #expect(await harness.deadLetters().first?.reason.contains("score") == true)
    }

    @Test func missingColumnsAndBadSettingsSayWhatToDo() async throws {
        let importer = try SurveyCSVImporter(name: "s", settings: try ConnectorHarness.settings(for: SurveyCSVImporter.self, yaml: ""),
                                             context: Self.context)
        let harness = ConnectorHarness(context: Self.context)
        try await harness.importFiles(importer, source: "s", [try Self.fixture("nps-semicolon.csv")])
        let dead = await harness.deadLetters()
        #expect(dead.count == 3)
        #expect(dead.first?.reason.contains("header lacks time") == true)
        #expect(dead.last?.reason.contains("the header on line 1") == true)
        #expect(throws: ConnectorError.self) {
            try SurveyCSVImporter(name: "s", settings: try ConnectorHarness.settings(for: SurveyCSVImporter.self, yaml: "metric: mood"),
                                  context: Self.context)
        }
    }
}
