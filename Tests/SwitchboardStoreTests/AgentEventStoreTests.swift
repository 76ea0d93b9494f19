import Foundation
import SwitchboardCore
import SwitchboardScan
import SwitchboardStore
import SwitchboardTesting
import Testing

/// Migration v11-agent-events on both stores: agent events are written with their batch, read back whole in
/// (time, storage) order, deduplicated on id, filtered by source and time, and never counted as interactions.
@Suite(.timeLimit(.minutes(5))) struct AgentEventStoreTests {
    static func event(_ source: String, _ at: Double, _ event: String, agent: String = "anna", data: [String] = [],
                      callid: String = "") -> AgentEvent {
        AgentEvent(source: source, at: Date(timeIntervalSince1970: at), agent: agent, interface: "SIP/301", queue: "support",
                   event: event, data: data, callid: callid, provenance: "file:queue_log#L\(Int(at) % 100)")
    }

    @Test(arguments: Backend.allCases) func agentEventsRoundTripOnceAndStayOutOfInteractions(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try await tmp.open()
        let login = Self.event("pbx", 1706403600, "ADDMEMBER")
        let pause = Self.event("pbx", 1706407200.25, "PAUSE", data: ["lunch", ""])
        let transfer = Self.event("pbx", 1706411525, "TRANSFER", data: ["200", "default", "5", "120", "1"], callid: "1706411400.3")
        let other = Self.event("branch", 1706403000, "AGENTLOGIN", agent: "SIP/305", data: ["SIP/305-1"])
        var batch = IngestBatch(source: "pbx", interactions: [interaction(1, source: "pbx")])
        batch.agentEvents = [transfer, login, pause]
        _ = try await store.write(batch)
        // The same lines again (a re-import), with one more of another source: stored once each.
        var again = IngestBatch(source: "pbx")
        again.agentEvents = [login, pause, transfer, other]
        let result = try await store.write(again)
        #expect(result.stored == 0 && result.duplicates == 0)

        let source = try #require(store as? any AgentEventSource)
        let all = try await source.agentEvents(sources: nil, before: nil)
        // Milliseconds are kept; equal to what was written, in time order.
        #expect(all == [other, login, pause, transfer])
        #expect(all[2].data == ["lunch", ""] && all[2].at == Date(timeIntervalSince1970: 1706407200.25))
        #expect(try await source.agentEvents(sources: ["pbx"], before: Date(timeIntervalSince1970: 1706411525)) == [login, pause])
        // Agent events are not interactions: counts, source totals and the metrics scan see one interaction.
        #expect(try await store.count(source: nil) == 1)
        #expect(try await store.scanMetrics().rowCount == 1)
        #expect(try await store.sourceStats()["pbx"]?.stored == 1)
    }
}
