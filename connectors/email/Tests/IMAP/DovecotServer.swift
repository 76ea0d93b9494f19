import Foundation

/// A real Dovecot for one test, started and stopped through the project's scripts/.
struct DovecotServer {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func script(_ name: String) -> String { repoRoot.appendingPathComponent("scripts/\(name)").path }

    /// True when the dovecot binary exists (`make test` installs it).
    static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/sbin/dovecot")
            || (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
                .contains { FileManager.default.isExecutableFile(atPath: "\($0)/dovecot") }
    }

    let dir: String
    let port: Int
    let tlsPort: Int
    var caFile: String { dir + "/cert.pem" }
    var plainURL: String { "imap://127.0.0.1:\(port)" }
    var tlsURL: String { "imaps://127.0.0.1:\(tlsPort)" }

    /// - Parameter env: more settings for scripts/start-dovecot (`SPECIAL_USE`, …).
    static func start(dir: String? = nil, port: Int? = nil, tlsPort: Int? = nil, env extra: [String: String] = [:]) throws -> DovecotServer {
        var env = extra
        if let port { env["PORT"] = "\(port)" }
        if let tlsPort { env["TLS_PORT"] = "\(tlsPort)" }
        let out = try run(script("start-dovecot"), dir.map { [$0] } ?? [], env: env)
        var values: [String: String] = [:]
        for line in out.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { values[String(kv[0])] = String(kv[1]) }
        }
        guard let d = values["DIR"], let p = values["PORT"].flatMap(Int.init), let t = values["TLS_PORT"].flatMap(Int.init) else {
            throw Failure(message: "start-dovecot printed no DIR/PORT: \(out)")
        }
        return DovecotServer(dir: d, port: p, tlsPort: t)
    }

    /// Stops the server; `keep` leaves its mail in place for a restart.
    func stop(keep: Bool = false) {
        _ = try? Self.run(Self.script("stop-dovecot"), [dir] + (keep ? ["--keep"] : []))
    }

    /// Restarts a stopped server on the same folder and ports.
    func restart() throws -> DovecotServer { try Self.start(dir: dir, port: port, tlsPort: tlsPort) }

    /// APPENDs message files (or mbox files) through Python's imaplib.
    @discardableResult
    func append(user: String, mailbox: String = "INBOX", _ files: [URL]) throws -> Int {
        let out = try Self.run(Self.script("imap-append"), ["\(port)", user, mailbox] + files.map(\.path))
        return Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// Adds flags and keywords to messages (`UID STORE uids +FLAGS (flags)`) through Python's imaplib.
    /// `mailbox` as on the wire (modified UTF-7 for non-ASCII names).
    func store(user: String, mailbox: String = "INBOX", uids: String, flags: String) throws {
        let script = """
            import imaplib, sys
            port, user, box, uids, flags = sys.argv[1:]
            imap = imaplib.IMAP4("127.0.0.1", int(port))
            imap.login(user, "secret")
            typ, data = imap.select('"' + box + '"')
            assert typ == "OK", data
            typ, data = imap.uid("STORE", uids, "+FLAGS", "(" + flags + ")")
            assert typ == "OK", data
            imap.logout()
            """
        try Self.run("/usr/bin/env", ["python3", "-c", script, "\(port)", user, mailbox, uids, flags])
    }

    /// Deletes and creates a mailbox: the server gives it a new UIDVALIDITY.
    func recreate(user: String, mailbox: String) throws {
        try Self.run(Self.script("imap-append"), ["\(port)", user, "--recreate", mailbox])
    }

    struct Failure: Error, CustomStringConvertible { var message: String; var description: String { message } }

    /// Runs a script with posix_spawn and waitpid, output to files (a daemon it starts holds no pipe of ours).
    @discardableResult
    static func run(_ path: String, _ args: [String], env: [String: String] = [:]) throws -> String {
        let tmp = FileManager.default.temporaryDirectory
        let outPath = tmp.appendingPathComponent("sb-run-\(UUID().uuidString).out").path
        let errPath = tmp.appendingPathComponent("sb-run-\(UUID().uuidString).err").path
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let environment = ProcessInfo.processInfo.environment.merging(env) { $1 }.map { "\($0)=\($1)" }
        let argv = ([path] + args).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw Failure(message: "cannot run \(path): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            throw Failure(message: "\(path) \(args.joined(separator: " ")) failed (status \(status)): \(err)")
        }
        return out
    }
}
