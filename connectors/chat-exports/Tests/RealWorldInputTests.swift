import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import ChatExportConnectors

/// Files as other programs write them: byte-order marks, joiners in text, ISO 8601 dates with offsets.
@Suite("chat exports written by other tools")
struct RealWorldInputTests {
    static let bom = Data([0xEF, 0xBB, 0xBF])

    /// A copy of `url` named `name` in a fresh folder, with a byte-order mark in front.
    func withMark(_ url: URL, name: String? = nil) throws -> URL {
        try Samples.temporaryFile(name ?? url.lastPathComponent, Self.bom + (try Data(contentsOf: url)))
    }

    /// Imports `url` as it is and with a byte-order mark: both give the same interactions and no dead letter.
    func expectMarkIgnored<C: FileImporter>(_ type: C.Type, _ url: URL, yaml: String = "") async throws
    where C.Settings == ChatExportSettings {
        let plain = try await ImportRun.run(type, [try Samples.temporaryFile(url.lastPathComponent, Data(contentsOf: url))],
                                            yaml: yaml)
        let marked = try await ImportRun.run(type, [try withMark(url)], yaml: yaml)
        #expect(!plain.stored.isEmpty)
        #expect(marked.deadLetters.map(\.reason) == plain.deadLetters.map(\.reason))
        #expect(marked.stored == plain.stored)
    }

    @Test("a byte-order mark before a Telegram, Discord or Messenger JSON file changes nothing")
    func markBeforeJSONExports() async throws {
        try await expectMarkIgnored(TelegramImporter.self, try Samples.fixture("telegram_personal.json"))
        try await expectMarkIgnored(TelegramImporter.self, Samples.real("telegram/single_export.json"))
        try await expectMarkIgnored(DiscordImporter.self, try Samples.fixture("discord_support.json"))
        try await expectMarkIgnored(MessengerImporter.self, try Samples.fixture("messenger_message_1.json"))
    }

    @Test("a byte-order mark before a WhatsApp export changes nothing")
    func markBeforeWhatsApp() async throws {
        try await expectMarkIgnored(WhatsAppImporter.self, try Samples.fixture("WhatsApp Chat - Acme Support.txt"))
        try await expectMarkIgnored(WhatsAppImporter.self, try Samples.fixture("android_group_ru.txt"))
    }

    @Test("byte-order marks before every file of an unpacked Slack export change nothing")
    func markBeforeSlackFiles() async throws {
        let fixture = try Samples.fixture("slack-thread")
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("slack-bom-\(UUID().uuidString)/slack-thread")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        try FileManager.default.copyItem(at: fixture, to: copy)
        for file in ["users.json", "channels.json", "support/2024-03-15.json"] {
            let url = copy.appendingPathComponent(file)
            try (Self.bom + Data(contentsOf: url)).write(to: url)
        }
        let plain = try await ImportRun.run(SlackImporter.self, [fixture])
        let marked = try await ImportRun.run(SlackImporter.self, [copy])
        #expect(marked.stored.count == 7)
        #expect(marked.stored == plain.stored)
        #expect(marked.deadLetters.map(\.reason) == plain.deadLetters.map(\.reason))
    }

    @Test("WhatsApp keeps zero-width joiners and non-joiners and strips only the direction marks around names and numbers")
    func joinersKept() async throws {
        let technologist = "\u{1F469}\u{200D}\u{1F4BB}"           // 👩‍💻: one emoji through U+200D
        let persian = "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}"   // می‌خواهم with U+200C
        let text = """
            [15.03.24, 10:00:00] \u{200E}\u{2068}Ivan Petrov\u{2069}: Hi \(technologist) \(persian)
            [15.03.24, 10:01:00] Acme Support: call \u{202A}+7 916 123-45-67\u{202C} or \u{2066}\u{200F}x\u{2069}, zero\u{200B}width
            [15.03.24, 10:02:00] Ivan Petrov: \u{200E}ok \u{1F44D}\u{1F3FD}
            """
        let url = try Samples.temporaryFile("WhatsApp Chat - Acme Support.txt", Data(text.utf8))
        let r = try await ImportRun.run(WhatsAppImporter.self, [url])
        #expect(r.deadLetters.isEmpty)
        try #require(r.stored.count == 3)
        #expect(r.stored[0].actorName == "Ivan Petrov")
        #expect(r.stored[0].text == "Hi \(technologist) \(persian)")
        #expect(r.stored[0].text?.unicodeScalars.contains("\u{200D}") == true)
        #expect(r.stored[0].text?.unicodeScalars.contains("\u{200C}") == true)
        #expect(r.stored[1].text == "call +7 916 123-45-67 or x, zero\u{200B}width")
        #expect(r.stored[2].text == "ok \u{1F44D}\u{1F3FD}")
        #expect(Set(r.stored.map(\.actorName)) == ["Ivan Petrov", "Acme Support"])
    }

    @Test("a message of 50,000 continuation lines is one message with its whole text")
    func longMessage() async throws {
        let lines = (0..<50_000).map { "line \($0) of the pasted log: status ok" }
        var text = "12/01/2024, 08:00 - Customer 1: hello\n12/01/2024, 08:01 - Customer 1: log start\n"
        text += lines.joined(separator: "\n") + "\n"
        text += "12/01/2024, 08:05 - Anna (Support): thanks\n"
        let url = try Samples.temporaryFile("long.txt", Data(text.utf8))
        let r = try await ImportRun.run(WhatsAppImporter.self, [url], yaml: "agents: [\"Anna (Support)\"]")
        #expect(r.deadLetters.isEmpty)
        try #require(r.stored.count == 3)
        #expect(r.stored[1].text == "log start\n" + lines.joined(separator: "\n"))
        #expect(r.stored[2].text == "thanks" && r.stored[2].actorRole == .agent)
    }

    @Test("Telegram dates in ISO 8601 with Z or an offset are read; local dates keep the source's timezone")
    func telegramDates() async throws {
        let dates = [
            "2024-03-15T12:00:00Z", "2024-03-15T15:01:00+03:00", "2024-03-15T07:02:00-05:00", "2024-03-15T12:03:00.250Z",
            "2024-03-15T15:04:00", "2024-03-15 15:05:00", "2024-03-15T15:06:00.5",
            "2024-03-15T12:07:00+3", "15.03.2024 12:08", "2024-03-15T25:00:00",
        ]
        let messages = dates.enumerated().map { i, d in
            #"{"id": \#(i + 1), "type": "message", "date": "\#(d)", "from": "Olga", "from_id": "user42", "text": "m\#(i)"}"#
        }
        let json = #"{"name": "Olga", "type": "personal_chat", "id": 42, "messages": [\#(messages.joined(separator: ","))]}"#
        let url = try Samples.temporaryFile("result.json", Data(json.utf8))
        let context = ConnectorContext(timeZone: TimeZone(identifier: "Europe/Moscow")!)
        let r = try await ImportRun.run(TelegramImporter.self, [url], context: context)
        #expect(r.stored.map(\.occurredAt) == [
            "2024-03-15T12:00:00Z", "2024-03-15T12:01:00Z", "2024-03-15T12:02:00Z", "2024-03-15T12:03:00.250Z",
            "2024-03-15T12:04:00Z", "2024-03-15T12:05:00Z", "2024-03-15T12:06:00.500Z",
        ].map(Samples.date))
        #expect(r.deadLetters.count == 3)
        #expect(r.deadLetters.allSatisfy { $0.reason.contains("has no usable date_unixtime or date") })
    }
}
