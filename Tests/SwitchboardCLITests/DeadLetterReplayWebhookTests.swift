import Foundation
import SwitchboardCore
import SwitchboardStore
import Testing

/// A webhook delivery kept as a dead letter by the running `switchboard serve` (a body field of a type the
/// mapping cannot read), replayed after the mapping is fixed: the body is trusted as verified when it was
/// received (no signature needed again); the headers the decoding needs (`webhook-id`) were kept with it,
/// the signature was not.
@Suite(.serialized, .timeLimit(.minutes(5))) struct DeadLetterReplayWebhookTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    /// The sample `helpdesk` source, its messages' topics read from `topics`.
    static func source(topics: String) -> String {
        SampleConfig.helpdeskSource + "\n        topics: \(topics)"
    }

    /// Posts one Standard-Webhooks-signed delivery with Python's hmac (not our code); returns the HTTP status.
    static func post(port: Int, id: String, body: String) throws -> String {
        let script = """
            import base64, hashlib, hmac, http.client, sys, time
            port, secret, msg_id, body = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4].encode()
            ts = str(int(time.time()))
            mac = hmac.new(base64.b64decode(secret[6:]), f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("POST", "/webhooks/helpdesk", body, {"content-type": "application/json", "webhook-id": msg_id,
                      "webhook-timestamp": ts, "webhook-signature": "v1," + base64.b64encode(mac).decode()})
            print(c.getresponse().status)
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, "\(port)", secret, id, body]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: DeadLetterReplayCLITests.Store.allCases)
    func aWebhookBodyWithAFieldOfTheWrongTypeIsStoredAfterTheMappingIsFixed(_ store: DeadLetterReplayCLITests.Store) async throws {
        let storeLine = try store.line()
        let port = try ServeTests.freePort()
        func config(_ topics: String) -> String {
            DeadLetterReplayCLITests.config(storeLine + "\nserver: {listen: \"127.0.0.1:\(port)\"}", Self.source(topics: topics))
        }
        let ws = try Workspace(config: config("/data/tags"))
        let env = ["HELPDESK_SECRET": Self.secret]
        let server = try await CLI.serve(cwd: ws.dir, env: env, log: ws.url("serve.log"))
        defer { if server.isRunning { kill(server.processIdentifier, SIGTERM); server.waitUntilExit() } }
        let good = #"{"type":"ticket.message_created","data":{"ticket_id":"T-1","author":{"role":"customer","email":"a@example.org"},"body":"hi","tags":"billing"}}"#
        let bad = #"{"type":"ticket.message_created","data":{"ticket_id":"T-2","author":{"role":"customer","email":"b@example.org"},"body":"refund","tags":{"names":["returns"]}}}"#
        #expect(try Self.post(port: port, id: "msg_good", body: good) == "200")
        #expect(try Self.post(port: port, id: "msg_bad", body: bad) == "200", "a verified delivery that does not decode is acknowledged")
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()

        let listed = try ws.run(["dead-letters", "list", "--source", "helpdesk", "--raw"], env: env)
        #expect(listed.stdout.contains("expected a string or an array of strings"), "\(listed.stdout)")

        let opened = try await DeadLetterReplayCLITests.open(store, ws)
        let letter = try #require(try await opened.deadLetters(source: "helpdesk", limit: 10).first)
        let kept = letter.replay?.values ?? [:]
        #expect(letter.replay?.kind == "standard-webhooks")
        #expect(kept["header.webhook-id"] == "msg_bad" && kept["header.webhook-timestamp"] != nil)
        #expect(kept["header.webhook-signature"] == nil, "the signature is not kept")
        (opened as? PostgresStore)?.close()

        try ws.write("switchboard.yaml", config("/data/tags/names"))
        let replay = try ws.run(["dead-letters", "replay", "--source", "helpdesk", "--quiet"], env: env)
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.contains("helpdesk: read 1, stored 1, duplicates 0, dead letters 0"), "\(replay.stdout)")
        let again = try ws.run(["dead-letters", "replay", "--source", "helpdesk", "--quiet"], env: env)
        #expect(again.stdout.contains("helpdesk: read 0, stored 0, duplicates 0, dead letters 0"), "\(again.stdout)")

        // Stored with the delivery's webhook-id (kept with the letter) as its external id, and its topic.
        let found = try await DeadLetterReplayCLITests.interactions(store, ws, source: "helpdesk")
        let replayed = try #require(found.first { $0.conversationKey == "T-2" })
        #expect(replayed.externalId == "msg_bad")
        #expect(replayed.topics == ["returns"])
        #expect(found.count == 2)
    }
}
