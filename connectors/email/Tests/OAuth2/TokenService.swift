import Foundation
import SwitchboardTesting

/// scripts/oauth2-token-service for one test: the provider's token endpoint, sign-in flows and the
/// introspection Dovecot's passdb oauth2 asks. Started as a child process; stopped by ``stop()``.
final class TokenService: @unchecked Sendable {   // the process handle is only touched by the test
    let port: Int
    let process: Process
    var url: String { "http://127.0.0.1:\(port)" }

    /// - Parameter port: default a port the kernel picks (``LoopbackPort``).
    init(port: Int? = nil, lifetime: Double) throws {
        let port = try port ?? LoopbackPort.free()
        self.port = port
        process = Process()
        process.executableURL = URL(fileURLWithPath: DovecotServer.script("oauth2-token-service"))
        process.arguments = ["\(port)", "--lifetime", "\(lifetime)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)   // generous: a loaded machine starts Python slowly
        // Ours answers (not one another test run left on the port): it names its pid.
        while (try? admin("stats", method: "GET"))?["pid"] as? Int != Int(process.processIdentifier) {
            guard Date() < deadline, process.isRunning else {
                stop()
                throw DovecotServer.Failure(message: "oauth2-token-service did not start on port \(port) (in use by another test run?)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// SIGTERM, and SIGKILL when it is still there after 5 s.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// A test control (`/admin/…`), answered as JSON.
    @discardableResult
    func admin(_ what: String, _ body: [String: Any] = [:], method: String = "POST") throws -> [String: Any] {
        var args = ["curl", "-sf", "--max-time", "5", "\(url)/admin/\(what)"]
        if method == "POST" {
            args += ["-H", "Content-Type: application/json", "--data-binary",
                     String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)]
        }
        let out = try DovecotServer.run("/usr/bin/env", args)
        return (try JSONSerialization.jsonObject(with: Data(out.utf8))) as? [String: Any] ?? [:]
    }

    func mint(user: String) throws -> String { try admin("mint", ["user": user])["refresh_token"] as? String ?? "" }
    func stats() throws -> [String: Any] { try admin("stats", method: "GET") }
    func count(_ key: String) throws -> Int { (try stats()[key] as? Int) ?? -1 }
    func usedRefreshTokens() throws -> [String] { (try stats()["refresh_tokens_used"] as? [String]) ?? [] }

    /// Dovecot on the given ports whose XOAUTH2 logins this service checks.
    func dovecot() throws -> DovecotServer {
        let port = try LoopbackPort.free(), tlsPort = try LoopbackPort.free()
        let out = try DovecotServer.run(DovecotServer.script("start-dovecot"), [],
                                        env: ["PORT": "\(port)", "TLS_PORT": "\(tlsPort)", "OAUTH2_INTROSPECTION_URL": "\(url)/introspect"])
        guard let dir = out.split(separator: "\n").first(where: { $0.hasPrefix("DIR=") })?.dropFirst(4) else {
            throw DovecotServer.Failure(message: "start-dovecot printed no DIR: \(out)")
        }
        return DovecotServer(dir: String(dir), port: port, tlsPort: tlsPort)
    }
}
