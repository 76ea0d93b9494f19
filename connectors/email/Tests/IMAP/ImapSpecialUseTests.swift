import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import EmailConnectors

/// Sent folders found by their RFC 6154 `\Sent` attribute on a real Dovecot, whatever their name.
@Suite("imap special-use mailboxes against a real Dovecot", .enabled(if: DovecotServer.isInstalled, "dovecot is not installed (make test installs dovecot-imapd)"))
struct ImapSpecialUseTests {
    /// Flags two mailboxes besides Dovecot's `Sent`: a Russian one (modified UTF-7 on the wire) and a
    /// German Outlook one, a name Switchboard does not know as a Sent folder.
    static let specialUse = ["SPECIAL_USE": "Отправленные=\\Sent;Gesendete Elemente=\\Sent"]

    static func withServer(_ body: (DovecotServer) async throws -> Void) async throws {
        let server = try DovecotServer.start(env: specialUse)
        defer { server.stop() }
        try await body(server)
    }

    /// A customer's question in INBOX and the team's reply in `sentFolder` (as on the wire).
    static func putConversation(_ server: DovecotServer, user: String, sentFolder: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sb-su-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let question = dir.appendingPathComponent("q.eml"), reply = dir.appendingPathComponent("r.eml")
        try Data("""
            From: Maria <maria@shop.example>\r
            To: support@acme.example\r
            Subject: Where is my order?\r
            Date: Tue, 24 Nov 2026 10:00:00 +0000\r
            Message-ID: <q1@shop.example>\r
            \r
            Order 4411 has not arrived.\r

            """.utf8).write(to: question)
        try Data("""
            From: Anna <anna@acme.example>\r
            To: Maria <maria@shop.example>\r
            Subject: Re: Where is my order?\r
            Date: Tue, 24 Nov 2026 11:00:00 +0000\r
            Message-ID: <r1@acme.example>\r
            In-Reply-To: <q1@shop.example>\r
            \r
            It ships tomorrow.\r

            """.utf8).write(to: reply)
        #expect(try server.append(user: user, mailbox: "INBOX", [question]) == 1)
        #expect(try server.append(user: user, mailbox: sentFolder, [reply]) == 1)
    }

    /// No support_addresses, no agents: only the folder can say the reply is the team's.
    static func source(_ server: DovecotServer, user: String, extra: String = "") throws -> ImapSource {
        try ImapSource(name: "s", settings: ConnectorHarness.settings(for: ImapSource.self, yaml: """
            url: "\(server.plainURL)"
            username: \(user)
            password: secret
            timeout: 10s
            \(extra)
            """), context: ConnectorContext())
    }

    static func expectReplyIsOutbound(_ stored: [Interaction], folder: String) {
        #expect(stored.count == 2)
        let reply = stored.first { $0.subject == "Re: Where is my order?" }
        #expect(reply?.direction == .outbound && reply?.actorRole == .agent && reply?.customerKey == "maria@shop.example")
        #expect(reply?.provenance.contains("/\(folder);UIDVALIDITY=") == true, "\(reply?.provenance ?? "")")
        let question = stored.first { $0.subject == "Where is my order?" }
        #expect(question?.direction == .inbound && question?.actorRole == .customer)
        #expect(Set(stored.map(\.conversationKey)) == ["q1@shop.example"])
    }

    @Test("`Отправленные` flagged \\Sent is found and read as outbound without configuring any mailbox")
    func localisedSentFolderByDefault() async throws {
        try await Self.withServer { server in
            try Self.putConversation(server, user: "ru", sentFolder: ModifiedUTF7.encode("Отправленные"))
            let harness = ConnectorHarness()
            let summary = try await harness.pull(try Self.source(server, user: "ru"), source: "s")
            #expect(summary.stored == 2 && summary.deadLetters == 0)
            let stored = await harness.stored()
            Self.expectReplyIsOutbound(stored, folder: "Отправленные")
            // Dovecot has no X-GM-MSGID: ids stay Message-ID + digest.
            #expect(stored.allSatisfy { $0.externalId.hasPrefix("<") && !$0.externalId.hasPrefix("gmail:") })
            let state = try #require(try await harness.store.checkpoint(source: "s")).decode(ImapState.self)
            #expect(Set(state.mailboxes.keys) == ["INBOX", "Отправленные"])
            // Nothing new: the next pull reads nothing.
            #expect(try await harness.pull(try Self.source(server, user: "ru"), source: "s").read == 0)
        }
    }

