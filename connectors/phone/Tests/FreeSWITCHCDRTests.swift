import Foundation
import Testing
import SwitchboardCore
import SwitchboardTesting
@testable import PhoneConnectors

@Suite("freeswitch-cdr")
struct FreeSWITCHCDRTests {
    @Test("example template and 13-column fallback rows become calls with the pinned outcomes")
    func exampleTemplate() async throws {
        let context = PhoneTestSupport.context(timeZone: "Europe/Moscow")
        let harness = ConnectorHarness(context: context)
        let fs = try FreeSWITCHCDRConnector(name: "fs", settings: .init(), context: context)
        let summary = try await harness.importFiles(fs, source: "fs", [try PhoneTestSupport.fixture("freeswitch.csv")])
        let calls = Dictionary(uniqueKeysWithValues: await harness.stored().map { ($0.conversationKey, $0) })
        #expect(calls.count == 8)
        #expect(ConnectorCompliance.problems(in: Array(calls.values), source: "fs").isEmpty)
        let answered = try #require(calls["a1f0c6c2-0001-4e55-9c1b-000000000001"])
        #expect(answered.platform == "freeswitch" && answered.direction == .inbound)
        #expect(answered.call == CallInfo(agentId: "anna", waitSeconds: 8, talkSeconds: 180, outcome: .answered))
        #expect(answered.customerKey == "+79161234567" && answered.actorName == "Ivan Petrov")
        #expect(Timestamp.formatISO8601(answered.occurredAt) == "2024-03-01T07:00:00.000Z")
        #expect(calls["a1f0c6c2-0002-4e55-9c1b-000000000002"]?.call == CallInfo(waitSeconds: 25, outcome: .abandoned))
        #expect(calls["a1f0c6c2-0003-4e55-9c1b-000000000003"]?.call?.outcome == .shortAbandon)
        #expect(calls["a1f0c6c2-0004-4e55-9c1b-000000000004"]?.call?.outcome == .busy)
        #expect(calls["a1f0c6c2-0005-4e55-9c1b-000000000005"]?.call?.outcome == .ivr)
        let outbound = try #require(calls["a1f0c6c2-0006-4e55-9c1b-000000000006"])
        #expect(outbound.direction == .outbound && outbound.customerKey == "+79166667788" && outbound.call?.agentId == "anna")
        #expect(calls["a1f0c6c2-0007-4e55-9c1b-000000000007"]?.call?.outcome == .failed)
        #expect(calls["a1f0c6c2-0010-4e55-9c1b-000000000010"]?.call?.agentId == "boris")   // 13-column row
        #expect(summary.deadLetters == 2)
        let dead = await harness.deadLetters()
        #expect(dead.map(\.provenance) == ["file:freeswitch.csv#L8", "file:freeswitch.csv#L9"])
        #expect(dead[0].reason.contains("before start_stamp"))
        #expect(dead[1].reason.contains("got 4"))
    }

    @Test("a custom template through columns")
    func customTemplate() async throws {
        let dir = try PhoneTestSupport.temporaryDirectory()
        let file = dir.appendingPathComponent("custom.csv")
        try Data("""
        "c-1","2024-03-01 09:00:00","2024-03-01 09:00:04","2024-03-01 09:01:04","60","NORMAL_CLEARING","89161234567","302","b-1"

        """.utf8).write(to: file)
        let context = PhoneTestSupport.context(timeZone: "UTC")
        let harness = ConnectorHarness(context: context)
        let yaml = "columns: [uuid, start_stamp, answer_stamp, end_stamp, billsec, hangup_cause, caller_id_number, destination_number, bleg_uuid]"
        let fs = try FreeSWITCHCDRConnector(name: "fs", settings: ConnectorHarness.settings(for: FreeSWITCHCDRConnector.self, yaml: yaml), context: context)
        try await harness.importFiles(fs, source: "fs", [file])
        let call = try #require(await harness.stored().first)
        #expect(call.conversationKey == "c-1" && call.call == CallInfo(agentId: "boris", waitSeconds: 4, talkSeconds: 60, outcome: .answered))
        #expect(throws: ConnectorError.self) {
            try FreeSWITCHCDRConnector(name: "fs", settings: .init(columns: ["uuid"]), context: context)
        }
    }
}
