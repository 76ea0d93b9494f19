import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTesting
import Testing

/// `serve`'s live conversation state (docs/live.md) from outside: random signed webhook deliveries (messages,
/// status changes, surveys, some dated in the future) to running `switchboard serve` processes and pulls by
/// another process; then `GET /report` and `GET /conversations` at moments after the state's must equal what
/// `switchboard report` and `switchboard conversations` print, byte for byte.
@Suite(.serialized, .timeLimit(.minutes(5))) struct LiveReportServeTests {
    /// The helpdesk of docs (messages, status changes, surveys) and a JSONL source pulled by `switchboard import`.
    static func config(store: String, port: Int, pbx: Bool = false) -> String {
        """
        store: \(store)
        timezone: UTC\(pbx ? "\n" + SampleConfig.pbxAgents : "")
        server: {listen: "127.0.0.1:\(port)"}
        resolution: {idle_after: 6h}
        fcr: {repeat_window: 2d}
        targets: {frt: {web: 1h, email: 4h}}
        connectors:
          - name: helpdesk
            kind: standard-webhooks
            secret: ${HELPDESK_SECRET}
            event_type: /type
            mapping: {conversationKey: /data/ticket_id, occurredAt: /timestamp, platform: helpdesk, channel: web}
            events:
              ticket.message_created: {externalId: /data/message_id, actorRole: /data/author/role, direction: /data/direction,
                                       actorId: /data/author/id, customerKey: /data/author/email, text: /data/body}
              ticket.status_changed: {kind: status, status: /data/status, actorRole: agent, actorId: /data/changed_by}
              survey.answered: {kind: survey, survey.metric: /data/metric, survey.score: /data/score, customerKey: /data/customer}
          - {name: mail, kind: jsonl, path: ./mail.jsonl}
        """ + (pbx ? "\n" + SampleConfig.pbxSource(schedule: "every 1s") : "")
    }

    /// A reproducible generator (linear congruential).
    struct Random {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        mutating func pick<T>(_ list: [T]) -> T { list[next(list.count)] }
    }

    static func iso(_ d: Date) -> String { Timestamp.formatISO8601(d) }

    /// `count` deliveries around `t0` (three days before to six hours after it: some are in the future), over
    /// 40 tickets and 12 customers; `ports` take them in turn.
    static func deliveries(_ r: inout Random, count: Int, t0: Date, prefix: String, ports: [Int]) -> String {
        var lines: [String] = []
        for i in 0..<count {
            let at = iso(t0.addingTimeInterval(Double(r.next(78 * 60) - 72 * 60) * 60))
            let ticket = "L-\(r.next(40))", customer = "c\(r.next(12))@example.org", agent = r.pick(["anna", "boris", "chen"])
            let data: String, type: String
            switch r.next(10) {
            case 0..<4:
                type = "ticket.message_created"
                data = #"{"ticket_id":"\#(ticket)","message_id":"\#(prefix)-m\#(i)","direction":"inbound","author":{"role":"customer","email":"\#(customer)"},"body":"help"}"#
            case 4..<8:
                type = "ticket.message_created"
                data = #"{"ticket_id":"\#(ticket)","message_id":"\#(prefix)-m\#(i)","direction":"outbound","author":{"role":"agent","id":"\#(agent)","email":"\#(customer)"},"body":"done"}"#
            case 8:
                type = "ticket.status_changed"
                data = #"{"ticket_id":"\#(ticket)","status":"\#(r.pick(["resolved", "reopened", "open"]))","changed_by":"\#(agent)"}"#
            default:
                type = "survey.answered"
                data = #"{"ticket_id":"\#(ticket)","metric":"csat","score":\#(1 + r.next(5)),"customer":"\#(customer)"}"#
            }
            lines.append(#"{"id":"\#(prefix)-\#(i)","port":\#(ports[i % ports.count]),"body":{"type":"\#(type)","timestamp":"\#(at)","data":\#(data)}}"#)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `count` e-mail interactions for the JSONL source, sharing customers with the webhooks (repeat contacts across channels).
    static func mail(_ r: inout Random, count: Int, t0: Date, from: Int) -> String {
        (from..<from + count).map { i in
            let at = iso(t0.addingTimeInterval(Double(r.next(78 * 60) - 72 * 60) * 60))
            let key = "E-\(r.next(25))", customer = "c\(r.next(12))@example.org"
            return r.next(2) == 0
                ? #"{"externalId":"mail-\#(i)","channel":"email","platform":"imap","conversationKey":"\#(key)","kind":"message","direction":"inbound","actorRole":"customer","occurredAt":"\#(at)","customerKey":"\#(customer)"}"#
                : #"{"externalId":"mail-\#(i)","channel":"email","platform":"imap","conversationKey":"\#(key)","kind":"message","direction":"outbound","actorRole":"agent","actorId":"\#(r.pick(["anna", "chen"]))","occurredAt":"\#(at)","customerKey":"\#(customer)"}"#
        }.joined(separator: "\n") + "\n"
    }

    /// Sends the deliveries in `file` (scripts/webhook-send.py) and expects every one acknowledged.
    static func send(_ ws: Workspace, file: String, ports: [Int]) throws {
        let out = ws.url("send-\(file).out")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", CLI.packageRoot.appendingPathComponent("scripts/webhook-send.py").path, "--port",
                       ports.map(String.init).joined(separator: ","), "--secret", ServeTests.secret, "--bodies", ws.url(file).path]
        p.currentDirectoryURL = ws.dir
        p.standardOutput = try FileHandle(forWritingTo: out)
        try p.run()
        p.waitUntilExit()
        let summary = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        #expect(p.terminationStatus == 0 && summary.contains(#""non2xx": 0"#), "webhook-send: \(summary)")
    }

    static func importMail(_ ws: Workspace, _ text: String, env: [String: String]) throws {
        let file = ws.url("mail.jsonl")
        let old = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        try (old + text).write(to: file, atomically: true, encoding: .utf8)
        let r = try ws.run(["import", "mail", "--quiet"], env: env)
        #expect(r.status == 0, "\(r.stderr)")
    }

    /// At each moment, the served JSON report (several breakdowns) and conversation list equal the commands' output.
    static func expectServedEqualsCommands(_ ws: Workspace, port: Int, nows: [Date], env: [String: String],
                                           name: String) throws {
        for now in nows {
            let n = iso(now)
            let served = try ServeReportTests.get(port, "/report?format=json&now=\(n)&by=channel&by=agent,day")
            let cli = try ws.run(["report", "--format", "json", "--now", n, "--by", "channel", "--by", "agent,day"], env: env)
            #expect(served.status == 200 && cli.status == 0, "\(served.body.prefix(300)) \(cli.stderr)")
            #expect(served.body == cli.stdout, "\(name): GET /report differs from switchboard report at \(n)")
            #expect(try JSONParser.parse(served.body)["overall"]?["conversations"]?.number ?? 0 > 10)
            let list = try ServeReportTests.get(port, "/conversations?format=jsonl&now=\(n)")
            let cliList = try ws.run(["conversations", "--format", "jsonl", "--now", n], env: env)
            #expect(list.status == 200 && !list.body.isEmpty && list.body == cliList.stdout,
                    "\(name): GET /conversations differs from switchboard conversations at \(n)")
        }
    }

    @Test func onSQLiteTheLiveReportEqualsTheReportCommandAfterRandomDeliveriesAndAPull() async throws {
        let port = try ServeTests.freePort()
        let ws = try Workspace(config: Self.config(store: "{sqlite: ./sb.db}", port: port, pbx: true))
        let env = ["HELPDESK_SECRET": ServeTests.secret]
        let t0 = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        var r = Random(state: 19)
        try Self.importMail(ws, Self.mail(&r, count: 60, t0: t0, from: 0), env: env)
        let server = try await ServeTests.serve(ws, log: "serve.log")
        defer { ServeReportTests.stop(server) }

        try Self.deliveries(&r, count: 150, t0: t0, prefix: "a", ports: [port]).write(to: ws.url("a.jsonl"), atomically: true, encoding: .utf8)
        try Self.send(ws, file: "a.jsonl", ports: [port])
        // A pull by another process, and one by serve itself (its scheduled call-record source).
        try Self.importMail(ws, Self.mail(&r, count: 40, t0: t0, from: 60), env: env)
        try PhonePullCLITests.append(PhonePullCLITests.cdr(calls: 30), to: ws.url("Master.csv"))
        let store = try SQLiteStore(path: ws.url("sb.db").path)
        try await ScheduledServeTests.waitFor("serve's scheduled pull") { try await store.count(source: "pbx") == 30 }
        // Moments after the state's: future-dated rows become known, idle resolutions pass.
        try Self.expectServedEqualsCommands(ws, port: port, nows: [t0.addingTimeInterval(3600), t0.addingTimeInterval(5 * 3600)],
                                            env: env, name: "sqlite")
        try Self.deliveries(&r, count: 60, t0: t0, prefix: "b", ports: [port]).write(to: ws.url("b.jsonl"), atomically: true, encoding: .utf8)
        try Self.send(ws, file: "b.jsonl", ports: [port])
        let later = t0.addingTimeInterval(2 * 86400)
        try Self.expectServedEqualsCommands(ws, port: port, nows: [later], env: env, name: "sqlite")
        let calls = try JSONParser.parse(try ServeReportTests.get(port, "/report?format=json&now=\(Self.iso(later))").body)
        #expect(calls["overall"]?["phone"]?["offered"]?.number == 30, "the scheduled pull's calls are in the live report")
        for format in ["csv", "table"] {
            let served = try ServeReportTests.get(port, "/report?format=\(format)&now=\(Self.iso(later))&by=channel")
            let cli = try ws.run(["report", "--format", format, "--now", Self.iso(later), "--by", "channel"], env: env)
            #expect(served.body == cli.stdout, "format \(format)")
        }
        let page = try ServeReportTests.get(port, "/report?now=\(Self.iso(later))")
        let cliPage = try ws.run(["report", "--format", "html", "--now", Self.iso(later)], env: env)
        #expect(ConversationsServeTests.withoutServedParts(page.body) == cliPage.stdout)
        let log = try String(contentsOf: ws.url("serve.log"), encoding: .utf8)
        #expect(log.contains("live state built"), "\(log)")
        #expect(!log.contains("reads the store"), "every request here is answered from the live state")
        // A moment before the state's is answered from the store: the same bytes.
        let before = t0.addingTimeInterval(-86400)
        let old = try ServeReportTests.get(port, "/report?format=json&now=\(Self.iso(before))")
        #expect(old.body == (try ws.run(["report", "--format", "json", "--now", Self.iso(before)], env: env)).stdout)
    }

    static let needsServer = ConditionTrait.enabled(if: TestPostgres.serverURL != nil, Comment(rawValue: TestPostgres.skipMessage))

    @Test(needsServer) func twoInstancesOverOnePostgreSQLEachEqualTheReportCommand() async throws {
        let url = try TestPostgres.createDatabase()
        let (portA, portB) = (try ServeTests.freePort(), try ServeTests.freePort())
        let ws = try Workspace(config: Self.config(store: "{postgres: \"\(url)\"}", port: portA))
        let env = ["HELPDESK_SECRET": ServeTests.secret]
        let t0 = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        var r = Random(state: 44)
        try Self.importMail(ws, Self.mail(&r, count: 50, t0: t0, from: 0), env: env)
        let a = try ScaleOutServeTests.launch(ws, name: "a", port: portA, env: [:])
        let b = try ScaleOutServeTests.launch(ws, name: "b", port: portB, env: [:])
        defer { for p in [a.process, b.process] where p.isRunning { ServeReportTests.stop(p) } }
        try await ScaleOutServeTests.listening(a)
        try await ScaleOutServeTests.listening(b)

        // Deliveries alternate between the instances; each must see the other's through the store.
        try Self.deliveries(&r, count: 160, t0: t0, prefix: "pa", ports: [portA, portB])
            .write(to: ws.url("a.jsonl"), atomically: true, encoding: .utf8)
        try Self.send(ws, file: "a.jsonl", ports: [portA, portB])
        try Self.importMail(ws, Self.mail(&r, count: 40, t0: t0, from: 50), env: env)
        for (instance, port) in [(a, portA), (b, portB)] {
            try Self.expectServedEqualsCommands(ws, port: port, nows: [t0.addingTimeInterval(3600), t0.addingTimeInterval(86400)],
                                                env: env, name: "postgres \(instance.name)")
        }
        try Self.deliveries(&r, count: 60, t0: t0, prefix: "pb", ports: [portB, portA])
            .write(to: ws.url("b.jsonl"), atomically: true, encoding: .utf8)
        try Self.send(ws, file: "b.jsonl", ports: [portB, portA])
        for (instance, port) in [(a, portA), (b, portB)] {
            try Self.expectServedEqualsCommands(ws, port: port, nows: [t0.addingTimeInterval(2 * 86400)], env: env,
                                                name: "postgres \(instance.name)")
            #expect(instance.logLines.contains { $0["message"]?.string?.hasPrefix("live state built") == true })
            #expect(!instance.logLines.contains { $0["message"]?.string?.contains("reads the store") == true })
        }
    }
}