    @Test("a Sent folder with a name Switchboard does not know: outbound by its flag, named or as \\Sent")
    func unknownNameFlaggedSent() async throws {
        try await Self.withServer { server in
            try Self.putConversation(server, user: "de", sentFolder: "\"Gesendete Elemente\"")
            #expect(!EmailMapping.isSentMailbox("Gesendete Elemente"))
            for extra in ["mailboxes: [INBOX, Gesendete Elemente]", "mailboxes: [INBOX, '\\Sent']"] {
                let harness = ConnectorHarness()
                #expect(try await harness.pull(try Self.source(server, user: "de", extra: extra), source: "s").stored == 2)
                let stored = await harness.stored()
                Self.expectReplyIsOutbound(stored, folder: "Gesendete Elemente")
                // A special-use mailbox is no topic, whatever its name.
                #expect(stored.allSatisfy { $0.topics.isEmpty }, "\(stored.map(\.topics))")
            }
        }
    }

    @Test("a configured special-use flag no mailbox carries: a settings error listing the mailboxes there")
    func missingFlag() async throws {
        try await Self.withServer { server in
            try Self.putConversation(server, user: "tr", sentFolder: ModifiedUTF7.encode("Отправленные"))
            let imap = try Self.source(server, user: "tr", extra: "mailboxes: [INBOX, '\\Trash']")
            let error = await #expect(throws: ConnectorError.self) { try await ConnectorHarness().pull(imap, source: "s") }
            #expect(error?.code == .settings)
            #expect(error?.message.contains("no mailbox on \(server.plainURL) is flagged \\Trash") == true, "\(error?.message ?? "")")
            let listed = try #require(error?.message.components(separatedBy: "its mailboxes: ").last?.components(separatedBy: ")").first)
            #expect(Set(listed.components(separatedBy: ", ")) == ["INBOX", "Отправленные"], "\(error?.message ?? "")")
        }
    }

    @Test("check lists the mailboxes it will read with their flags and STATUS message counts; a missing one is named")
    func checkListsMailboxes() async throws {
        try await Self.withServer { server in
            try Self.putConversation(server, user: "ck", sentFolder: ModifiedUTF7.encode("Отправленные"))
            let imap = try Self.source(server, user: "ck")
            let session = IMAPSession(try CurlConnection(imap.connection, source: "s"))
            defer { session.logout() }
            let lines = imap.mailboxReport(session)
            #expect(lines == [.ok("reads INBOX (chosen automatically): 1 message"),
                              .ok("reads Отправленные (\\Sent; the team's outbound mail; chosen automatically): 1 message")])

            let named = try Self.source(server, user: "ck", extra: "mailboxes: [INBOX, Billing]")
            let report = named.mailboxReport(session)
            #expect(report.map(\.status) == [.ok, .problem], "\(report)")
            #expect(report.last?.text.contains("mailbox 'Billing' is not on \(server.plainURL)") == true, "\(report)")
            let listed = try #require(report.last?.text.components(separatedBy: "its mailboxes: ").last?.components(separatedBy: "; fix").first)
            #expect(Set(listed.components(separatedBy: ", ")) == ["INBOX", "Отправленные \\Sent"], "\(report)")
            #expect(report.last?.text.hasSuffix("; fix `mailboxes`") == true)

            // The whole check: the login, then the mailboxes.
            let all = await imap.checkConnectivity()
            #expect(all.map(\.status) == [.ok, .ok, .ok], "\(all)")
            #expect(all.first?.text == "logged in to \(server.plainURL)/ as ck with password", "\(all)")
        }
    }
}
