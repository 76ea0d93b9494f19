import Foundation
import Testing
import SwitchboardCore
import SwitchboardTesting
@testable import PhoneConnectors

@Suite("asterisk-cdr import")
struct AsteriskCDRImportTests {
    let master = PhoneTestSupport.realSample("asterisk/Master.csv")

    func importMaster() async throws -> (ConnectorHarness, IngestSummary) {
        let context = PhoneTestSupport.context(timeZone: "Asia/Irkutsk")
        let harness = ConnectorHarness(context: context)
        let settings = try ConnectorHarness.settings(for: AsteriskCDRConnector.self, yaml: "")
        let connector = try AsteriskCDRConnector(name: "pbx", settings: settings, context: context)
        let summary = try await harness.importFiles(connector, source: "pbx", [master])
        return (harness, summary)
    }

    @Test("the real Master.csv gives 36 calls: 24 answered, 5 abandoned, 6 ivr, 1 busy")
    func realMasterOutcomes() async throws {
        let (harness, summary) = try await importMaster()
        let calls = await harness.stored()
        #expect(calls.count == 36)
        #expect(summary.deadLetters == 0)
        let outcomes = PhoneTestSupport.outcomes(calls)
        #expect(outcomes == [.answered: 24, .abandoned: 5, .ivr: 6, .busy: 1])
        let answered = calls.filter { $0.call?.outcome == .answered }
        let meanWait = answered.map { $0.call!.waitSeconds! }.reduce(0, +) / Double(answered.count)
        let meanTalk = answered.map { $0.call!.talkSeconds! }.reduce(0, +) / Double(answered.count)
        #expect(meanWait == 4.375)
        #expect((meanTalk * 10).rounded() / 10 == 32.9)
        #expect(ConnectorCompliance.problems(in: calls, source: "pbx").isEmpty)
    }

    @Test("calls carry linkedid, E.164 caller, the mapped agent and Irkutsk time")
    func realMasterFields() async throws {
        let (harness, _) = try await importMaster()
        let calls = await harness.stored()
        let call = try #require(calls.first { $0.conversationKey == "mainserverdss-1706420300.0" })
        #expect(call.kind == .call && call.channel == .phone && call.platform == "asterisk")
        #expect(call.direction == .inbound && call.actorRole == .customer)
        #expect(call.externalId == "mainserverdss-1706420300.0")
        // 81079243525786: the old Russian international prefix 810, then 79243525786.
        #expect(call.customerKey == "+79243525786")
        #expect(call.call?.agentId == "anna")         // SIP/301 through agents:
        #expect(call.call?.waitSeconds == 4)
        #expect(call.call?.talkSeconds == 16)
        // 2024-01-28 05:38:20 in Asia/Irkutsk (UTC+8).
        #expect(Timestamp.formatISO8601(call.occurredAt) == "2024-01-27T21:38:20.000Z")
        let trunk = try #require(calls.first { $0.conversationKey == "1706415046.98" })
        #expect(trunk.call?.agentId == "stadionpbx")   // an unlisted extension stays itself
        #expect(trunk.customerKey == "+79246516548")
        let local = try #require(calls.first { $0.conversationKey == "1706369600.6" })
        #expect(local.customerKey == "+79245555937")
        #expect(local.call?.outcome == .abandoned && local.call?.waitSeconds == 60)
    }

    @Test("importing the same file twice stores nothing new")
    func idempotent() async throws {
        let context = PhoneTestSupport.context(timeZone: "Asia/Irkutsk")
        let harness = ConnectorHarness(context: context)
        let connector = try AsteriskCDRConnector(name: "pbx", settings: .init(), context: context)
        try await harness.importFiles(connector, source: "pbx", [master])
        let second = try await harness.importFiles(connector, source: "pbx", [master])
        #expect(second.stored == 0 && second.duplicates == 36)
    }
}
