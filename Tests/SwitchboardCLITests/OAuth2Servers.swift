import Foundation
import Testing
import SwitchboardTesting

/// scripts/oauth2-token-service and a Dovecot whose passdb oauth2 asks it, for CLI tests, on given
/// ports; ``stop()`` ends both (call it in a `defer`).
final class OAuth2Servers: @unchecked Sendable {   // used by one test at a time
    let tokenPort: Int
    let imapPort: Int
    let service: Process
    private(set) var dovecotDir: String?
    var tokenURL: String { "http://127.0.0.1:\(tokenPort)" }
    var imapURL: String { "imap://127.0.0.1:\(imapPort)" }

    static var dovecotInstalled: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/dovecot") }

    /// - Parameter dovecot: false for flows that need only the authorization server.
    /// Ports are the kernel's choice (``LoopbackPort``).
    init(lifetime: Double, dovecot: Bool = true) throws {
        let port = try LoopbackPort.free()
        tokenPort = port
        imapPort = try LoopbackPort.free()
        service = Process()
        service.executableURL = CLI.packageRoot.appendingPathComponent("scripts/oauth2-token-service")
        service.arguments = ["\(port)", "--lifetime", "\(lifetime)"]
        service.standardOutput = FileHandle.nullDevice
        service.standardError = FileHandle.nullDevice
        try service.run()
        let deadline = Date().addingTimeInterval(30)   // generous: a loaded machine starts Python slowly
        // Ours answers (not one another test run left on the port): it names its pid.
        while (try? stats())?["pid"] as? Int != Int(service.processIdentifier) {
            guard Date() < deadline, service.isRunning else {
                stop()
                throw Failure(description: "oauth2-token-service did not start on \(port) (in use by another test run?)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard dovecot else { return }
        let out: String
        do {
            out = try Self.script("start-dovecot", [], env: ["PORT": "\(imapPort)", "TLS_PORT": "\(try LoopbackPort.free())",
                                                             "OAUTH2_INTROSPECTION_URL": "\(tokenURL)/introspect"])
        } catch {
            stop()
            throw error
        }
        dovecotDir = out.split(separator: "\n").first { $0.hasPrefix("DIR=") }.map { String($0.dropFirst(4)) }
    }

    func stop() {
        if let dovecotDir { _ = try? Self.script("stop-dovecot", [dovecotDir]) }
        dovecotDir = nil
        guard service.isRunning else { return }
        service.terminate()   // SIGTERM, and SIGKILL when it is still there after 5 s
        let deadline = Date().addingTimeInterval(5)
        while service.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if service.isRunning { kill(service.processIdentifier, SIGKILL) }
        service.waitUntilExit()
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// A test control of the token service (`/admin/…`), answered as JSON.
    @discardableResult
    func admin(_ what: String, _ body: [String: Any] = [:], get: Bool = false) throws -> [String: Any] {
        var args = ["-sf", "--max-time", "5", "\(tokenURL)/admin/\(what)"]
        if !get {
            args += ["-H", "Content-Type: application/json", "--data-binary",
                     String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)]
        }
        let out = try ServeTests.curl(args)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(out.utf8))) as? [String: Any] else {
            throw Failure(description: "token service /admin/\(what) answered: \(out)")
        }
        return object
    }

    func stats() throws -> [String: Any] { try admin("stats", get: true) }
    func count(_ key: String) throws -> Int { (try stats()[key] as? Int) ?? -1 }
    func mint(user: String) throws -> String { try admin("mint", ["user": user])["refresh_token"] as? String ?? "" }

    /// Appends `count` short customer messages to `user`'s INBOX (scripts/imap-append, password login).
    func deliver(_ count: Int, to user: String, from start: Int = 0, in ws: Workspace) throws {
        var mbox = ""
        for n in start..<(start + count) {
            mbox += """
                From customer\(n)@example.org Mon Mar  2 10:00:00 2026
                From: Customer \(n) <customer\(n)@example.org>
                To: \(user)
                Subject: Question \(n)
                Date: Mon, 2 Mar 2026 10:\(n % 10)\(n % 6):00 +0000
                Message-ID: <q\(n)-\(user)@example.org>

                Where is my order \(n)?


                """
        }
        let file = ws.url("mail-\(user)-\(start).mbox")
        try mbox.write(to: file, atomically: true, encoding: .utf8)
        _ = try Self.script("imap-append", ["\(imapPort)", user, "INBOX", file.path])
    }

    /// Runs a script of scripts/ with posix_spawn and waitpid, its output in a file: a daemon it starts
    /// (Dovecot) inherits no descriptor Foundation's `Process` watches to notice the script's exit.
    @discardableResult
    static func script(_ name: String, _ args: [String], env: [String: String] = [:]) throws -> String {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("sb-oauth2-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let path = CLI.packageRoot.appendingPathComponent("scripts/\(name)").path
        let argv = ([path] + args).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.merging(env) { $1 }.map { strdup("\($0)=\($1)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw Failure(description: "cannot run \(path): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        guard status == 0 else { throw Failure(description: "scripts/\(name) failed (status \(status)): \(text)") }
        return text
    }
}
