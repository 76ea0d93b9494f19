import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import EmailConnectors

@Suite("imap failures against a real Dovecot", .enabled(if: DovecotServer.isInstalled, "dovecot is not installed (make test installs dovecot-imapd)"))
struct ImapFailureTests {
    @Test("wrong password: an authentication error naming the source")
    func wrongPassword() async throws {
        let server = try DovecotServer.start()
        defer { server.stop() }
        let imap = try ImapSource(name: "support-mailbox", settings: ConnectorHarness.settings(for: ImapSource.self, yaml: """
            url: "\(server.plainURL)"
            username: someone
            password: not-the-password
            """), context: ConnectorContext())
        let error = await #expect(throws: ConnectorError.self) { try await ConnectorHarness().pull(imap, source: "support-mailbox") }
        #expect(error?.code == .authentication)
        #expect(error?.message.hasPrefix("support-mailbox: ") == true)
        #expect(error?.message.contains("rejected the login") == true)
    }

    @Test("TLS: verification on rejects the self-signed certificate; ca_file makes it trusted")
    func tlsVerification() async throws {
        let server = try DovecotServer.start()
        defer { server.stop() }
        try server.append(user: "tls", [try Fixture.url("koi8r.eml")])
        func source(_ extra: String) throws -> ImapSource {
            try ImapSource(name: "s", settings: ConnectorHarness.settings(for: ImapSource.self, yaml: """
                url: "\(server.tlsURL)"
                username: tls
                password: secret
                \(extra)
                """), context: ConnectorContext())
        }
        let error = await #expect(throws: ConnectorError.self) { try await ConnectorHarness().pull(try source(""), source: "s") }
        #expect(error?.code == .verification)
        #expect(error?.message.contains("ca_file") == true)
        let harness = ConnectorHarness()
        let summary = try await harness.pull(try source("ca_file: \"\(server.caFile)\""), source: "s")
        #expect(summary.stored == 1)
        // STARTTLS on the plain port with the same trust.
        let starttls = try ImapSource(name: "s", settings: ConnectorHarness.settings(for: ImapSource.self, yaml: """
            url: "imap://localhost:\(server.port)"
            username: tls
            password: secret
            starttls: true
            ca_file: "\(server.caFile)"
            """), context: ConnectorContext())
        #expect(try await ConnectorHarness().pull(starttls, source: "s").stored == 1)
    }

    @Test("Dovecot stopped mid-pull: a clear network error, then the next pull resumes and completes")
    func serverStopsMidPull() async throws {
        let server = try DovecotServer.start()
        var restarted: DovecotServer? = nil
        defer { (restarted ?? server).stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sb-mid-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var files: [URL] = []
        for n in 1...40 {
            let f = folder.appendingPathComponent("m\(n).eml")
            try Data("""
                From: customer\(n)@client.example\r
                To: support@switchboard-demo.example\r
                Subject: Question \(n)\r
                Date: Tue, 24 Nov 2026 10:\(String(format: "%02d", n)):00 +0000\r
                Message-ID: <q\(n)@client.example>\r
                \r
                \(String(repeating: "Question number \(n) needs an answer.\r\n", count: 200))
                """.utf8).write(to: f)
            files.append(f)
        }
        #expect(try server.append(user: "mid", files) == 40)
        let imap = try ImapSource(name: "s", settings: ConnectorHarness.settings(for: ImapSource.self, yaml: """
            url: "\(server.plainURL)"
            username: mid
            password: secret
            batch: 5
            timeout: 5s
            """), context: ConnectorContext())
        let harness = ConnectorHarness()
        let inner = BatchingSink(source: "s", store: harness.store, batchSize: 5)
        let stopper = StopAfterCheckpoints(inner: inner, count: 2) { server.stop(keep: true) }
        let error = await #expect(throws: ConnectorError.self) { try await imap.pull(from: nil, into: stopper) }
        #expect(error?.code == .network)
        #expect(error?.message.contains("s: connection to imap://127.0.0.1:\(server.port) lost") == true)
        // The process died here: no finish(). Whatever the sink committed stays.
        let committed = await harness.stored().count
        #expect(committed > 0 && committed < 40)

        // The batch carrying the checkpoint may still be in flight on a busy machine: wait for its commit.
        var checkpoint = try await harness.store.checkpoint(source: "s")
        for _ in 0..<2000 where checkpoint == nil {
            try await Task.sleep(for: .milliseconds(5))
            checkpoint = try await harness.store.checkpoint(source: "s")
        }
        let saved = try #require(checkpoint).decode(ImapState.self)
        restarted = try server.restart()
        let resumed = try await harness.pull(imap, source: "s")
        let after = try #require(try await harness.store.checkpoint(source: "s")).decode(ImapState.self)
        #expect(saved.mailboxes["INBOX"]?.lastUid ?? 0 >= 5)
        #expect(resumed.read == 40 - Int(saved.mailboxes["INBOX"]?.lastUid ?? 0), "saved \(saved), after \(after)")
        #expect(await harness.stored().count == 40)
        #expect(Set(await harness.stored().map(\.id)).count == 40)
    }
}

/// Forwards to a real sink and runs `action` once after `count` checkpoints.
actor StopAfterCheckpoints: IngestSink {
    nonisolated let source: String
    let inner: BatchingSink
    var remaining: Int
    let action: @Sendable () -> Void

    init(inner: BatchingSink, count: Int, action: @escaping @Sendable () -> Void) {
        self.inner = inner
        source = inner.source
        remaining = count
        self.action = action
    }

    func accept(_ interaction: Interaction) async throws { try await inner.accept(interaction) }
    func accept(contentsOf interactions: [Interaction]) async throws { try await inner.accept(contentsOf: interactions) }
    func reject(reason: String, provenance: String, raw: Data) async throws {
        try await inner.reject(reason: reason, provenance: provenance, raw: raw)
    }
    func checkpoint(_ checkpoint: Checkpoint) async throws {
        try await inner.checkpoint(checkpoint)
        remaining -= 1
        if remaining == 0 { action() }
    }
}
