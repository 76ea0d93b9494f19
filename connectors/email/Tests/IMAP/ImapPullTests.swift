import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import EmailConnectors

@Suite("imap pull against a real Dovecot", .enabled(if: DovecotServer.isInstalled, "dovecot is not installed (make test installs dovecot-imapd)"))
struct ImapPullTests {
    static let agents = AgentDirectory([Agent(id: "anna", emails: ["anna@switchboard-demo.example"])])

    static func source(_ url: String, user: String, name: String = "support-mailbox", extra: String = "") throws -> ImapSource {
        let yaml = """
        url: "\(url)"
        username: \(user)
        password: secret
        support_addresses: ["@switchboard-demo.example"]
        timeout: 10s
        \(extra)
        """
        return try ImapSource(name: name, settings: ConnectorHarness.settings(for: ImapSource.self, yaml: yaml),
                              context: ConnectorContext(agents: agents))
    }

    static func withServer(_ body: (DovecotServer) async throws -> Void) async throws {
        let server = try DovecotServer.start()
        defer { server.stop() }
        try await body(server)
    }

    @Test("full pull, then incremental pull of new mail, then a no-change pull that stores and reads nothing")
    func fullIncrementalNoChange() async throws {
        try await Self.withServer { server in
            #expect(try server.append(user: "full", [try Fixture.url("support.mbox")]) == 6)
            let imap = try Self.source(server.plainURL, user: "full", extra: "batch: 4")
            let harness = ConnectorHarness(context: ConnectorContext(agents: Self.agents))
            let first = try await harness.pull(imap, source: "support-mailbox")
            #expect(first.stored == 6)
            let stored = await harness.stored()
            #expect(ConnectorCompliance.problems(in: stored, source: "support-mailbox").isEmpty)
            #expect(stored.allSatisfy { $0.provenance.hasPrefix("imap://127.0.0.1:\(server.port)/INBOX;UIDVALIDITY=") })
            #expect(stored.filter { $0.actorRole == .agent }.map(\.actorId) == ["anna"])

            try server.append(user: "full", [try Fixture.url("koi8r.eml"), try Fixture.url("cp1251-multipart.eml")])
            let second = try await harness.pull(imap, source: "support-mailbox")
            #expect(second.read == 2)
            #expect(second.stored == 2)
            let subjects = await harness.stored().compactMap(\.subject)
            #expect(subjects.contains("Не приходит счёт за ноябрь"))
            #expect(subjects.contains("Ответ: Возврат средств по заказу 4411"))

            let third = try await harness.pull(imap, source: "support-mailbox")
            #expect(third.read == 0)
            #expect(third.stored == 0)
            let state = try #require(try await harness.store.checkpoint(source: "support-mailbox")).decode(ImapState.self)
            #expect(state.mailboxes["INBOX"]?.lastUid == 8)
        }
    }

