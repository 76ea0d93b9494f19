import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import ChatExportConnectors

/// Every chat export kind keeps, with a refused record's letter, the export it came from: the replay reads
/// that export again (a record alone lacks its conversation).
@Suite("chat export dead letters keep their export")
struct ExportReplayTests {
    static func check<C: FileImporter>(_ type: C.Type, _ name: String, _ text: String,
                                       sourceLocation: SourceLocation = #_sourceLocation) async throws
    where C.Settings == ChatExportSettings {
        let url = try Samples.temporaryFile(name, Data(text.utf8))
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let run = try await ImportRun.run(type, [url])
        #expect(!run.deadLetters.isEmpty, "\(C.kind): no record was refused", sourceLocation: sourceLocation)
        for letter in run.deadLetters {
            #expect(letter.replay == ReplayContext(kind: C.kind, values: [ReplayContext.exportKey: url.standardizedFileURL.path]),
                    "\(C.kind) \(letter.provenance)", sourceLocation: sourceLocation)
        }
    }

    @Test func everyKindTagsItsLetters() async throws {
        try await Self.check(WhatsAppImporter.self, "WhatsApp Chat with Bob.txt", """
            a line before any message
            02/03/2026, 10:00 - Bob: hello

            """)
        try await Self.check(TelegramImporter.self, "result.json",
                             #"{"name":"Bob","type":"personal_chat","id":1,"messages":[{"id":1,"type":"message","text":"hi"}]}"#)
        try await Self.check(DiscordImporter.self, "help.json",
                             #"{"channel":{"id":"1","type":"GuildTextChat","name":"help"},"messages":[{"id":"1","content":"hi"}]}"#)
        try await Self.check(MessengerImporter.self, "message_1.json",
                             #"{"participants":[{"name":"Bob"},{"name":"Shop"}],"messages":[{"sender_name":"Bob","content":"hi"}]}"#)
    }
}
