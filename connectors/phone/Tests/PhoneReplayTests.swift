import Foundation
import Testing
import SwitchboardCore
import SwitchboardTesting
@testable import PhoneConnectors

/// Dead-letter replay of the PBX kinds: a refused row keeps the connector kind; read again with the same
/// settings it fails with the same reason, and a row that reads (as a fixed connector would read it) gives
/// the call the import gives.
@Suite("phone dead-letter replay")
struct PhoneReplayTests {
    static func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .isoLatin1).components(separatedBy: "\n")
    }

    @Test("asterisk-cdr: refused rows still fail with their reason; a readable row gives the imported call")
    func asteriskRows() async throws {
        let context = PhoneTestSupport.context(timeZone: "Europe/Moscow")
        let harness = ConnectorHarness(context: context)
        let connector = try AsteriskCDRConnector(name: "pbx", settings: .init(), context: context)
        let file = try PhoneTestSupport.fixture("bad_rows.csv")
        _ = try await harness.importFiles(connector, source: "pbx", [file])
        let dead = await harness.deadLetters()
        #expect(dead.count == 7)
        for letter in dead {
            #expect(letter.replay?.kind == "asterisk-cdr")
            let error = #expect(throws: ConnectorError.self) { try connector.replay(letter) }
            #expect(error?.message == letter.reason, "\(letter.provenance)")
        }
        // Every line that imported, as a letter: the replay gives the same call.
        let refused = Set(dead.map(\.provenance))
        let stored = await harness.stored()
        let raw = try Data(contentsOf: file).split(separator: 0x0A, omittingEmptySubsequences: false)
        var replayed = 0
        for (i, line) in raw.enumerated() where !line.isEmpty && !refused.contains("file:bad_rows.csv#L\(i + 1)") {
            let letter = DeadLetter(source: "pbx", reason: "earlier build", provenance: "file:bad_rows.csv#L\(i + 1)",
                                    raw: Data(line), replay: ReplayContext(kind: "asterisk-cdr"))
            let call = try #require(try connector.replay(letter).interactions.first)
            let imported = try #require(stored.first { $0.id == call.id })
            #expect(imported.call == call.call && imported.occurredAt == call.occurredAt && imported.customerKey == call.customerKey)
            replayed += 1
        }
        #expect(replayed == 3)
    }

    @Test("freeswitch-cdr: a readable row gives the imported call")
    func freeswitchRows() async throws {
        let context = PhoneTestSupport.context(timeZone: "Europe/Moscow")
        let harness = ConnectorHarness(context: context)
        let connector = try FreeSWITCHCDRConnector(name: "fs", settings: .init(), context: context)
        let file = try PhoneTestSupport.fixture("freeswitch.csv")
        _ = try await harness.importFiles(connector, source: "fs", [file])
        let stored = await harness.stored()
        let refused = Set(await harness.deadLetters().map(\.provenance))
        let raw = try Data(contentsOf: file).split(separator: 0x0A, omittingEmptySubsequences: false)
        var replayed = 0
        for (i, line) in raw.enumerated() where !line.isEmpty && !refused.contains("file:freeswitch.csv#L\(i + 1)") {
            let letter = DeadLetter(source: "fs", reason: "earlier build", provenance: "file:freeswitch.csv#L\(i + 1)",
                                    raw: Data(line), replay: ReplayContext(kind: "freeswitch-cdr"))
            let call = try #require(try connector.replay(letter).interactions.first)
            #expect(stored.contains { $0.id == call.id && $0.call == call.call }, "line \(i + 1)")
            replayed += 1
        }
        #expect(replayed == stored.count && replayed > 0)
    }

    @Test("phone-csv: a refused header reads again once columns name it; its rows then store")
    func phoneCSVHeader() async throws {
        let dir = try PhoneTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("calls.csv")
        try "when,caller,status\n2026-03-02T10:00:00+03:00,+79161234567,completed\n".write(to: file, atomically: true, encoding: .utf8)
        let context = PhoneTestSupport.context(timeZone: "Europe/Moscow")
        let before = try PhoneCSVConnector(name: "calls", settings: ConnectorHarness.settings(for: PhoneCSVConnector.self, yaml: ""),
                                           context: context)
        let harness = ConnectorHarness(context: context)
        let summary = try await harness.importFiles(before, source: "calls", [file])
        #expect(summary.deadLetters == 2 && summary.stored == 0)
        let letters = await harness.deadLetters().sorted { $0.provenance < $1.provenance }
        #expect(letters[0].replay?.values["header_line"] == "true")
        #expect(letters[1].replay?.values["header"] == "when,caller,status")

        let fixed = try PhoneCSVConnector(name: "calls", settings: ConnectorHarness.settings(for: PhoneCSVConnector.self,
                                                                                              yaml: "columns: {start: when, from: caller}"),
                                          context: context)
        #expect(try fixed.replay(letters[0]).interactions.isEmpty, "the header reads: nothing to store")
        let call = try #require(try fixed.replay(letters[1]).interactions.first)
        #expect(call.call?.outcome == .answered && call.customerKey == "+79161234567")
        #expect(call.provenance == "file:calls.csv#L2")
    }
}
