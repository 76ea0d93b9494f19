import Foundation
import Testing

/// `switchboard serve` against idle, slow and careless clients, as a real process on loopback: the
/// `server:` timeouts, the connection cap, the open-file limit, body memory and the early 413.
@Suite(.serialized) struct ServeLimitsTests {
    static func config(port: Int, server: String) -> String {
        """
        store: {sqlite: ./data/sb.db}
        server: {listen: "127.0.0.1:\(port)", \(server)}
        connectors:
        \(SampleConfig.helpdeskSource)
        """
    }

    /// Starts `serve` under `sh -c 'ulimit -Sn SOFT; exec switchboard serve'` when `softFileLimit` is given,
    /// else directly; waits until it listens.
    static func serve(_ ws: Workspace, softFileLimit: Int? = nil) async throws -> Process {
        let env = ["HELPDESK_SECRET": ServeTests.secret]
        guard let softFileLimit else { return try await CLI.serve(cwd: ws.dir, env: env, log: ws.url("serve.log")) }
        let p = CLI.process([], cwd: ws.dir, env: env)
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "ulimit -Sn \(softFileLimit) && exec \"$0\" serve", CLI.binary.path]
        _ = FileManager.default.createFile(atPath: ws.url("serve.log").path, contents: nil)
        let handle = try FileHandle(forWritingTo: ws.url("serve.log"))
        p.standardError = handle
        p.standardOutput = handle
        try p.run()
        try await waitFor("serve to listen", seconds: 30) { log(ws).contains("listening on") || !p.isRunning }
        try #require(p.isRunning, "serve exited: \(log(ws))")
        return p
    }

    static func log(_ ws: Workspace) -> String { (try? String(contentsOf: ws.url("serve.log"), encoding: .utf8)) ?? "" }

    static func stop(_ p: Process) {
        kill(p.processIdentifier, SIGTERM)
        for _ in 0..<200 where p.isRunning { usleep(50_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
    }

    static func waitFor(_ what: String, seconds: Double, _ condition: () throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    static func healthz(_ port: Int, maxTime: Int = 5) throws -> String {
        try ServeTests.curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "\(maxTime)",
                             "http://127.0.0.1:\(port)/healthz"])
    }

    /// Waits for `socket` to be closed by the server, sending `trickle` every 250 ms meanwhile (a client
    /// that keeps a request alive a few bytes at a time). Returns the time it took.
    static func timeUntilClosed(_ socket: RawSocket, trickle: String? = nil, limit: Duration = .seconds(10)) -> Duration? {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < limit {
            switch socket.wait(.milliseconds(250)) {
            case .closed: return ContinuousClock.now - started
            case .data: continue
            case .timeout: if let trickle, !socket.send(trickle) { return ContinuousClock.now - started }
            }
        }
        return nil
    }

    @Test func idleAndSlowConnectionsAreClosedWithinTheirTimeouts() async throws {
        let port = try ServeTests.freePort()
        let ws = try Workspace(config: Self.config(port: port, server: "idle_timeout: 1s, header_timeout: 2s, body_timeout: 3s"))
        let server = try await Self.serve(ws)
        defer { Self.stop(server) }

        // Connected, never a byte: idle.
        let silent = try RawSocket(port: port)
        let silentTime = try #require(Self.timeUntilClosed(silent))
        #expect(silentTime > .milliseconds(800) && silentTime < .milliseconds(2500), "silent: \(silentTime)")

        // One request answered, then a keep-alive connection left idle.
        let keepAlive = try RawSocket(port: port)
        keepAlive.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        guard case .data(let answer) = keepAlive.wait(.seconds(5)) else { Issue.record("no answer"); return }
        #expect(answer.hasPrefix("HTTP/1.1 200"))
        let idleTime = try #require(Self.timeUntilClosed(keepAlive))
        #expect(idleTime > .milliseconds(800) && idleTime < .milliseconds(2500), "keep-alive: \(idleTime)")

        // Headers trickling in a line every 250 ms: closed 2 s after their first byte, not 1 s after the last.
        let slowHead = try RawSocket(port: port)
        slowHead.send("POST /webhooks/helpdesk HTTP/1.1\r\nHost: x\r\n")
        let headTime = try #require(Self.timeUntilClosed(slowHead, trickle: "X-Slow: y\r\n"))
        #expect(headTime > .milliseconds(1800) && headTime < .milliseconds(3500), "half-sent headers: \(headTime)")

        // A body trickling 10 bytes every 250 ms: closed 3 s after the headers.
        let slowBody = try RawSocket(port: port)
        slowBody.send("POST /webhooks/helpdesk HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{\"a\":")
        let bodyTime = try #require(Self.timeUntilClosed(slowBody, trickle: String(repeating: " ", count: 10)))
        #expect(bodyTime > .milliseconds(2800) && bodyTime < .milliseconds(4500), "half-sent body: \(bodyTime)")

        let metrics = try ServeTests.curl(["-s", "http://127.0.0.1:\(port)/metrics"])
        for reason in ["idle_timeout", "header_timeout", "body_timeout"] {
            #expect(metrics.contains("switchboard_webhook_connections_closed_total{reason=\"\(reason)\"}"), "\(reason)")
        }
        #expect(try Self.healthz(port) == "200")
    }

    @Test func answersWithElevenHundredIdleSocketsOpenUnderA1024SoftFileLimit() async throws {
        RawSocket.raiseOpenFileLimit()
        let port = try ServeTests.freePort()
        let ws = try Workspace(config: Self.config(port: port, server: "idle_timeout: 30s"))
        let server = try await Self.serve(ws, softFileLimit: 1024)
        defer { Self.stop(server) }
        #expect(Self.log(ws).contains("open-file limit:") && Self.log(ws).contains("raised from 1024"), "\(Self.log(ws))")
        let limits = try String(contentsOfFile: "/proc/\(server.processIdentifier)/limits", encoding: .utf8)
        let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        let soft = Int(line.split(separator: " ", omittingEmptySubsequences: true)[3]) ?? 0
        #expect(soft > 1024, "\(line)")

        var idle: [RawSocket] = []
        for _ in 0..<1100 { idle.append(try RawSocket(port: port)) }
        let started = ContinuousClock.now
        #expect(try Self.healthz(port) == "200")
        #expect(ContinuousClock.now - started < .seconds(3))
        // The idle sockets were accepted and are held by serve (one descriptor each), not left in the backlog.
        let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(server.processIdentifier)/fd").count
        #expect(descriptors > idle.count, "serve holds \(descriptors) descriptors")
    }

    @Test func sixHundredUnfinishedOneMebibyteBodiesKeepResidentMemoryUnder512MB() async throws {
        RawSocket.raiseOpenFileLimit()
        let port = try ServeTests.freePort()
        // max_body and body_memory at their defaults (1MiB, 128MiB).
        let ws = try Workspace(config: Self.config(port: port, server: "body_timeout: 25s"))
        let server = try await Self.serve(ws)
        defer { Self.stop(server) }

        let head = "POST /webhooks/helpdesk HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n"
        let body = [UInt8](repeating: UInt8(ascii: "a"), count: 1_048_576 - 1024)
        var sockets: [RawSocket] = []
        for _ in 0..<600 {
            let s = try RawSocket(port: port)
            s.sendTimeout(seconds: 10)
            #expect(s.send(head) && s.send(body), "the server stopped reading a body")
            sockets.append(s)
        }
        // Bodies past body_memory (128 of these fill it) are refused with 503 rather than held.
        var refused = 0, pending = sockets
        let started = ContinuousClock.now
        while refused < 450, ContinuousClock.now - started < .seconds(15) {
            pending = pending.filter { socket in
                guard case .data(let answer) = socket.wait(.milliseconds(1)) else { return true }
                if answer.hasPrefix("HTTP/1.1 503") { refused += 1 }
                return false
            }
        }
        #expect(refused >= 450, "\(refused) of 600 refused with 503")
        #expect(Self.log(ws).contains("request bodies in progress fill server.body_memory (134217728 bytes)"))
        let status = try String(contentsOfFile: "/proc/\(server.processIdentifier)/status", encoding: .utf8)
        func kB(_ key: String) -> Int {
            let line = status.split(separator: "\n").first { $0.hasPrefix(key) } ?? ""
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        let peak = kB("VmHWM:"), resident = kB("VmRSS:")
        #expect(peak > 0 && peak < 512_000, "peak resident \(peak) kB, now \(resident) kB")
        #expect(try Self.healthz(port) == "200")
        print("600 unfinished 1 MiB bodies: VmHWM \(peak) kB, VmRSS \(resident) kB, \(refused) answered 503")
    }

    /// 8 MiB: more than loopback's socket buffers take in without the server reading.
    @Test(arguments: ["Connection: close\r\nContent-Length: 8388608\r\n", "Content-Length: 8388608\r\n",
                      "Transfer-Encoding: chunked\r\n"])
    func anOversizedBodyWrittenWholeBeforeReadingGetsThe413(framing: String) async throws {
        let port = try ServeTests.freePort()
        let ws = try Workspace(config: Self.config(port: port, server: "max_body: 64KiB"))
        let server = try await Self.serve(ws)
        defer { Self.stop(server) }

        let socket = try RawSocket(port: port)
        socket.sendTimeout(seconds: 10)
        let payload = [UInt8](repeating: UInt8(ascii: "a"), count: 8 << 20)
        var wire = Array("POST /webhooks/helpdesk HTTP/1.1\r\nHost: x\r\n\(framing)\r\n".utf8)
        if framing.contains("chunked") {
            for start in stride(from: 0, to: payload.count, by: 16384) {
                wire += Array("4000\r\n".utf8) + payload[start..<(start + 16384)] + Array("\r\n".utf8)
            }
            wire += Array("0\r\n\r\n".utf8)
        } else {
            wire += payload
        }
        #expect(socket.send(wire), "the whole body could not be written: the server stopped reading")
        if framing.contains("Connection: close") {
            let (answer, closed) = socket.readToEnd(within: .seconds(10))
            #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer.prefix(200))")
            #expect(closed, "the connection was left open after the 413")
        } else {
            // Keep-alive: the rest of the body was read and dropped, and the connection serves the next request.
            guard case .data(let answer) = socket.wait(.seconds(10)) else { Issue.record("no answer"); return }
            #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer.prefix(200))")
            socket.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            guard case .data(let next) = socket.wait(.seconds(10)) else { Issue.record("no second answer"); return }
            #expect(next.hasPrefix("HTTP/1.1 200"), "\(next.prefix(200))")
        }
    }

    @Test func theConnectionCapLogsWhenReachedAndAcceptsAgainWhenOneCloses() async throws {
        let port = try ServeTests.freePort()
        let ws = try Workspace(config: Self.config(port: port, server: "max_connections: 5, idle_timeout: 30s"))
        let server = try await Self.serve(ws)
        defer { Self.stop(server) }

        var open: [RawSocket] = []
        for _ in 0..<5 {
            let s = try RawSocket(port: port)
            s.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            guard case .data(let answer) = s.wait(.seconds(5)) else { Issue.record("no answer"); return }
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            open.append(s)
        }
        try await Self.waitFor("the cap's log line", seconds: 5) {
            Self.log(ws).contains("connection cap reached: 5 connections are open (server.max_connections)")
        }
        let sixth = try RawSocket(port: port)  // the kernel completes the handshake; serve does not accept it yet
        sixth.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(sixth.wait(.milliseconds(500)) == .timeout, "answered past the cap")
        open.removeFirst()
        guard case .data(let answer) = sixth.wait(.seconds(5)) else { Issue.record("not answered after a slot freed"); return }
        #expect(answer.hasPrefix("HTTP/1.1 200"))
    }
}
