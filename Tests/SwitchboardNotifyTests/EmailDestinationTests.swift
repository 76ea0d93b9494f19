import Foundation
import SwitchboardCore
import SwitchboardNotify
import SwitchboardTesting
import Testing

/// `kind: email` against a real SMTP server on loopback (scripts/start-smtp), and its settings checks.
@Suite(.serialized) struct EmailDestinationTests {
    static let registry = DestinationRegistry([EmailDestination.self])

    static func config(_ notifications: String, env: [String: String] = [:]) throws -> SwitchboardConfig {
        try ConfigLoader(registry: ConnectorRegistry([]), environment: env)
            .load(yaml: "notifications:\n" + notifications + "\nconnectors: []\n", file: URL(fileURLWithPath: "/tmp/sb.yaml"))
    }

    static func destination(_ entry: String, env: [String: String] = [:]) throws -> any NotificationDestination {
        let config = try config(entry, env: env)
        return try registry.make(try #require(config.notifications.first), file: config.file.path)
    }

    static let message = NotificationMessage(
        subject: "Отчёт weekly: previous week", text: "plain text\nsecond line",
        html: "<!doctype html><html><body><h1>Report</h1><p>" + String(repeating: "long line ", count: 200) + "</p></body></html>",
        attachments: [.init(filename: "weekly-2026-11-30.csv", contentType: "text/csv; charset=utf-8",
                            data: Data("section,key,value\noverall,conversations,12\noverall,note,\"a, b\"\n".utf8))])

    @Test func deliversTextHTMLAndCSVWithALoginToARealServer() async throws {
        let smtp = try TestSMTP.start(user: "reports@example.com", password: "s3cret-pw")
        defer { smtp.stop() }
        let lead = try Self.destination("""
              lead: {kind: email, smtp: "\(smtp.url)", username: reports@example.com, password: "${SMTP_PASSWORD}",
                     from: "Switchboard <reports@example.com>", to: [lead@example.com, "Boss <boss@example.com>"]}
            """, env: ["SMTP_PASSWORD": "s3cret-pw"])
        try await lead.deliver(Self.message)
        let mail = try #require(try await smtp.waitForMessages(1).first)
        #expect(mail["subject"]?.string == Self.message.subject)
        #expect(mail["from"]?.string == "Switchboard <reports@example.com>")
        #expect(mail["content_type"]?.string == "multipart/mixed")
        #expect(mail["envelope"]?["mail_from"]?.string == "reports@example.com")
        #expect(mail["envelope"]?["rcpt_tos"]?.array?.compactMap(\.string) == ["lead@example.com", "boss@example.com"])
        #expect(mail["envelope"]?["login"]?.string == "reports@example.com")
        let parts = try #require(mail["parts"]?.array)
        #expect(parts.map { $0["content_type"]?.string } == ["text/plain", "text/html", "text/csv"])
        #expect(parts[0]["text"]?.string == Self.message.text)
        #expect(parts[1]["text"]?.string == Self.message.html)
        #expect(parts[2]["filename"]?.string == "weekly-2026-11-30.csv" && parts[2]["disposition"]?.string == "attachment")
        #expect(parts[2]["csv_rows"]?.array?.map { $0.array?.compactMap(\.string) ?? [] }
                == [["section", "key", "value"], ["overall", "conversations", "12"], ["overall", "note", "a, b"]])
    }

