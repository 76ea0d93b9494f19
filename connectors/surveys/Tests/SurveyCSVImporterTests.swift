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

    @Test func customerNumbersAreKeyedAsThePhoneConnectorsKeyThem() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("survey-\(UUID().uuidString).csv")
        try "submitted;rating;who\n2026-03-05 10:00;8;9134 2657\n2026-03-05 11:00;9;0079161234567\n2026-03-05 12:00;7;8 916 123-45-67\n"
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let yaml = "metric: nps\ndelimiter: \";\"\ncolumns: {time: submitted, score: rating, customer: who}"
        for (country, expected) in [(nil, ["tel-local:91342657", "+79161234567", "tel-local:89161234567"]),
                                    ("RU", ["tel-local:91342657", "+79161234567", "+79161234567"])] as [(String?, [String])] {
            let context = ConnectorContext(timeZone: Self.context.timeZone, phone: PhoneSettings(defaultCountry: country))
            let importer = try SurveyCSVImporter(name: "nps", settings: try ConnectorHarness.settings(for: SurveyCSVImporter.self, yaml: yaml),
                                                 context: context)
            let harness = ConnectorHarness(context: context)
            try await harness.importFiles(importer, source: "nps", [file])
            let stored = await harness.stored().sorted { $0.occurredAt < $1.occurredAt }
            #expect(stored.map { $0.customerKey ?? "" } == expected, "\(country ?? "no country")")
        }
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

    @Test func topicsColumnGivesNativeTopics() async throws {
        let yaml = "columns: {time: Submitted At, metric: Type, score: Score, customer: Email, id: Response ID, topics: Tags}"
        let importer = try SurveyCSVImporter(name: "s", settings: try ConnectorHarness.settings(for: SurveyCSVImporter.self, yaml: yaml),
                                             context: Self.context)
        let harness = ConnectorHarness(context: Self.context)
        let summary = try await harness.importFiles(importer, source: "s", [try Self.fixture("survey-topics.csv")])
        #expect(summary.deadLetters == 0)
        let stored = await harness.stored()
        #expect(stored.map(\.externalId) == ["S-2001", "S-2002", "S-2003", "S-2004"])
        // `;` or `,` between labels; trimmed, distinct, sorted; empty labels dropped.
        #expect(stored.map(\.topics) == [["billing", "vip"], [], ["billing", "returns"], []])
        // Without the mapping there is no `topics` header in that file: no topics.
        let plain = try SurveyCSVImporter(name: "p", settings: try ConnectorHarness.settings(
            for: SurveyCSVImporter.self, yaml: "columns: {time: Submitted At, metric: Type, score: Score, id: Response ID}"),
            context: Self.context)
        try await harness.importFiles(plain, source: "p", [try Self.fixture("survey-topics.csv")])
        #expect(await harness.stored().filter { $0.source == "p" }.allSatisfy { $0.topics.isEmpty })
    }

    @Test func topicsHeaderIsFoundByDefault() async throws {
        let importer = try SurveyCSVImporter(name: "n", settings: try ConnectorHarness.settings(
            for: SurveyCSVImporter.self, yaml: "metric: nps\ndelimiter: \";\""), context: Self.context)
        let harness = ConnectorHarness(context: Self.context)
        try await harness.importFiles(importer, source: "n", [try Self.fixture("nps-topics.csv")])
        #expect(await harness.stored().map(\.topics) == [["delivery"]])
    }

    @Test func topicsColumnOfTheWrongTypeIsAConfigProblemNamingTheKey() throws {
        let loader = ConfigLoader(registry: ConnectorRegistry([SurveyCSVImporter.self]), environment: [:])
        let file = URL(fileURLWithPath: "/etc/switchboard/switchboard.yaml")
        let config = try loader.load(yaml: """
            connectors:
              - name: csat
                kind: survey-csv
                path: ./answers.csv
                columns: {time: at, topics: [Tags, Labels]}
            """, file: file)
        let error = try #require(throws: ConfigError.self) {
            try ConnectorRegistry([SurveyCSVImporter.self]).make(config.connectors[0], context: ConnectorContext(config: config),
                                                                  file: file.path)
        }
        #expect(error.problems.count == 1)
        #expect(error.problems.first?.keyPath == "connectors[0].columns.topics")
        // Yams names the node type it wanted ("expected Scalar"): the key path is what matters here.
        #expect(error.problems.first?.message.hasPrefix("expected") == true, "\(error.problems)")
    }
}
