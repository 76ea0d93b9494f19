import Foundation
import Testing
import SwitchboardCore
import SwitchboardTesting
@testable import PhoneConnectors

@Suite("phone-csv")
struct PhoneCSVTests {
    func run(_ yaml: String, fixture: String, timeZone: String = "UTC") async throws -> (ConnectorHarness, IngestSummary) {
        let context = PhoneTestSupport.context(timeZone: timeZone)
        let harness = ConnectorHarness(context: context)
        let settings = try ConnectorHarness.settings(for: PhoneCSVConnector.self, yaml: yaml)
        let connector = try PhoneCSVConnector(name: "twilio", settings: settings, context: context)
        let summary = try await harness.importFiles(connector, source: "twilio", [try PhoneTestSupport.fixture(fixture)])
        return (harness, summary)
    }

    @Test("a Twilio-style export with a column map: child legs fold into their call, statuses map to outcomes")
    func twilio() async throws {
        let yaml = """
        date_format: rfc2822
        columns: {id: sid, parent: parent_call_sid, start: start_time, end: end_time, from: from, to: to,
                  outcome: status, direction: direction, wait: queue_time}
        outcome_map: {voicemail: voicemail}
        """
        let (harness, summary) = try await run(yaml, fixture: "twilio_calls.csv")
        let calls = Dictionary(uniqueKeysWithValues: await harness.stored().map { ($0.conversationKey, $0) })
        #expect(calls.count == 6)   // 9 rows: CA0002 is a leg of CA0001; CA0007 and CA0008 are dead letters
        #expect(ConnectorCompliance.problems(in: Array(calls.values), source: "twilio").isEmpty)
        let answered = try #require(calls["CA0001"])
        #expect(answered.platform == "csv" && answered.direction == .inbound && answered.customerKey == "+79161234567")
        #expect(answered.call == CallInfo(agentId: "anna", waitSeconds: 15, talkSeconds: 185, outcome: .answered))
        #expect(Timestamp.formatISO8601(answered.occurredAt) == "2024-03-01T09:00:01.000Z")
        #expect(calls["CA0003"]?.call == CallInfo(waitSeconds: 40, outcome: .abandoned))
        #expect(calls["CA0004"]?.call?.outcome == .shortAbandon)
        let outbound = try #require(calls["CA0005"])
        #expect(outbound.direction == .outbound && outbound.customerKey == "+79164445566" && outbound.call?.outcome == .missed)
        #expect(calls["CA0006"]?.call?.outcome == .busy)
        #expect(calls["CA0009"]?.call?.outcome == .voicemail)
        #expect(summary.deadLetters == 2)
        let dead = await harness.deadLetters()
        #expect(dead.map(\.provenance).sorted() == ["file:twilio_calls.csv#L8", "file:twilio_calls.csv#L9"])
        #expect(dead.contains { $0.reason.contains("'ringing-forever' is not known: add it to outcome_map") })
        #expect(dead.contains { $0.reason.contains("start 'yesterday' does not match date_format") })
    }

    @Test("a headerless spreadsheet: positions, a date pattern, local time and Russian statuses")
    func spreadsheet() async throws {
        let yaml = """
        header: false
        delimiter: ";"
        date_format: yyyy/M/d H:mm
        columns: {start: 1, from: 2, caller_name: 3, agent: 4, outcome: 5, wait: 6, talk: 7, queue: 8}
        outcome_map: {"Отвечен": answered, "Пропущен": abandoned, "Занято": busy}
        """
        let (harness, summary) = try await run(yaml, fixture: "calls_sheet.csv", timeZone: "Europe/Moscow")
        let calls = await harness.stored().sorted { $0.occurredAt < $1.occurredAt }
        #expect(calls.count == 3)
        #expect(summary.deadLetters == 1)
        #expect(await harness.deadLetters().first?.provenance == "file:calls_sheet.csv#L4")
        let first = try #require(calls.first)
        #expect(Timestamp.formatISO8601(first.occurredAt) == "2024-03-15T06:05:00.000Z")
        #expect(first.customerKey == "+79161234567" && first.actorName == "Иван Петров")
        #expect(first.call == CallInfo(queue: "support", agentId: "anna", waitSeconds: 12, talkSeconds: 95, outcome: .answered))
        #expect(calls[1].call?.outcome == .abandoned && calls[1].call?.waitSeconds == 41 && calls[1].call?.agentId == "boris")
        #expect(calls[2].call?.outcome == .busy && calls[2].customerKey == "+79163334455")
        // Without an id column the key is the row's digest: a second import stores nothing new.
        #expect(calls.allSatisfy { $0.conversationKey.hasPrefix("row-") })
    }

    @Test("settings mistakes are refused with what to do")
    func badSettings() throws {
        let context = PhoneTestSupport.context(timeZone: "UTC")
        for yaml in ["columns: {caller: from}", "delimiter: ';;'", "outcome_map: {ok: great}",
                     "header: false\ncolumns: {start: 1}", "date_format: yyyy-QQ-dd", "direction_map: {x: sideways}"] {
            let settings = try ConnectorHarness.settings(for: PhoneCSVConnector.self, yaml: yaml)
            #expect(throws: ConnectorError.self, "\(yaml)") {
                try PhoneCSVConnector(name: "x", settings: settings, context: context)
            }
        }
    }
}
