import Foundation
import InteractionsConnectors
import SwitchboardCore
import SwitchboardTesting
import Testing

/// `callDetails` in JSON Lines: what the JSON form of an interaction writes is read back; bad values are dead letters.
@Suite struct JSONLinesCallDetailsTests {
    @Test func callDetailsAreReadAsWrittenAndBadPositionsAreRejected() async throws {
        let details = CallDetails(context: "ext-queues", lastApp: "Queue", lastData: "support,t", entryPosition: 3, exitPosition: 2,
                                  exitKey: "5", holdSeconds: 40, durationSeconds: 45)
        let call = Interaction(source: "helpdesk", externalId: "c-1", channel: .phone, platform: "asterisk", conversationKey: "c-1",
                               kind: .call, direction: .inbound, actorRole: .customer, customerKey: "+79160000001",
                               occurredAt: Date(timeIntervalSince1970: 1_772_449_200),
                               call: CallInfo(queue: "support", waitSeconds: 40, outcome: .abandoned), callDetails: details,
                               provenance: "file:calls.jsonl#L1")
        let line = String(decoding: try JSONEncoder().encode(call), as: UTF8.self)
        #expect(line.contains("\"callDetails\""))
        let bad = #"{"externalId":"c-2","channel":"phone","conversationKey":"c-2","kind":"call","direction":"inbound","actorRole":"customer","occurredAt":"2026-03-02T11:00:00Z","call":{"outcome":"abandoned"},"callDetails":{"exitPosition":0}}"#
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jsonl-details-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("calls.jsonl")
        try (line + "\n" + bad + "\n").write(to: file, atomically: true, encoding: .utf8)
        let harness = ConnectorHarness()
        let importer = try JSONLinesImporter(name: "helpdesk", settings: ConnectorHarness.settings(for: JSONLinesImporter.self, yaml: ""),
                                             context: ConnectorContext())
        let summary = try await harness.importFiles(importer, source: "helpdesk", [file])
        #expect(await harness.stored() == [call])
        #expect(summary.deadLetters == 1)
        #expect(await harness.deadLetters().first?.reason.contains("callDetails.exitPosition: expected a whole number ≥ 1") == true)
    }
}
