import Foundation
import Testing
import SwitchboardCore
import SwitchboardTesting
@testable import PhoneConnectors

@Suite("asterisk-cdr bad input")
struct AsteriskCDRBadInputTests {
    @Test("each bad row becomes a dead letter with file:line and reason; the rest imports")
    func badRows() async throws {
        let context = PhoneTestSupport.context(timeZone: "Europe/Moscow")
        let harness = ConnectorHarness(context: context)
        let connector = try AsteriskCDRConnector(name: "pbx", settings: .init(), context: context)
        let summary = try await harness.importFiles(connector, source: "pbx", [try PhoneTestSupport.fixture("bad_rows.csv")])
        let calls = await harness.stored()
        #expect(calls.count == 3)
        #expect(summary.deadLetters == 7)
        let dead = await harness.deadLetters()
        let byLine = Dictionary(uniqueKeysWithValues: dead.map { ($0.provenance, $0.reason) })
        #expect(byLine["file:bad_rows.csv#L2"]?.contains("got 4") == true)
        #expect(byLine["file:bad_rows.csv#L3"]?.contains("start '2024-02-31 10:00:00' is not a time") == true)
        #expect(byLine["file:bad_rows.csv#L4"]?.contains("end is before start") == true)
        #expect(byLine["file:bad_rows.csv#L5"]?.contains("duration is negative") == true)
        #expect(byLine["file:bad_rows.csv#L6"]?.contains("channel is not valid UTF-8") == true)
        #expect(byLine["file:bad_rows.csv#L8"]?.contains("quote") == true)
        #expect(byLine["file:bad_rows.csv#L10"]?.contains("MAYBE") == true)
        #expect(dead.allSatisfy { $0.reason.hasPrefix("bad_rows.csv:") && !$0.raw.isEmpty })
        // Raw 0xA5 bytes in clid do not lose the call: the name is decoded leniently.
        let lenient = try #require(calls.first { $0.conversationKey == "1706785200.20" })
        #expect(lenient.call?.outcome == .answered && lenient.call?.agentId == "boris")
        #expect(lenient.actorName?.contains("\u{FFFD}") == true)
        // A 16-column row has no uniqueid: it is its own call, keyed by its content.
        let busy = try #require(calls.first { $0.call?.outcome == .busy })
        #expect(busy.conversationKey.hasPrefix("row-"))
        #expect(calls.contains { $0.conversationKey == "1706781600.10" && $0.call?.outcome == .answered })
    }

    @Test("a configured column list reads cdr_custom orders, and bad lists are refused")
    func customColumns() async throws {
        let dir = try PhoneTestSupport.temporaryDirectory()
        let file = dir.appendingPathComponent("Custom.csv")
        try Data("""
        "\"\"Ivan\"\" <89161234567>","89161234567","100","2024-03-01 09:00:00","2024-03-01 09:00:07","2024-03-01 09:02:07","ANSWERED",120,"SIP/302-00000001","1709272800.5"

        """.utf8).write(to: file)
        let context = PhoneTestSupport.context(timeZone: "UTC")
        let harness = ConnectorHarness(context: context)
        let yaml = "columns: [clid, src, dst, start, answer, end, disposition, billsec, dstchannel, linkedid]"
        let settings = try ConnectorHarness.settings(for: AsteriskCDRConnector.self, yaml: yaml)
        let connector = try AsteriskCDRConnector(name: "pbx", settings: settings, context: context)
        try await harness.importFiles(connector, source: "pbx", [file])
        let call = try #require(await harness.stored().first)
        #expect(call.conversationKey == "1709272800.5" && call.call?.waitSeconds == 7 && call.call?.talkSeconds == 120)
        #expect(call.call?.agentId == "boris" && call.actorName == "Ivan")
        #expect(throws: ConnectorError.self) {
            try AsteriskCDRConnector(name: "pbx", settings: .init(columns: ["src", "start"]), context: context)
        }
    }
}