    @Test func aRefusedMessageSaysWhyInTheServersWordsAndLeavesNoMail() async throws {
        let smtp = try TestSMTP.start(user: "u", password: "pw-secret")
        defer { smtp.stop() }
        let lead = try Self.destination("""
              lead: {kind: email, smtp: "\(smtp.url)", username: u, password: pw-secret, from: a@example.com, to: b@example.com}
            """)
        try smtp.refuse("rcpt")
        let rcpt = await #expect(throws: NotificationError.self) { try await lead.deliver(Self.message) }
        #expect(rcpt?.code == .refused && rcpt?.message.contains("550 5.1.1") == true, "\(String(describing: rcpt))")
        try smtp.refuse("data")
        let data = await #expect(throws: NotificationError.self) { try await lead.deliver(Self.message) }
        #expect(data?.code == .refused && data?.message.contains("550 5.7.1 message rejected by policy") == true,
                "\(String(describing: data))")
        #expect(smtp.refusals == ["rcpt b@example.com", "data"])
        #expect(smtp.messageFiles.isEmpty)
        for e in [rcpt, data] { #expect(e?.message.contains("pw-secret") == false) }

        try smtp.refuse(nil)
        let wrong = try Self.destination("""
              lead: {kind: email, smtp: "\(smtp.url)", username: u, password: not-it, from: a@example.com, to: b@example.com}
            """)
        let login = await #expect(throws: NotificationError.self) { try await wrong.deliver(Self.message) }
        #expect(login?.code == .authentication && login?.message.contains("not-it") == false)
        try await lead.deliver(Self.message)
        #expect(try await smtp.waitForMessages(1).count == 1)
    }

    @Test(arguments: ["implicit", "starttls"])
    func tlsIsVerifiedAgainstTheConfiguredCA(_ mode: String) async throws {
        let smtp = try TestSMTP.start(user: "u", password: "pw-secret", tls: mode)
        defer { smtp.stop() }
        let starttls = mode == "starttls" ? ", starttls: true" : ""
        let trusted = try Self.destination("""
              lead: {kind: email, smtp: "\(smtp.url)", username: u, password: pw-secret, from: a@example.com, to: b@example.com,
                     ca_file: "\(smtp.caFile)"\(starttls)}
            """)
        try await trusted.deliver(Self.message)
        let mail = try #require(try await smtp.waitForMessages(1).first)
        #expect(mail["envelope"]?["login"]?.string == "u" && mail["subject"]?.string == Self.message.subject)
        // Without the CA the self-signed certificate is not trusted: nothing is sent.
        let untrusted = try Self.destination("""
              lead: {kind: email, smtp: "\(smtp.url)", username: u, password: pw-secret, from: a@example.com, to: b@example.com\(starttls)}
            """)
        let error = await #expect(throws: NotificationError.self) { try await untrusted.deliver(Self.message) }
        #expect(error?.code == .tls, "\(String(describing: error))")
        #expect(smtp.messageFiles.count == 1)
    }

    @Test func unusableSettingsAreConfigProblemsWithKeyPaths() throws {
        let config = try Self.config("""
              plain: {kind: email, smtp: "smtp://smtp.example.com:25", from: a@example.com, to: [b@example.com]}
              typo: {kind: email, smtp: "smtps://smtp.example.com", fromm: a@example.com, to: [b@example.com]}
              nouser: {kind: email, smtp: "smtps://smtp.example.com", password: x, from: a@example.com, to: b@example.com}
              badto: {kind: email, smtp: "smtps://smtp.example.com", from: a@example.com, to: [not-an-address]}
              pager: {kind: pager, number: "1"}
              fine: {kind: email, smtp: "smtp://smtp.example.com:587", starttls: true, from: a@example.com, to: [b@example.com]}
              local: {kind: email, smtp: "smtp://127.0.0.1:2525", from: a@example.com, to: [b@example.com]}
            """)
        let problems = Self.registry.problems(config).map(\.description)
        #expect(problems.count == 6, "\(problems)")
        #expect(problems.contains { $0.contains("notifications.plain.smtp:") && $0.contains("only to 127.0.0.1") && $0.contains(":2:") })
        #expect(problems.contains { $0.contains("notifications.typo.fromm: unknown setting") && $0.contains("did you mean 'from'") })
        #expect(problems.contains { $0.contains("notifications.typo.from: required setting") })
        #expect(problems.contains { $0.contains("notifications.nouser.username:") })
        #expect(problems.contains { $0.contains("notifications.badto.to:") && $0.contains("not-an-address") })
        #expect(problems.contains { $0.contains("notifications.pager.kind: unknown kind 'pager'") && $0.contains("email") })
    }
}
