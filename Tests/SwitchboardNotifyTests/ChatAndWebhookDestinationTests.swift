import Foundation
import SwitchboardCore
import SwitchboardNotify
import SwitchboardTesting
import Testing

/// `kind: slack`, `kind: telegram` and `kind: webhook` against a real HTTP receiver on loopback
/// (scripts/start-http-receiver), which records every request and checks Standard Webhooks signatures itself.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ChatAndWebhookDestinationTests {
    static let registry = DestinationRegistry([EmailDestination.self, SlackDestination.self, TelegramDestination.self,
                                               WebhookDestination.self])
    static let token = "123456789:AAE-bot-token-9f8e7d"
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    static func destination(_ entry: String, env: [String: String] = [:]) throws -> any NotificationDestination {
        let config = try EmailDestinationTests.config(entry, env: env)
        return try registry.make(try #require(config.notifications.first), file: config.file.path)
    }

    static let table = "SECTION  KEY  VALUE\noverall  conversations  12\nnote  a<b & c>d  1\n"
    static let report = NotificationMessage(
        subject: "Switchboard report weekly: previous week, 2026-03-02 – 2026-03-08", text: table, html: "<p>ignored</p>",
        textStyle: .preformatted,
        event: NotificationEvent(type: "report", id: "report:weekly:2026-03-09T05:00:00Z", data: [
            .init("report", .string("weekly")), .init("period", .string("previous-week")),
            .init("slot", .time(Date(timeIntervalSince1970: 1_773_032_400))), .init("result", .json("{\"overall\": {\"n\": 12}}\n")),
        ]))

    static func body(_ request: JSONValue) throws -> JSONValue { try JSONParser.parse(try #require(request["body"]?.string)) }

    @Test func slackGetsTheTitleAndTheTableInACodeBlock() async throws {
        let receiver = try TestHTTPReceiver.start()
        defer { receiver.stop() }
        let team = try Self.destination("  team: {kind: slack, url: \"${SLACK_WEBHOOK_URL}\"}",
                                        env: ["SLACK_WEBHOOK_URL": receiver.url("/services/T1/B2/hook-key")])
        try await team.deliver(Self.report)
        let request = try #require(try await receiver.waitForRequests(1).first)
        #expect(request["method"]?.string == "POST" && request["path"]?.string == "/services/T1/B2/hook-key")
        #expect(request["headers"]?["content-type"]?.string?.hasPrefix("application/json") == true)
        let body = try Self.body(request)
        #expect(body.members?.map(\.0) == ["text"])
        #expect(body["text"]?.string == """
            *Switchboard report weekly: previous week, 2026-03-02 – 2026-03-08*
            ```
            SECTION  KEY  VALUE
            overall  conversations  12
            note  a&lt;b &amp; c&gt;d  1
            ```
            """)
        // Prose (an alert) goes without the code block.
        try await team.deliver(NotificationMessage(subject: "Chat waiting", text: "T-1 waits since 09:00"))
        let second = try await receiver.waitForRequests(2)[1]
        #expect(try Self.body(second)["text"]?.string == "*Chat waiting*\nT-1 waits since 09:00")
    }

    @Test func telegramPostsToTheBotsSendMessageAndCutsAtItsLimit() async throws {
        let receiver = try TestHTTPReceiver.start()
        defer { receiver.stop() }
        let duty = try Self.destination("  duty: {kind: telegram, bot_token: \"${TG_BOT_TOKEN}\", chat_id: \"-1001234567890\", api_url: \"\(receiver.url())\"}",
                                        env: ["TG_BOT_TOKEN": Self.token])
        try await duty.deliver(Self.report)
        let request = try #require(try await receiver.waitForRequests(1).first)
        #expect(request["method"]?.string == "POST" && request["path"]?.string == "/bot\(Self.token)/sendMessage")
        let body = try Self.body(request)
        #expect(body["chat_id"]?.number == -1001234567890 && body["parse_mode"]?.string == "HTML")
        #expect(body["text"]?.string == """
            <b>Switchboard report weekly: previous week, 2026-03-02 – 2026-03-08</b>
            <pre>SECTION  KEY  VALUE
            overall  conversations  12
            note  a&lt;b &amp; c&gt;d  1</pre>
            """)

        // 300 lines of 40 characters do not fit 4096: whole lines from the top, and a note saying so.
        let lines = (1...300).map { String(format: "row %03d ", $0) + String(repeating: "x", count: 32) }
        var long = Self.report
        long.text = lines.joined(separator: "\n")
        try await duty.deliver(long)
        let cut = try #require(try Self.body(try await receiver.waitForRequests(2)[1])["text"]?.string)
        #expect(cut.utf16.count <= 4096 && cut.utf16.count > 3900, "\(cut.utf16.count)")
        let match = try #require(cut.firstMatch(of: /<i>cut to fit Telegram's 4096 characters: (\d+) of 300 lines shown<\/i>$/))
        let kept = try #require(Int(match.1))
        #expect(cut.contains("<pre>" + lines.prefix(kept).joined(separator: "\n") + "</pre>\n<i>"))
        #expect(!cut.contains(lines[kept]))
    }

    @Test func aRefusalOrAnUnreachableReceiverSaysWhyWithoutTheBotToken() async throws {
        let receiver = try TestHTTPReceiver.start()
        defer { receiver.stop() }
        let duty = try Self.destination("  duty: {kind: telegram, bot_token: \"\(Self.token)\", chat_id: \"@ops\", api_url: \"\(receiver.url())/\"}")
        try receiver.answer(400, #"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#)
        let refused = await #expect(throws: NotificationError.self) { try await duty.deliver(Self.report) }
        #expect(refused?.code == .refused && refused?.message.contains("HTTP 400 Bad Request: chat not found") == true,
                "\(String(describing: refused))")
        #expect(try Self.body(try await receiver.waitForRequests(1)[0])["chat_id"]?.string == "@ops")
        let team = try Self.destination("  team: {kind: slack, url: \"\(receiver.url("/services/T1/B2/hook-key"))\"}")
        try receiver.answer(500, "internal error")
        let slack = await #expect(throws: NotificationError.self) { try await team.deliver(Self.report) }
        #expect(slack?.code == .refused && slack?.message.contains("HTTP 500 internal error") == true)
        receiver.stop()
        let down = await #expect(throws: NotificationError.self) { try await duty.deliver(Self.report) }
        #expect(down?.code == .network, "\(String(describing: down))")
        for error in [refused, slack, down] {
            let text = error?.message ?? ""
            #expect(!text.contains("AAE-bot-token") && !text.contains("hook-key") && text.contains("127.0.0.1"), "\(text)")
        }
    }

    @Test func webhookPostsTheEventSignedTheStandardWebhooksWay() async throws {
        let receiver = try TestHTTPReceiver.start(secret: Self.secret)
        defer { receiver.stop() }
        let ops = try Self.destination("  ops: {kind: webhook, url: \"\(receiver.url("/hook"))\", secret: \"${OPS_WEBHOOK_SECRET}\"}",
                                       env: ["OPS_WEBHOOK_SECRET": Self.secret])
        try await ops.deliver(Self.report)
        try await ops.deliver(Self.report)
        try await ops.deliver(NotificationMessage(subject: "Hello", text: "plain"))
        let requests = try await receiver.waitForRequests(3)
        #expect(requests.map { $0["signature"]?.string } == ["valid", "valid", "valid"], "verified by the receiver's own HMAC")
        let first = requests[0]
        #expect(first["path"]?.string == "/hook" && first["headers"]?["content-type"]?.string == "application/json")
        let id = try #require(first["headers"]?["webhook-id"]?.string)
        #expect(id.wholeMatch(of: /msg_[0-9a-f]{32}/) != nil)
        #expect(requests[1]["headers"]?["webhook-id"]?.string == id, "a repeat of one notification keeps its id")
        #expect(requests[2]["headers"]?["webhook-id"]?.string != id)
        let stamp = try #require(first["headers"]?["webhook-timestamp"]?.string.flatMap { Double($0) })
        #expect(abs(stamp - Date().timeIntervalSince1970) < 60)
        let body = try Self.body(first)
        #expect(body["type"]?.string == "report" && body["timestamp"]?.string.flatMap(Timestamp.parseISO8601) != nil)
        #expect(body["data"]?["report"]?.string == "weekly" && body["data"]?["period"]?.string == "previous-week")
        #expect(body["data"]?["slot"]?.string == "2026-03-09T05:00:00.000Z")
        #expect(body["data"]?["result"]?["overall"]?["n"]?.number == 12)
        let plain = try Self.body(requests[2])
        #expect(plain["type"]?.string == "message" && plain["data"]?["subject"]?.string == "Hello" && plain["data"]?["text"]?.string == "plain")

        // Signed with another key, the receiver's check fails: the check is real.
        let other = try Self.destination("  ops: {kind: webhook, url: \"\(receiver.url("/hook"))\", secret: \"whsec_\(Data("another key".utf8).base64EncodedString())\"}")
        try await other.deliver(Self.report)
        #expect(try await receiver.waitForRequests(4)[3]["signature"]?.string == "invalid")
    }

    @Test func unusableSettingsAreConfigProblemsWithKeyPathsAndNoSecrets() throws {
        let config = try EmailDestinationTests.config("""
              team: {kind: slack, url: "http://hooks.example.com/services/T1/B2/hook-key"}
              nourl: {kind: slack, url: "${UNSET_SLACK_URL}"}
              duty: {kind: telegram, bot_token: "\(Self.token)", api_url: "http://10.1.2.3:8081"}
              badtoken: {kind: telegram, bot_token: "a b/c", chat_id: 1}
              ops: {kind: webhook, url: "ftp://127.0.0.1/hook", secret: "not base64!"}
              nosecret: {kind: webhook, url: "https://ops.example.com/hook", secrett: whsec_AAAA}
              local: {kind: webhook, url: "http://127.0.0.1:9/hook", secret: "\(Self.secret)"}
              fine: {kind: telegram, bot_token: "\(Self.token)", chat_id: -1001234567890}
              cloud: {kind: slack, url: "https://hooks.slack.com/services/T1/B2/hook-key"}
              lan: {kind: telegram, bot_token: "\(Self.token)", chat_id: 1, api_url: "http://10.1.2.3:8081"}
            """, env: ["UNSET_SLACK_URL": ""])
        let problems = Self.registry.problems(config).map(\.description)
        for expected in ["notifications.team.url: http:// to hooks.example.com", "only to 127.0.0.1", "notifications.nourl.url: is empty",
                         "notifications.duty.chat_id: required setting", "notifications.badtoken.bot_token: is not a bot token",
                         "notifications.ops.url: expected https://", "notifications.nosecret.secrett: unknown setting",
                         "did you mean 'secret'", "notifications.nosecret.secret: required setting",
                         "notifications.lan.api_url: http:// to 10.1.2.3"] {
            #expect(problems.contains { $0.contains(expected) }, "missing \(expected) in \(problems)")
        }
        #expect(!problems.contains { $0.contains("notifications.local") || $0.contains("notifications.fine") || $0.contains("notifications.cloud") })
        #expect(!problems.joined().contains("AAE-bot-token") && !problems.joined().contains("hook-key"), "\(problems)")
        let duty = problems.first { $0.contains("notifications.duty.") }
        #expect(duty?.contains(":4:") == true, "the entry's line: \(String(describing: duty))")
        let secretProblem = try Self.destinationError("  ops: {kind: webhook, url: \"https://ops.example.com/hook\", secret: \"whsec_%%%\"}")
        #expect(secretProblem.contains("notifications.ops.secret: expected a signing key") && !secretProblem.contains("%%%"))
    }

    static func destinationError(_ entry: String) throws -> String {
        let config = try EmailDestinationTests.config(entry)
        return registry.problems(config).map(\.description).joined(separator: "\n")
    }
}
