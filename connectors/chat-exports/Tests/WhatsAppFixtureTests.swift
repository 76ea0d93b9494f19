import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import ChatExportConnectors

/// Hand-written WhatsApp exports: iOS direction marks, Russian notices, 12-hour clocks, zips.
@Suite("whatsapp-export on hand-written fixtures")
struct WhatsAppFixtureTests {
    @Test("iOS export with LRM marks: the attributed encryption notice is system, the chat stays customer-initiated")
    func iosLRM() async throws {
        let r = try await ImportRun.run(WhatsAppImporter.self, [try Samples.fixture("WhatsApp Chat - Acme Support.txt")],
                                        yaml: "agents: [\"Acme Support\"]")
        #expect(r.deadLetters.isEmpty)
        try #require(r.stored.count == 7)
        let notice = try #require(r.stored.first)
        #expect(notice.actorRole == .system && notice.direction == .internal)
        #expect(notice.text?.hasPrefix("Messages and calls") == true)
        #expect(notice.actorName == "Acme Support")
        let people = r.stored.dropFirst()
        #expect(people.map(\.actorRole) == [.customer, .customer, .customer, .agent, .agent, .customer])
        #expect(people.allSatisfy { !($0.text ?? "").unicodeScalars.contains("\u{200E}") })
        #expect(people.map(\.attachments) == [0, 0, 1, 0, 1, 0])
        #expect(r.stored[4].text == "Hi Ivan, let me check.\nIt left the warehouse on Friday.")
        #expect(r.stored[1].customerKey == "whatsapp:Ivan Petrov")
        // The first customer message comes before any agent message of its conversation.
        let conv = r.stored.filter { $0.conversationKey == r.stored[1].conversationKey }
        #expect(conv.first { $0.actorRole == .customer || $0.actorRole == .agent }?.actorRole == .customer)
        // A 3-day silence starts a new conversation; the key is chat id + session start.
        #expect(Set(r.stored.map(\.conversationKey)) == [
            "whatsapp:Acme Support#2024-03-15T09:58:12.000Z", "whatsapp:Acme Support#2024-03-18T18:40:00.000Z"])
    }

    @Test("session_gap setting decides where conversations split")
    func sessionGap() async throws {
        let url = try Samples.fixture("WhatsApp Chat - Acme Support.txt")
        let long = try await ImportRun.run(WhatsAppImporter.self, [url], yaml: "session_gap: 7d")
        #expect(Set(long.stored.map(\.conversationKey)).count == 1)
        let short = try await ImportRun.run(WhatsAppImporter.self, [url], yaml: "session_gap: 10m")
        #expect(Set(short.stored.map(\.conversationKey)).count == 3)
    }

    @Test("the chat partner named in the file is the customer, the exporting side the agent")
    func partnerFromFileName() async throws {
        let r = try await ImportRun.run(WhatsAppImporter.self, [try Samples.fixture("WhatsApp Chat - Acme Support.txt")],
                                        yaml: "customer: Ivan Petrov")
        #expect(r.stored.filter { $0.actorName == "Acme Support" && $0.actorRole != .system }.allSatisfy { $0.actorRole == .agent })
        #expect(r.stored.filter { $0.actorName == "Ivan Petrov" }.allSatisfy { $0.actorRole == .customer })
    }

    @Test("Android group in Russian: notices without an author are system, agents from the global agents:")
    func androidRussian() async throws {
        let context = ConnectorContext(timeZone: TimeZone(identifier: "Europe/Moscow")!,
                                       agents: AgentDirectory([Agent(id: "anna", names: ["Анна (Поддержка)"])]),
                                       phone: PhoneSettings(defaultCountry: "RU"))
        let r = try await ImportRun.run(WhatsAppImporter.self, [try Samples.fixture("android_group_ru.txt")], context: context)
        #expect(r.deadLetters.isEmpty)
        try #require(r.stored.count == 8)
        #expect(r.stored.map(\.actorRole) == [.system, .system, .system, .customer, .customer, .agent, .system, .system])
        #expect(r.stored[3].customerKey == "+79161234567")
        #expect(r.stored[4].attachments == 1)
        #expect(r.stored[5].actorId == "anna")
        #expect(r.stored[3].occurredAt == Samples.date("2024-03-15T06:05:00Z"))   // Moscow is UTC+3
        #expect(r.stored[6].text == "Вы изменили тему с \"Поддержка Acme\" на \"Заказ: 4512\"")
    }

    @Test("iOS group in Russian: events attributed to the group name are system")
    func iosRussian() async throws {
        let r = try await ImportRun.run(WhatsAppImporter.self, [try Samples.fixture("ios_group_ru.txt")],
                                        yaml: "agents: [Анна]")
        #expect(r.stored.map(\.actorRole) == [.system, .system, .customer, .agent, .system])
    }

    @Test("12-hour clock with U+202F before AM/PM; 12 AM is midnight, 12 PM noon")
    func narrowSpace() async throws {
        let r = try await ImportRun.run(WhatsAppImporter.self, [try Samples.fixture("ios_12h_narrow_space.txt")])
        #expect(r.stored.map(\.occurredAt) == ["2024-03-15T09:58:12Z", "2024-03-15T12:05:00Z",
                                               "2024-03-15T00:00:30Z"].map(Samples.date))
    }

    @Test("zip with media: the chat is read from _chat.txt, attachments counted, chat partner from the zip name")
    func zipWithMedia() async throws {
        let r = try await ImportRun.run(WhatsAppImporter.self, [try Samples.fixture("WhatsApp Chat - Ivan Petrov.zip")])
        #expect(r.deadLetters.isEmpty)
        try #require(r.stored.count == 6)
        #expect(r.stored.map(\.attachments) == [0, 0, 1, 1, 0, 1])
        #expect(r.stored.map(\.actorRole) == [.system, .customer, .customer, .customer, .agent, .agent])
        #expect(r.stored.allSatisfy { $0.conversationKey.hasPrefix("whatsapp:Ivan Petrov#") })
        #expect(r.stored[1].provenance == "file:WhatsApp Chat - Ivan Petrov.zip!_chat.txt#L2")
    }

    @Test("zip entries with .. or absolute paths are refused, the safe chat is imported")
    func unsafeEntries() async throws {
        let r = try await ImportRun.run(WhatsAppImporter.self, [try Samples.fixture("unsafe-entries.zip")])
        #expect(r.stored.count == 1)
        #expect(r.stored.first?.text == "hello")
        #expect(r.deadLetters.count == 2, "\(r.deadLetters.map(\.reason))")
        #expect(r.deadLetters.contains { $0.reason.contains("../../etc/evil.txt") && $0.reason.contains("..") })
        #expect(r.deadLetters.contains { $0.reason.contains("/tmp/absolute.txt") && $0.reason.contains("absolute") })
    }

    @Test("zip caps: more bytes or entries than allowed is a clear error, not an import")
    func zipCaps() async throws {
        let url = try Samples.fixture("WhatsApp Chat - Ivan Petrov.zip")
        let bytes = try await ImportRun.run(WhatsAppImporter.self, [url], yaml: "zip_max_bytes: 1KiB")
        #expect(bytes.stored.isEmpty)
        #expect(bytes.deadLetters.first?.reason.contains("zip_max_bytes") == true)
        let entries = try await ImportRun.run(WhatsAppImporter.self, [url], yaml: "zip_max_entries: 2")
        #expect(entries.stored.isEmpty)
        #expect(entries.deadLetters.first?.reason.contains("zip_max_entries") == true)
    }

    @Test("a corrupt zip, random bytes and an empty file each give a clear message and never crash")
    func badInput() async throws {
        var random = SystemRandomNumberGenerator()
        let noise = Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) })
        let zip = try Samples.temporaryFile("broken.zip", noise)
        let z = try await ImportRun.run(WhatsAppImporter.self, [zip])
        #expect(z.stored.isEmpty)
        #expect(z.deadLetters.first?.reason.contains("not a readable zip archive") == true)

        let txt = try Samples.temporaryFile("noise.txt", noise)
        let t = try await ImportRun.run(WhatsAppImporter.self, [txt])
        #expect(t.stored.isEmpty)
        #expect(t.deadLetters.count >= 1)
        #expect(t.deadLetters.allSatisfy { $0.reason.contains("noise.txt") })

        let empty = try Samples.temporaryFile("empty.txt", Data())
        let e = try await ImportRun.run(WhatsAppImporter.self, [empty])
        #expect(e.stored.isEmpty)
        #expect(e.deadLetters.map(\.reason) == ["empty.txt: not a WhatsApp chat export: the file is empty"])
    }

    @Test("a line before any message and an impossible date are dead letters with file:line")
    func badLines() async throws {
        let text = "garbage first line\n31/02/24, 10:00 - Ann: impossible\n01/03/24, 10:00 - Ann: fine\n"
        let url = try Samples.temporaryFile("lines.txt", Data(text.utf8))
        let r = try await ImportRun.run(WhatsAppImporter.self, [url], yaml: "date_order: dmy")
        #expect(r.stored.map(\.text) == ["fine"])
        try #require(r.deadLetters.count == 2)
        #expect(r.deadLetters.map(\.provenance) == ["file:lines.txt#L1", "file:lines.txt#L2"])
        #expect(r.deadLetters[1].reason.contains("date_order"))
    }

    @Test("an export that grew stores only the new messages")
    func reimportGrown() async throws {
        let harness = ConnectorHarness(context: ConnectorContext(timeZone: Samples.utc))
        let full = try String(contentsOf: try Samples.fixture("WhatsApp Chat - Acme Support.txt"), encoding: .utf8)
        let lines = full.split(separator: "\n", omittingEmptySubsequences: false)
        let early = lines.prefix(4).joined(separator: "\n") + "\n"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("grown-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("WhatsApp Chat - Acme Support.txt")
        try Data(early.utf8).write(to: url)
        let first = try await ImportRun.run(WhatsAppImporter.self, [url], harness: harness)
        #expect(first.summary.stored == 4)
        try Data(full.utf8).write(to: url)
        let second = try await ImportRun.run(WhatsAppImporter.self, [url], harness: harness)
        #expect(second.summary.stored == 3)
        #expect(second.summary.duplicates == 4)
        #expect(second.stored.count == 7)
    }

    @Test("bad settings are refused with what to write instead")
    func settings() throws {
        let bad = try ConnectorHarness.settings(for: WhatsAppImporter.self, yaml: "date_order: ymd")
        #expect(throws: ConnectorError.self) { try WhatsAppImporter(name: "w", settings: bad, context: ConnectorContext()) }
        let gap = try ConnectorHarness.settings(for: WhatsAppImporter.self, yaml: "session_gap: soon")
        #expect(throws: ConnectorError.self) { try WhatsAppImporter(name: "w", settings: gap, context: ConnectorContext()) }
    }
}
