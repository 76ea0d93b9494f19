import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTesting
import Testing

/// `dead-letters replay` of the kinds whose letters need what was known outside the record: an e-mail (its
/// envelope and folder) and a chat export record (read again with its whole export).
extension DeadLetterReplayCLITests {
    @Test(arguments: Store.allCases) func anEmailLetterReplaysWithWhatWasKnownOutsideTheMessage(_ store: Store) async throws {
        let storeLine = try store.line()
        let ws = try Workspace(config: Self.config(storeLine, """
              - name: mailbox
                kind: mbox
                path: ./mail.mbox
                support_addresses: [support@example.com]
            """))
        try ws.write("mail.mbox", """
            From customer@example.org Mon Mar  2 10:00:00 2026
            From: Customer <customer@example.org>
            To: support@example.com
            Subject: Where is my order
            Message-ID: <m1@example.org>
            Date: Mon, 02 Mar 2026 10:00:00 +0300

            Hello

            From nobody Mon Mar  2 11:00:00 2026
            To: support@example.com
            Subject: no sender
            Message-ID: <m2@example.org>

            Who sent this?

            """)
        let imported = try ws.run(["import", "mailbox", "--quiet"])
        Self.expectOK(imported, "import")
        #expect(imported.stdout.contains("read 2, stored 1, duplicates 0, dead letters 1"), "\(imported.stdout)")

        // A letter an earlier build refused (the connector was fixed since): written as that build kept it.
        let raw = "From: Other <other@example.org>\nTo: support@example.com\nSubject: refund\nMessage-ID: <m3@example.org>\n\nRefund please\n"
        let letter = DeadLetter(source: "mailbox", at: Date(timeIntervalSince1970: 1_772_440_000),
                                reason: "file:old.mbox#L1: no readable Date header and no delivery date",
                                provenance: "file:old.mbox#L1", raw: Data(raw.utf8),
                                replay: ReplayContext(kind: "mbox", values: ["fallback_date": "2026-03-02T12:00:00Z",
                                                                            "topics": "billing"]))
        let opened = try await Self.open(store, ws)
        _ = try await opened.write(IngestBatch(source: "mailbox", deadLetters: [letter]))
        (opened as? PostgresStore)?.close()

        let replay = try ws.run(["dead-letters", "replay", "--source", "mailbox", "--quiet"])
        Self.expectOK(replay, "replay")
        #expect(replay.stdout.contains("mailbox: read 2, stored 1, duplicates 0, dead letters 1"), "\(replay.stdout)")
        #expect(try Self.marks(ws, "mailbox") == ["file:mail.mbox#L10": "failed", "file:old.mbox#L1": "stored"])
        let mail = try #require(try await Self.interactions(store, ws, source: "mailbox").first { $0.subject == "refund" },
                                "the replayed message is stored")
        #expect(mail.occurredAt == Timestamp.parseISO8601("2026-03-02T12:00:00Z"), "the fallback date kept with the letter")
        #expect(mail.topics.contains("billing"), "the folder topic kept with the letter")
        #expect(mail.actorRole == .customer && mail.customerKey == "other@example.org")
        let listed = try ws.run(["dead-letters", "list", "--source", "mailbox"])
        #expect(listed.stdout.contains("no readable From address"), "\(listed.stdout)")
        let again = try ws.run(["dead-letters", "replay", "--source", "mailbox", "--quiet"])
        #expect(again.stdout.contains("mailbox: read 1, stored 0, duplicates 0, dead letters 1"),
                "only the letter that still fails is tried again: \(again.stdout)")
    }

    /// A Slack export whose day file holds a message over `max_record_bytes`: its letter keeps the export, and
    /// the replay reads the export again with the raised limit — the message joins its thread's conversation.
    @Test(arguments: Store.allCases) func aChatExportRecordIsStoredByReadingItsExportAgain(_ store: Store) async throws {
        let storeLine = try store.line()
        func source(_ limit: String) -> String {
            """
              - name: slack
                kind: slack-export
                path: ./export
                agents: [anna]
                max_record_bytes: \(limit)
            """
        }
        let ws = try Workspace(config: Self.config(storeLine, source("2KiB")))
        try FileManager.default.createDirectory(at: ws.url("export/support"), withIntermediateDirectories: true)
        try ws.write("export/channels.json", #"[{"id":"C0SUPPORT","name":"support","members":["U01","U02"]}]"#)
        try ws.write("export/users.json", #"[{"id":"U01","name":"bob","real_name":"Bob"},{"id":"U02","name":"anna","real_name":"anna"}]"#)
        let long = String(repeating: "the export fails again and again ", count: 100)
        try ws.write("export/support/2026-03-02.json", """
            [{"type":"message","user":"U01","text":"Login fails","ts":"1772434800.000100"},
             {"type":"message","user":"U01","text":"\(long)","ts":"1772434860.000200"},
             {"type":"message","user":"U02","text":"Fixed, try again","ts":"1772435400.000300"}]
            """)
        let imported = try ws.run(["import", "slack", "--quiet"])
        Self.expectOK(imported, "import")
        #expect(imported.stdout.contains("read 3, stored 2, duplicates 0, dead letters 1"), "\(imported.stdout)")

        try ws.write("switchboard.yaml", Self.config(storeLine, source("1MiB")))
        let dry = try ws.run(["dead-letters", "replay", "--source", "slack", "--dry-run"])
        Self.expectOK(dry, "dry run")
        #expect(dry.stdout.contains("decodes when its export is read again"), "\(dry.stdout)")
        let replay = try ws.run(["dead-letters", "replay", "--source", "slack", "--quiet"])
        Self.expectOK(replay, "replay")
        #expect(replay.stdout.contains("slack: read 3, stored 1, duplicates 2, dead letters 0"), "\(replay.stdout)")
        #expect(try Self.marks(ws, "slack").values.sorted() == ["stored"])
        let again = try ws.run(["dead-letters", "replay", "--source", "slack", "--quiet"])
        #expect(again.stdout.contains("slack: read 0, stored 0, duplicates 0, dead letters 0"), "\(again.stdout)")
        let stored = try await Self.interactions(store, ws, source: "slack")
        #expect(stored.count == 3)
        #expect(Set(stored.map(\.conversationKey)).count == 1, "the replayed message is in its conversation")
    }
}
