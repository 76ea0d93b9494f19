import Foundation
import SwitchboardCore

/// A real HTTP receiver on loopback for one test (`scripts/start-http-receiver`, Python's standard library), on a
/// port the kernel chose (``LoopbackPort/free()``), which writes every request it gets to a folder; ``stop()`` ends
/// it and removes the folder. With a `secret` it checks each request's Standard Webhooks signature itself
/// (Python's `hmac`), so a test never trusts the signing code under test.
///
/// ```swift
/// let receiver = try TestHTTPReceiver.start()
/// defer { receiver.stop() }
/// // … POST to receiver.url("/hook") …
/// let requests = try await receiver.waitForRequests(1)
/// ```
public struct TestHTTPReceiver: Sendable {
    public let dir: String
    public let port: Int

    public struct Failure: Error, CustomStringConvertible { public var description: String }

    public static func start(secret: String? = nil) throws -> TestHTTPReceiver {
        var env = ["PORT": String(try LoopbackPort.free())]
        if let secret { env["WEBHOOK_SECRET"] = secret }
        let (status, out) = TestPostgres.run(TestSMTP.script("start-http-receiver"), [], environment: env)
        var values: [String: String] = [:]
        for line in out.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { values[String(kv[0])] = String(kv[1]) }
        }
        guard status == 0, let dir = values["DIR"], let port = values["PORT"].flatMap(Int.init) else {
            throw Failure(description: "scripts/start-http-receiver failed: \(out)")
        }
        return TestHTTPReceiver(dir: dir, port: port)
    }

    /// `http://127.0.0.1:PORT` + `path`.
    public func url(_ path: String = "") -> String { "http://127.0.0.1:\(port)\(path)" }

    public func stop() { _ = TestPostgres.run(TestSMTP.script("stop-http-receiver"), [dir]) }

    /// From now on answer `status` with `body` (nil: 200 "ok" again).
    public func answer(_ status: Int?, _ body: String = "") throws {
        let file = URL(fileURLWithPath: dir).appendingPathComponent("answer")
        if let status { try "\(status)\n\(body)".write(to: file, atomically: true, encoding: .utf8) }
        else { try? FileManager.default.removeItem(at: file) }
    }

    /// The requests so far, in the order received: `method`, `path`, `headers` (lower-case names), `body`,
    /// `status` (the answer given) and, with a secret, `signature` (`valid`, `invalid`, `missing`).
    public func requests() throws -> [JSONValue] {
        let folder = URL(fileURLWithPath: dir).appendingPathComponent("requests")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { try JSONParser.parse(try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// Waits (at most `seconds`) until at least `count` requests arrived; returns them.
    public func waitForRequests(_ count: Int, seconds: Double = 30) async throws -> [JSONValue] {
        let deadline = Date().addingTimeInterval(seconds)
        while try requests().count < count && Date() < deadline { try await Task.sleep(for: .milliseconds(25)) }
        let all = try requests()
        guard all.count >= count else { throw Failure(description: "expected \(count) request(s), got \(all.count)") }
        return all
    }
}
