import Foundation
import InteractionsConnectors
import SwitchboardCore
import SwitchboardTesting
import Testing

/// JSON Lines written by other tools: a byte-order mark, a line over `max_record_bytes`.
@Suite struct JSONLinesLimitsTests {
    static func line(_ n: Int, text: String = "hello") -> String {
        #"{"externalId":"m-\#(n)","channel":"chat","conversationKey":"c","kind":"message","direction":"inbound","actorRole":"customer","occurredAt":"2026-03-01T10:00:0\#(n)Z","text":"\#(text)"}"#
    }

    func file(_ bytes: Data) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jsonl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("in.jsonl")
        try bytes.write(to: url)
        return url
    }

    func importer(_ yaml: String = "") throws -> JSONLinesImporter {
        try JSONLinesImporter(name: "helpdesk", settings: ConnectorHarness.settings(for: JSONLinesImporter.self, yaml: yaml),
                              context: ConnectorContext())
    }

    @Test func aByteOrderMarkBeforeTheFirstLineIsSkipped() async throws {
        let url = try file(Data([0xEF, 0xBB, 0xBF]) + Data((Self.line(1) + "\r\n" + Self.line(2) + "\r\n").utf8))
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let harness = ConnectorHarness()
        let summary = try await harness.importFiles(try importer(), source: "helpdesk", [url])
        #expect(summary.stored == 2 && summary.deadLetters == 0)
        #expect(await harness.stored().map(\.externalId) == ["m-1", "m-2"])
    }

    @Test func aLineOverTheCapIsOneDeadLetterWithItsNumberAndLengthAndTheNextLinesImport() async throws {
        let long = Self.line(2, text: String(repeating: "x", count: 5000))
        let url = try file(Data([Self.line(1), long, Self.line(3), Self.line(4)].joined(separator: "\n").utf8))
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let harness = ConnectorHarness()
        let summary = try await harness.importFiles(try importer("max_record_bytes: 2KiB"), source: "helpdesk", [url])
        #expect(summary.stored == 3 && summary.deadLetters == 1)
        #expect(await harness.stored().map(\.externalId) == ["m-1", "m-3", "m-4"])
        let letter = try #require(await harness.deadLetters().first)
        #expect(letter.provenance == "file:in.jsonl#L2")
        #expect(letter.reason == "in.jsonl:2: line 2 is 5.0 KiB (\(long.utf8.count) bytes), more than max_record_bytes (2.0 KiB); "
            + "raise max_record_bytes to import it")
        #expect(letter.raw == Data(long.utf8.prefix(2048)))
        // The default cap (16 MiB) takes the same line.
        let all = ConnectorHarness()
        #expect(try await all.importFiles(try importer(), source: "helpdesk", [url]).stored == 4)
    }

    @Test func theCapMustBeASize() throws {
        #expect(throws: ConnectorError.self) { try importer("max_record_bytes: big") }
        #expect(throws: ConnectorError.self) { try importer("max_record_bytes: 0") }
        #expect(JSONLinesImporter.settings.map(\.key).contains("max_record_bytes"))
    }
}
