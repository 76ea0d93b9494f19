import Foundation
import InteractionsConnectors
import SwitchboardCore
import SwitchboardTesting
import Testing

@Suite struct JSONLinesImporterTests {
    let fixture = Bundle.module.url(forResource: "Fixtures/mixed", withExtension: "jsonl")!

    func importer() throws -> JSONLinesImporter {
        try JSONLinesImporter(name: "helpdesk", settings: ConnectorHarness.settings(for: JSONLinesImporter.self, yaml: ""),
                              context: ConnectorContext())
    }

    @Test func goodLinesAreStoredAndBadOnesDeadLetteredWithLineNumbers() async throws {
        let harness = ConnectorHarness()
        let summary = try await harness.importFiles(try importer(), source: "helpdesk", [fixture])
        #expect(summary.stored == 4)
        #expect(summary.deadLetters == 4)
        #expect(summary.read == 8)
        let letters = await harness.deadLetters()
        #expect(letters.map(\.provenance) == ["file:mixed.jsonl#L3", "file:mixed.jsonl#L4", "file:mixed.jsonl#L5", "file:mixed.jsonl#L6"])
        #expect(letters[0].reason.hasPrefix("mixed.jsonl:3: invalid JSON"))
        #expect(letters[1].reason.contains("conversationKey: required field is missing"))
        #expect(letters[2].reason.contains("channel: 'fax' is not one of email, phone, chat, social, sms, web"))
        #expect(letters[3].reason.contains("occurredAt: expected an ISO 8601 timestamp"))
        #expect(String(decoding: letters[2].raw, as: UTF8.self).contains("\"fax\""))
    }

    @Test func topicsFieldGivesNativeTopics() async throws {
        let harness = ConnectorHarness()
        let file = Bundle.module.url(forResource: "Fixtures/topics", withExtension: "jsonl")!
        let summary = try await harness.importFiles(try importer(), source: "helpdesk", [file])
        #expect(summary.stored == 3 && summary.deadLetters == 1)
        let stored = await harness.stored()
        #expect(stored.map(\.topics) == [["billing", "vip"], ["returns"], []])
        let letters = await harness.deadLetters()
        #expect(letters.map(\.provenance) == ["file:topics.jsonl#L3"])
        #expect(letters[0].reason.contains("topics: expected a list of strings"))
    }

    @Test func fieldsMapToTheSchema() async throws {
        let harness = ConnectorHarness()
        try await harness.importFiles(try importer(), source: "helpdesk", [fixture])
        let stored = await harness.stored()
        let agent = try #require(stored.first { $0.externalId == "t-1" })
        #expect(agent.source == "helpdesk")
        #expect(agent.id == InteractionID.make(source: "helpdesk", externalId: "t-1"))
        #expect(agent.actorRole == .agent)
        #expect(agent.text == "Hello — здравствуйте")
        #expect(agent.platform == "webchat")
        #expect(agent.provenance == "file:mixed.jsonl#L2")
        #expect(agent.occurredAt == Timestamp.parseISO8601("2026-03-03T10:01:00Z"))
        let call = try #require(stored.first { $0.externalId == "t-6" })
        #expect(call.call == CallInfo(agentId: "anna", waitSeconds: 4, talkSeconds: 31, outcome: .answered))
        let survey = try #require(stored.first { $0.externalId == "t-7" })
        #expect(survey.source == "surveys")
        #expect(survey.id == "custom-id-7")
        #expect(survey.survey?.score == 4)
        #expect(ConnectorCompliance.problems(in: stored.filter { $0.externalId != "t-7" }, source: "helpdesk").isEmpty)
    }

    @Test func secondImportStoresNothingNew() async throws {
        let harness = ConnectorHarness()
        let first = try await harness.importFiles(try importer(), source: "helpdesk", [fixture])
        let second = try await harness.importFiles(try importer(), source: "helpdesk", [fixture])
        #expect(first.stored == 4)
        #expect(second.stored == 0)
        #expect(second.duplicates == 4)
        #expect(await harness.stored().count == 4)
    }

    @Test func missingFileIsAnIOError() async throws {
        let harness = ConnectorHarness()
        await #expect(throws: ConnectorError.self) {
            try await harness.importFiles(try importer(), source: "helpdesk", [URL(fileURLWithPath: "/nonexistent/x.jsonl")])
        }
    }
}
