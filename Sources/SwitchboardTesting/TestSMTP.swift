import Foundation
import SwitchboardCore

/// A real SMTP server on loopback for one test (`scripts/start-smtp`, Debian python3-aiosmtpd), which writes
/// every message it accepts to a folder; ``stop()`` ends it and removes the folder.
///
/// ```swift
/// let smtp = try TestSMTP.start()
/// defer { smtp.stop() }
/// // … send to smtp://127.0.0.1:\(smtp.port) …
/// let mails = try await smtp.waitForMessages(1)
/// ```
public struct TestSMTP: Sendable {
    public let dir: String
    public let port: Int
    /// `implicit` (TLS from the first byte) or `starttls` (required), nil for plain SMTP.
    public let tls: String?

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func script(_ name: String) -> String { repoRoot.appendingPathComponent("scripts/\(name)").path }

    /// True when Debian's python3-aiosmtpd is installed (`make test` installs it).
    public static var isInstalled: Bool { TestPostgres.run("/usr/bin/python3", ["-c", "import aiosmtpd"]).0 == 0 }

    public struct Failure: Error, CustomStringConvertible { public var description: String }

    /// Starts a server; with `user` it requires that login (AUTH PLAIN/LOGIN); with `tls` (`implicit` or
    /// `starttls`) it serves a self-signed certificate for 127.0.0.1 (``caFile``).
    public static func start(user: String? = nil, password: String? = nil, tls: String? = nil) throws -> TestSMTP {
        var env: [String: String] = [:]
        if let user { env["SMTP_USER"] = user; env["SMTP_PASSWORD"] = password ?? "" }
        if let tls { env["SMTP_TLS"] = tls }
        let (status, out) = TestPostgres.run(script("start-smtp"), [], environment: env)
        var values: [String: String] = [:]
        for line in out.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { values[String(kv[0])] = String(kv[1]) }
        }
        guard status == 0, let dir = values["DIR"], let port = values["PORT"].flatMap(Int.init) else {
            throw Failure(description: "scripts/start-smtp failed: \(out)")
        }
        return TestSMTP(dir: dir, port: port, tls: tls)
    }

    /// `smtps://127.0.0.1:PORT` for implicit TLS, else `smtp://127.0.0.1:PORT`.
    public var url: String { "\(tls == "implicit" ? "smtps" : "smtp")://127.0.0.1:\(port)" }

    /// The server's self-signed certificate (with `tls`).
    public var caFile: String { dir + "/cert.pem" }

    public func stop() { _ = TestPostgres.run(Self.script("stop-smtp"), [dir]) }

    /// From now on answer 550 to every `RCPT TO` (`"rcpt"`) or after the data (`"data"`); nil accepts again.
    public func refuse(_ what: String?) throws {
        let file = URL(fileURLWithPath: dir).appendingPathComponent("refuse")
        if let what { try what.write(to: file, atomically: true, encoding: .utf8) }
        else { try? FileManager.default.removeItem(at: file) }
    }

    /// One line per refusal so far (`rcpt ADDRESS`, `data`).
    public var refusals: [String] {
        let text = (try? String(contentsOfFile: dir + "/refused.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// The accepted messages' files, in the order received.
    public var messageFiles: [URL] {
        let folder = URL(fileURLWithPath: dir).appendingPathComponent("messages")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".eml") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// A received message parsed by Python's email package (`scripts/mail-parts`), with its envelope
    /// under `envelope` (`mail_from`, `rcpt_tos`, `login`).
    public func parsed(_ file: URL) throws -> JSONValue {
        let (status, out) = TestPostgres.run(Self.script("mail-parts"), [file.path])
        guard status == 0 else { throw Failure(description: "mail-parts \(file.path): \(out)") }
        let envelope = try String(contentsOf: file.deletingPathExtension().appendingPathExtension("json"), encoding: .utf8)
        guard case .object(let fields) = try JSONParser.parse(out) else { throw Failure(description: "mail-parts: \(out)") }
        return .object(fields + [("envelope", try JSONParser.parse(envelope))])
    }

    /// Waits (at most `seconds`) until at least `count` messages arrived; returns them parsed.
    public func waitForMessages(_ count: Int, seconds: Double = 30) async throws -> [JSONValue] {
        let deadline = Date().addingTimeInterval(seconds)
        while messageFiles.count < count && Date() < deadline { try await Task.sleep(for: .milliseconds(25)) }
        let files = messageFiles
        guard files.count >= count else { throw Failure(description: "expected \(count) message(s), got \(files.count)") }
        return try files.map(parsed)
    }
}
