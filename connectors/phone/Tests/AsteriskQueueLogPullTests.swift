import Foundation
import Testing
import SwitchboardCore
import SwitchboardTesting
@testable import PhoneConnectors

@Suite("asterisk-queue-log pull")
struct AsteriskQueueLogPullTests {
    @Test("a call is stored when its exit line arrives; open calls wait in the checkpoint")
    func followsTheLog() async throws {
        let lines = try String(contentsOf: PhoneTestSupport.fixture("queue_log"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map { $0 + "\n" }
        let dir = try PhoneTestSupport.temporaryDirectory()
        let file = dir.appendingPathComponent("queue_log")
        let context = PhoneTestSupport.context(timeZone: "UTC")
        let harness = ConnectorHarness(context: context)
        let queues = try AsteriskQueueLogConnector(name: "queues", settings: .init(path: file.path), context: context)
        // Up to the CONNECT of the first call, and half of its COMPLETECALLER line.
        try (lines[0..<6].joined() + "1706418212|1706418100.1|supp").write(to: file, atomically: false, encoding: .utf8)
        let first = try await harness.pull(queues, source: "queues")
        #expect(first.read == 0 && first.deadLetters == 0)
        let state = try #require(try await harness.store.checkpoint(source: "queues")).decode(AsteriskQueueLogConnector.PullState.self)
        #expect(state.pending.map(\.event) == ["ENTERQUEUE", "RINGNOANSWER", "CONNECT"])
        // The rest of the file arrives.
        let h = try FileHandle(forWritingTo: file)
        try h.seekToEnd()
        try h.write(contentsOf: Data(("ort|SIP/301|COMPLETECALLER|12|100|1\n" + lines[7...].joined()).utf8))
        try h.close()
        let second = try await harness.pull(queues, source: "queues")
        #expect(second.deadLetters == 2)
        let calls = await harness.stored()
        #expect(calls.count == 10)
        let answered = try #require(calls.first { $0.conversationKey == "1706418100.1" })
        #expect(answered.call == CallInfo(queue: "support", agentId: "anna", waitSeconds: 12, talkSeconds: 100, outcome: .answered))
        let third = try await harness.pull(queues, source: "queues")
        #expect(third.read == 0)
    }
}
