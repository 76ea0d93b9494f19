import Foundation
import Testing
import SwitchboardCore
import SwitchboardTesting
@testable import PhoneConnectors

/// Agent lines of a queue_log become `AgentEvent`s beside the calls (never calls, never dead letters when valid);
/// unknown events are counted and skipped. The figures computed from them are in Tests/SwitchboardCLITests/AgentTimeCLITests.swift.
@Suite("queue_log agent events")
struct QueueAgentEventTests {
    func importFixture(_ name: String) async throws -> (ConnectorHarness, IngestSummary, AsteriskQueueLogConnector) {
        let context = PhoneTestSupport.context(timeZone: "Asia/Irkutsk")
        let harness = ConnectorHarness(context: context)
        let connector = try AsteriskQueueLogConnector(name: "queues", settings: .init(), context: context)
        let summary = try await harness.importFiles(connector, source: "queues", [try PhoneTestSupport.fixture(name)])
        return (harness, summary, connector)
    }

    @Test("agent lines are stored as agent events with agents: ids, the raw interface for an agent not in agents:, and never as calls")
    func storedBesideCalls() async throws {
        let (harness, summary, _) = try await importFixture("agent_time_queue_log")
        // Three calls (ENTERQUEUE … COMPLETECALLER / TRANSFER / COMPLETEAGENT); nothing else is an interaction.
        let calls = await harness.stored()
        #expect(calls.count == 3 && calls.allSatisfy { $0.kind == .call })
        #expect(summary.stored == 3 && summary.deadLetters == 0)
        let events = await harness.store.agentEventList
        // 28 lines: QUEUESTART (informational), 3 ENTERQUEUE (calls only), WRAPUPSTART (unknown) are not agent events;
        // the other 23 are (3 CONNECT, 2 COMPLETE*, 1 TRANSFER, 1 RINGNOANSWER among them).
        #expect(events.count == 23)
        #expect(Set(events.map(\.agent)) == ["anna", "boris", "SIP/305"])
        let login = try #require(events.first { $0.event == "AGENTLOGIN" })
        #expect(login.agent == "SIP/305" && login.interface == "SIP/305" && login.queue == "" && login.callid == "")
        #expect(login.data == ["SIP/305-00000007"] && login.provenance == "file:agent_time_queue_log#L24")
        let transfer = try #require(events.first { $0.event == "TRANSFER" })
        #expect(transfer.agent == "anna" && transfer.callid == "1706411400.3" && transfer.queue == "sales")
        #expect(transfer.data == ["200", "default", "5", "120", "1"])
        let logoff = try #require(events.first { $0.event == "AGENTLOGOFF" })
        #expect(logoff.param(2) == "5400" && logoff.at == Date(timeIntervalSince1970: 1706401800))
    }

    @Test("importing the same queue_log again stores no agent event twice")
    func reimportDeduplicates() async throws {
        let context = PhoneTestSupport.context(timeZone: "UTC")
        let harness = ConnectorHarness(context: context)
        let connector = try AsteriskQueueLogConnector(name: "queues", settings: .init(), context: context)
        let file = try PhoneTestSupport.fixture("agent_time_queue_log")
        try await harness.importFiles(connector, source: "queues", [file])
        let first = await harness.store.agentEventList
        let again = try await harness.importFiles(connector, source: "queues", [file])
        #expect(again.stored == 0 && again.duplicates == 3)
        #expect(await harness.store.agentEventList == first)
    }

    @Test("an unknown event is counted and skipped: not a call, not an agent event, not a dead letter")
    func unknownEventCounted() throws {
        var reader = QueueLogReader(timeZone: TimeZone(identifier: "UTC")!, shortAbandon: 5)
        reader.agentLog.keep = true
        for line in ["1706412600|NONE|support|SIP/301|WRAPUPSTART|x", "1706412601|1706412000.5|support|SIP/301|WRAPUPSTART|",
                     "1706412602|NONE|NONE|NONE|QUEUESTART|", "1706412603|NONE|support|SIP/301|PAUSE|lunch"] {
            let bytes = Array(line.utf8)
            let event = try bytes.withUnsafeBufferPointer { try reader.parse($0, provenance: "file:q#L1") }
            #expect(event == nil, "\(line)")
        }
        #expect(reader.agentLog.unknown == ["WRAPUPSTART": 2])
        #expect(reader.agentLog.unknownSummary == "WRAPUPSTART ×2")
        #expect(reader.agentLog.lines.map(\.event) == ["PAUSE"])
    }

    @Test("a bad agent line is a dead letter naming file, line and what was expected; the rest imports")
    func badAgentLines() async throws {
        let dir = try PhoneTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("queue_log")
        try """
            1706403600|MANAGER|support|SIP/301|ADDMEMBER|
            soon|NONE|support|SIP/301|PAUSE|lunch
            1706403700|NONE|support|NONE|PAUSE|lunch
            1706403800|NONE|NONE|SIP/301|AGENTLOGOFF|SIP/301-1|a while
            1706414400|MANAGER|support|SIP/301|REMOVEMEMBER|

            """.write(to: file, atomically: true, encoding: .utf8)
        let context = PhoneTestSupport.context(timeZone: "UTC")
        let harness = ConnectorHarness(context: context)
        let connector = try AsteriskQueueLogConnector(name: "queues", settings: .init(), context: context)
        let summary = try await harness.importFiles(connector, source: "queues", [file])
        #expect(summary.deadLetters == 3)
        let dead = await harness.deadLetters()
        #expect(dead.map(\.provenance) == ["file:queue_log#L2", "file:queue_log#L3", "file:queue_log#L4"])
        #expect(dead[0].reason.contains("queue_log:2") && dead[0].reason.contains("'soon'"))
        #expect(dead[1].reason.contains("PAUSE names no agent"))
        #expect(dead[2].reason.contains("logintime") && dead[2].reason.contains("'a while'"))
        #expect(await harness.store.agentEventList.map(\.event) == ["ADDMEMBER", "REMOVEMEMBER"])
    }

    @Test("asterisk-cdr with a queue_log stores its agent events too")
    func cdrConnectorKeepsAgentEvents() async throws {
        let context = PhoneTestSupport.context(timeZone: "UTC")
        let harness = ConnectorHarness(context: context)
        let connector = try AsteriskCDRConnector(name: "pbx", settings: .init(queueLog: try PhoneTestSupport.fixture("queue_log").path),
                                                 context: context)
        try await harness.importFiles(connector, source: "pbx", [try PhoneTestSupport.fixture("queue_calls.csv")])
        let events = await harness.store.agentEventList
        // The fixture's ADDMEMBER, AGENTLOGIN and PAUSE lines plus the agent side of its calls; Agent/1001 is in no agents: entry.
        #expect(events.contains { $0.event == "ADDMEMBER" && $0.agent == "anna" && $0.source == "pbx" })
        #expect(events.contains { $0.event == "AGENTLOGIN" && $0.agent == "Agent/1001" })
        #expect(events.contains { $0.event == "PAUSE" && $0.agent == "anna" && $0.data == ["lunch"] })
        #expect(events.contains { $0.event == "BLINDTRANSFER" && $0.agent == "boris" && $0.callid == "1706419200.8" })
        #expect(await harness.stored().count == 3)
    }
}
