import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import EmailConnectors

/// A message refused by an IMAP pull keeps, with its dead letter, what the server said outside the message
/// (INTERNALDATE, the folder and its keywords), and the replay maps the message with it.
@Suite("imap dead-letter replay against a real Dovecot",
       .enabled(if: DovecotServer.isInstalled, "dovecot is not installed (make test installs dovecot-imapd)"))
struct ImapDeadLetterReplayTests {
    @Test("a refused message keeps its INTERNALDATE and topics; replayed, it still fails with its reason, and once readable it maps with them")
    func refusedMessageReplays() async throws {
        let server = try DovecotServer.start()
        defer { server.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sb-imap-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // No From header and no Date header: refused ("no readable From address").
        let body = "To: support@switchboard-demo.example\r\nSubject: refund please\r\nMessage-ID: <nofrom@shop.example>\r\n\r\nWhere is my money?\r\n"
        let file = dir.appendingPathComponent("nofrom.eml")
        try body.write(to: file, atomically: true, encoding: .utf8)
        #expect(try server.append(user: "rp", mailbox: "Support/Billing", [file]) == 1)
        try server.store(user: "rp", mailbox: "Support/Billing", uids: "1", flags: "refund")

        let source = try ImapSource(name: "s", settings: ConnectorHarness.settings(for: ImapSource.self, yaml: """
            url: "\(server.plainURL)"
            username: rp
            password: secret
            support_addresses: ["@switchboard-demo.example"]
            timeout: 10s
            mailboxes: [Support/Billing]
            """), context: ConnectorContext())
        let harness = ConnectorHarness()
        let summary = try await harness.pull(source, source: "s")
        #expect(summary.deadLetters == 1 && summary.stored == 0)
        let letter = try #require(await harness.deadLetters().first)
        #expect(letter.provenance.hasPrefix("imap://") && letter.provenance.contains("/Support/Billing;UIDVALIDITY="))
        #expect(letter.reason.contains("no readable From address"))
        let context = try #require(letter.replay)
        #expect(context.kind == "imap")
        let internalDate = try #require(context.values["fallback_date"].flatMap(Timestamp.parseISO8601), "INTERNALDATE kept")
        #expect(context.values["topics"]?.split(separator: "\n").sorted() == ["Support/Billing", "refund"])

        // Replayed as it is, it still fails with its reason.
        #expect(throws: ConnectorError.self) { try source.replay(letter) }
        do { _ = try source.replay(letter) } catch { #expect("\(error)".contains("no readable From address")) }

        // Once readable (as a fixed connector would read it), it maps with what the letter kept.
        var readable = letter
        readable.raw = Data(("From: Customer <c@shop.example>\r\n" + body).utf8)
        let decoded = try source.replay(readable)
        let mail = try #require(decoded.interactions.first)
        #expect(decoded.failures.isEmpty && decoded.interactions.count == 1)
        #expect(mail.occurredAt == internalDate, "no Date header: the INTERNALDATE kept with the letter")
        #expect(mail.topics.sorted() == ["Support/Billing", "refund"])
        #expect(mail.provenance == letter.provenance && mail.customerKey == "c@shop.example")
    }
}
