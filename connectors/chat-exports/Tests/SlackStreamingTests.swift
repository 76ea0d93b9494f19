import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
import ZIPFoundation
@testable import ChatExportConnectors

/// Slack day files are read one message at a time: problems stay with their message, and a message
/// over `max_record_bytes` is a dead letter, never held.
@Suite("slack-export day files")
struct SlackStreamingTests {
    static let users = #"[{"id": "U01CUST", "real_name": "Olga"}, {"id": "U02AGNT", "real_name": "Anna"}]"#
    static let channels = #"[{"id": "C0SUPPORT", "name": "support"}]"#

    static func message(_ n: Int, text: String = "hello", user: String = "U01CUST") -> String {
        #"{"type": "message", "user": "\#(user)", "text": "\#(text)", "ts": "\#(1_710_496_800 + n).000100"}"#
    }

    /// An unpacked export in a fresh folder: users, channels and the `support` folder's day files.
    static func export(_ days: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("slack-\(UUID().uuidString)/export")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("support"), withIntermediateDirectories: true)
        try Data(users.utf8).write(to: root.appendingPathComponent("users.json"))
        try Data(channels.utf8).write(to: root.appendingPathComponent("channels.json"))
        for (name, text) in days { try Data(text.utf8).write(to: root.appendingPathComponent("support/\(name)")) }
        return root
    }

    @Test("an over-long, a broken and a ts-less message are dead letters; the messages around them are stored")
    func problemsStayWithTheirMessage() async throws {
        let long = String(repeating: "x", count: 3000)
        let day1 = "[" + [Self.message(0), Self.message(1, text: long), #"{"ts": "1710496802.0001", "text": tru}"#,
                          Self.message(3, user: "U02AGNT"), #"{"type": "message", "text": "no ts"}"#].joined(separator: ",\n") + "]"
        let day2 = "[" + Self.message(100) + ", {\"ts\": \"17104"    // cut off mid-message
        let root = try Self.export(["2024-03-15.json": day1, "2024-03-16.json": day2])
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let r = try await ImportRun.run(SlackImporter.self, [root], yaml: "max_record_bytes: 1KiB\nagents: [U02AGNT]")
        #expect(r.stored.map(\.text) == ["hello", "hello", "hello"])
        #expect(r.stored.map(\.actorRole) == [.customer, .agent, .customer])
        #expect(r.summary.deadLetters == 4)
        let letters = r.deadLetters.map(\.reason)
        try #require(letters.count == 4)
        let length = Self.message(1, text: long).utf8.count + 1   // with the line break after the comma
        #expect(letters[0].hasPrefix("export!support/2024-03-15.json: message 1 is 3.0 KiB (\(length) bytes), "
            + "more than max_record_bytes (1.0 KiB)"))
        #expect(letters[1].hasPrefix("export!support/2024-03-15.json: message 2 is not valid JSON"))
        #expect(letters[2] == "export!support/2024-03-15.json: message 4 has no valid ts")
        #expect(letters[3].hasPrefix("export!support/2024-03-16.json: the file ends inside the array after 1 complete"))
        #expect(r.deadLetters.map(\.provenance) == ["file:export!support/2024-03-15.json#1", "file:export!support/2024-03-15.json#2",
                                                    "file:export!support/2024-03-15.json#4", "file:export!support/2024-03-16.json"])
        #expect(r.deadLetters[0].raw.count == min(length, JSONArrayReader.headBytes))
    }

    @Test("a zip's big day file (inflated to a scratch file) and its small ones give every message")
    func bigDayFileInAZip() async throws {
        let text = String(repeating: "a long line of a pasted log ", count: 36)   // ~1 KB a message
        let big = "[" + (0..<9_000).map { Self.message($0, text: text) }.joined(separator: ",\n") + "]"
        #expect(UInt64(big.utf8.count) > ExportTree.inMemoryEntryBytes)
        let small = "[" + Self.message(20_000) + "]"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slack-zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let zipURL = dir.appendingPathComponent("workspace.zip")
        let archive = try Archive(url: zipURL, accessMode: .create)
        let files = ["export/users.json": Self.users, "export/channels.json": Self.channels,
                     "export/support/2024-03-15.json": big, "export/support/2024-03-16.json": small]
        for (path, text) in files.sorted(by: { $0.key < $1.key }) {
            let data = Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) {
                position, size in data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        let r = try await ImportRun.run(SlackImporter.self, [zipURL])
        #expect(r.deadLetters.isEmpty, "\(r.deadLetters.map(\.reason))")
        #expect(r.stored.count == 9_001)
        #expect(r.stored.first?.text == text && r.stored.last?.text == "hello")
    }

    @Test("max_record_bytes must be a size")
    func badSetting() throws {
        let settings = try ConnectorHarness.settings(for: SlackImporter.self, yaml: "max_record_bytes: lots")
        #expect(throws: ConnectorError.self) {
            _ = try SlackImporter(name: "s", settings: settings, context: ConnectorContext(timeZone: Samples.utc))
        }
    }
}
