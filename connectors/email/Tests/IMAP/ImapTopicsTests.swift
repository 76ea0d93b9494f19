import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import EmailConnectors

@Suite("imap topics against a real Dovecot", .enabled(if: DovecotServer.isInstalled, "dovecot is not installed (make test installs dovecot-imapd)"))
struct ImapTopicsTests {
    /// 6 messages in INBOX, 2 in Support/Billing, 1 in Клиенты; keywords set with UID STORE.
    static func fill(_ server: DovecotServer, user: String) throws {
        #expect(try server.append(user: user, [try Fixture.url("support.mbox")]) == 6)
        try server.append(user: user, mailbox: "Support/Billing", [try Fixture.url("koi8r.eml"), try Fixture.url("cp1251-multipart.eml")])
        try server.append(user: user, mailbox: "&BBoEOwQ4BDUEPQRCBEs-", [try Fixture.url("imap-lookalike.eml")])   // Клиенты
        try server.store(user: user, uids: "1", flags: "billing $label2 $Forwarded NonJunk $MDNSent \\Flagged")
        try server.store(user: user, mailbox: "Support/Billing", uids: "1", flags: "refund $Junk")
    }

    static func source(_ server: DovecotServer, user: String, extra: String = "") throws -> ImapSource {
        try ImapSource(name: "s", settings: ConnectorHarness.settings(for: ImapSource.self, yaml: """
            url: "\(server.plainURL)"
            username: \(user)
            password: secret
            support_addresses: ["@switchboard-demo.example"]
            timeout: 10s
            mailboxes: [INBOX, Support/Billing, Клиенты]
            \(extra)
            """), context: ConnectorContext())
    }

    static func topics(_ stored: [Interaction]) -> [String: [String]] {
        Dictionary(uniqueKeysWithValues: stored.map { ($0.externalId.split(separator: "#").first.map(String.init) ?? "", $0.topics) })
    }

    @Test("keywords from Dovecot are topics (system ones skipped); INBOX gives no folder topic, Support/Billing and Клиенты do; no X-GM-LABELS asked")
    func keywordsAndFolders() async throws {
        let server = try DovecotServer.start()
        defer { server.stop() }
        try Self.fill(server, user: "kw")

        // Dovecot advertises no X-GM-EXT-1 and refuses X-GM-LABELS: the pull below works only because it is not asked.
        let probe = IMAPSession(try CurlConnection(.init(url: server.plainURL + "/", username: "kw", password: "secret",
                                                         startTLS: false, verifyTLS: true, timeout: 10), source: "probe"))
        var caps: Set<String> = []
        try probe.run("CAPABILITY") { r in if let c = ImapSource.capabilities(r.textString) { caps = c } }
        #expect(!caps.isEmpty && !caps.contains("X-GM-EXT-1"))
        try probe.run("EXAMINE INBOX")
        #expect(throws: IMAPError.self) { try probe.run("UID FETCH 1 (UID X-GM-LABELS)") }
        probe.logout()

        let harness = ConnectorHarness()
        let summary = try await harness.pull(try Self.source(server, user: "kw"), source: "s")
        #expect(summary.stored == 9)
        let stored = await harness.stored()
        let t = Self.topics(stored)
        #expect(t["<m1@shop.example>"] == ["Work", "billing"])            // $label2 → Work; $Forwarded, NonJunk, $MDNSent, \Flagged skipped
        #expect(t["<a1@switchboard-demo.example>"] == [])                   // INBOX: no folder topic
        #expect(stored.filter { $0.provenance.contains("/INBOX;") }.map(\.topics).filter { !$0.isEmpty } == [["Work", "billing"]])
        #expect(t["<koi8-1@mail.example.ru>"] == ["Support/Billing", "refund"])  // $Junk skipped
        #expect(t["<cp1251-2@switchboard-demo.example>"] == ["Support/Billing"])
        let client = try #require(stored.first { $0.subject == "strange lines" })
        #expect(client.topics == ["Клиенты"])
        #expect(client.provenance.contains("/Клиенты;UIDVALIDITY="))

        // folder_topic: false — keywords only.
        let off = ConnectorHarness()
        #expect(try await off.pull(try Self.source(server, user: "kw", extra: "folder_topic: false"), source: "s").stored == 9)
        let t2 = Self.topics(await off.stored())
        #expect(t2["<m1@shop.example>"] == ["Work", "billing"])
        #expect(t2["<koi8-1@mail.example.ru>"] == ["refund"])
        #expect(t2["<cp1251-2@switchboard-demo.example>"] == [])
        #expect(await off.stored().first { $0.subject == "strange lines" }?.topics == [])
    }

    @Test("the Maildir Dovecot wrote (keywords in file names + dovecot-keywords, Maildir++ folders) imports with the topics the pull gives")
    func dovecotMaildirMatchesPull() async throws {
        let server = try DovecotServer.start()
        defer { server.stop() }
        try Self.fill(server, user: "md")
        let pulled = ConnectorHarness()
        try await pulled.pull(try Self.source(server, user: "md"), source: "s")
        let maildir = URL(fileURLWithPath: server.dir).appendingPathComponent("mail/md/Maildir")
        let names = try FileManager.default.contentsOfDirectory(atPath: maildir.path)
        #expect(names.contains(".Support.Billing") && names.contains(".&BBoEOwQ4BDUEPQRCBEs-"))
        let imported = ConnectorHarness()
        let importer = try MaildirImporter(name: "s", settings: .init(path: nil, supportAddresses: ["@switchboard-demo.example"]),
                                           context: ConnectorContext())
        #expect(try await imported.importFiles(importer, source: "s", [maildir]).stored == 9)
        let fromPull = Self.topics(await pulled.stored()), fromFiles = Self.topics(await imported.stored())
        #expect(fromFiles == fromPull)
        #expect(fromFiles["<koi8-1@mail.example.ru>"] == ["Support/Billing", "refund"])
    }
}