    @Test("INBOX + Sent: customer mail inbound, the team's Sent mail outbound, one thread")
    func inboxAndSent() async throws {
        try await Self.withServer { server in
            let md = try Fixture.url("maildir")
            let inbox = try ["cur", "new"].flatMap { sub in
                try FileManager.default.contentsOfDirectory(atPath: md.appendingPathComponent(sub).path).map { md.appendingPathComponent("\(sub)/\($0)") }
            }.sorted { $0.lastPathComponent < $1.lastPathComponent }
            let sentDir = md.appendingPathComponent(".Sent")
            let sent = try ["cur", "new"].flatMap { sub in
                try FileManager.default.contentsOfDirectory(atPath: sentDir.appendingPathComponent(sub).path).map { sentDir.appendingPathComponent("\(sub)/\($0)") }
            }.sorted { $0.lastPathComponent < $1.lastPathComponent }
            try server.append(user: "sent", mailbox: "INBOX", inbox)
            try server.append(user: "sent", mailbox: "Sent", sent)
            // No support_addresses: the Sent folder alone says who the team is.
            let imap = try ImapSource(name: "s", settings: ConnectorHarness.settings(for: ImapSource.self, yaml: """
                url: "\(server.plainURL)"
                username: sent
                password: secret
                mailboxes: [INBOX, Sent]
                """), context: ConnectorContext())
            let harness = ConnectorHarness()
            let summary = try await harness.pull(imap, source: "s")
            #expect(summary.stored == 6)
            let stored = await harness.stored()
            let fromSent = stored.filter { $0.provenance.contains("/Sent;") }
            #expect(fromSent.count == 2)
            #expect(fromSent.allSatisfy { $0.direction == .outbound && $0.customerKey == "maria@shop.example" })
            #expect(fromSent.map(\.actorRole).sorted { $0.rawValue < $1.rawValue } == [.agent, .bot])
            let inboxMail = stored.filter { $0.provenance.contains("/INBOX;") }
            #expect(inboxMail.allSatisfy { $0.direction == .inbound && $0.actorRole == .customer })
            let maria = stored.filter { $0.customerKey == "maria@shop.example" }
            #expect(maria.count == 4)
            #expect(Set(maria.map(\.conversationKey)) == ["m1@shop.example"])
        }
    }

    @Test("UIDVALIDITY change (mailbox deleted and recreated with the same mail) stores no duplicates")
    func uidValidityChange() async throws {
        try await Self.withServer { server in
            try server.append(user: "uv", mailbox: "Support", [try Fixture.url("support.mbox")])
            let imap = try Self.source(server.plainURL, user: "uv", name: "s", extra: "mailboxes: [Support]")
            let harness = ConnectorHarness()
            #expect(try await harness.pull(imap, source: "s").stored == 6)
            let before = try #require(try await harness.store.checkpoint(source: "s")).decode(ImapState.self)
            try server.recreate(user: "uv", mailbox: "Support")
            try server.append(user: "uv", mailbox: "Support", [try Fixture.url("support.mbox"), try Fixture.url("koi8r.eml")])
            let again = try await harness.pull(imap, source: "s")
            #expect(again.read == 7)
            #expect(again.stored == 1)
            #expect(again.duplicates == 6)
            #expect(await harness.stored().count == 7)
            let after = try #require(try await harness.store.checkpoint(source: "s")).decode(ImapState.self)
            #expect(after.mailboxes["Support"]?.uidValidity != before.mailboxes["Support"]?.uidValidity)
        }
    }

    @Test("bodies containing `B2 OK done` and `* 5 FETCH` lines are read intact")
    func lookalikeLines() async throws {
        try await Self.withServer { server in
            try server.append(user: "look", [try Fixture.url("imap-lookalike.eml"), try Fixture.url("koi8r.eml")])
            let harness = ConnectorHarness()
            let summary = try await harness.pull(try Self.source(server.plainURL, user: "look", name: "s"), source: "s")
            #expect(summary.stored == 2)
            let m = try #require(await harness.stored().first { $0.subject == "strange lines" })
            #expect(m.text == "Hello,\nB2 OK done\n* 5 FETCH (UID 9 BODY[] {12}\n)\nA0001 OK FETCH completed\n{5}\nbye")
        }
    }

    @Test("mbox backfill, then an IMAP pull of the same mail, stores each message once")
    func backfillThenPull() async throws {
        try await Self.withServer { server in
            let imap = try Self.source(server.plainURL, user: "bf", name: "s")
            let harness = ConnectorHarness()
            #expect(try await harness.importFiles(imap, source: "s", [try Fixture.url("support.mbox")]).stored == 6)
            try server.append(user: "bf", [try Fixture.url("support.mbox")])
            let pulled = try await harness.pull(imap, source: "s")
            #expect(pulled.read == 6)
            #expect(pulled.stored == 0)
            #expect(pulled.duplicates == 6)
        }
    }
}
