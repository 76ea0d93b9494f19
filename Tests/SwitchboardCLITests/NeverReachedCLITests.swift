import Foundation
import SwitchboardCore
import Testing

/// `switchboard conversations --never-reached` and the served `GET /conversations?never-reached=1`: the callers
/// of lost calls nobody reached within `phone.recovery_window`, one row per caller with number and last attempt.
@Suite(.serialized) struct NeverReachedCLITests {
    /// Calls of 2026-03-02 (UTC), recovery window 2 h:
    ///   +15550301 abandons at 09:00 and again at 11:00; nothing else → never reached, listed once, last attempt 11:00.
    ///   +15550302 abandons at 09:30; the team calls at 10:00 and the call is answered → recovered, not listed.
    ///   +15550303 misses at 10:00; writes a chat message at 13:00, after the window (12:00:20) → never reached, listed.
    ///   +15550304 abandons at 10:30, an agent calls back at 11:00 without an answer → never reached, listed.
    static let lines = [
        #"{"externalId":"a1","channel":"phone","conversationKey":"a1","kind":"call","direction":"inbound","actorRole":"customer","customerKey":"+15550301","occurredAt":"2026-03-02T09:00:00Z","call":{"outcome":"abandoned","waitSeconds":40}}"#,
        #"{"externalId":"a2","channel":"phone","conversationKey":"a2","kind":"call","direction":"inbound","actorRole":"customer","customerKey":"+15550301","occurredAt":"2026-03-02T11:00:00Z","call":{"outcome":"abandoned","waitSeconds":40}}"#,
        #"{"externalId":"b1","channel":"phone","conversationKey":"b1","kind":"call","direction":"inbound","actorRole":"customer","customerKey":"+15550302","occurredAt":"2026-03-02T09:30:00Z","call":{"outcome":"abandoned","waitSeconds":25}}"#,
        #"{"externalId":"b2","channel":"phone","conversationKey":"b2","kind":"call","direction":"outbound","actorRole":"agent","actorId":"anna","customerKey":"+15550302","occurredAt":"2026-03-02T10:00:00Z","call":{"outcome":"answered","agentId":"anna","talkSeconds":120}}"#,
        #"{"externalId":"c1","channel":"phone","conversationKey":"c1","kind":"call","direction":"inbound","actorRole":"customer","customerKey":"+15550303","occurredAt":"2026-03-02T10:00:00Z","call":{"outcome":"missed","waitSeconds":20}}"#,
        #"{"externalId":"c2","channel":"chat","platform":"whatsapp","conversationKey":"c2","kind":"message","direction":"inbound","actorRole":"customer","customerKey":"+15550303","occurredAt":"2026-03-02T13:00:00Z"}"#,
        #"{"externalId":"d1","channel":"phone","conversationKey":"d1","kind":"call","direction":"inbound","actorRole":"customer","customerKey":"+15550304","occurredAt":"2026-03-02T10:30:00Z","call":{"outcome":"abandoned","waitSeconds":30}}"#,
        #"{"externalId":"d2","channel":"phone","conversationKey":"d2","kind":"call","direction":"outbound","actorRole":"agent","actorId":"anna","customerKey":"+15550304","occurredAt":"2026-03-02T11:00:00Z","call":{"outcome":"missed","agentId":"anna"}}"#,
    ]

    static func workspace(port: Int) throws -> Workspace {
        let ws = try Workspace(config: """
            store: {sqlite: ./sb.db}
            timezone: UTC
            server:
              listen: "127.0.0.1:\(port)"
            agents:
              - {id: anna, emails: [anna@example.com]}
            phone: {recovery_window: 2h}
            connectors:
              - {name: pbx, kind: jsonl, path: ./in.jsonl}
            """)
        try ws.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        let r = try ws.run(["import", "pbx", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        return ws
    }

    @Test func theCommandAndTheServedListNameTheCallersNeverReached() async throws {
        let port = try ServeTests.freePort()
        let ws = try Self.workspace(port: port)
        let period = ["--from", "2026-03-02", "--to", "2026-03-03", "--now", "2026-03-04T00:00:00Z"]
        let csv = try ws.run(["conversations", "--never-reached", "--format", "csv"] + period)
        #expect(csv.status == 0, "\(csv.stderr)")
        let rows = csv.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        // source, conversation_key, channel, customer, opened_at: the last lost call of each caller never reached.
        #expect(rows.map { Array($0.prefix(5)) } == [
            ["pbx", "c1", "phone", "+15550303", "2026-03-02T10:00:00.000Z"],
            ["pbx", "d1", "phone", "+15550304", "2026-03-02T10:30:00.000Z"],
            ["pbx", "a2", "phone", "+15550301", "2026-03-02T11:00:00.000Z"],
        ])
        let table = try ws.run(["conversations", "--never-reached"] + period)
        #expect(table.status == 0 && table.stdout.contains("\n3 conversations; period"))
        let report = try ws.run(["report", "--format", "json"] + period)
        #expect(report.stdout.contains(#""recovery":{"window":7200,"lost":5,"recovered":1,"rate":0.2,"pending":0,"never_reached":3,"never_reached_calls":4,"#))
        let bad = try ws.run(["conversations", "--never-reached=yes"] + period)
        #expect(bad.status == 2)

        let server = try await ServeTests.serve(ws, log: "serve.log")
        defer { ServeReportTests.stop(server) }
        let served = try ServeReportTests.get(port, "/conversations?from=2026-03-02&to=2026-03-03&now=2026-03-04T00:00:00Z&never-reached=1&format=csv")
        #expect(served.status == 200 && served.body == csv.stdout)
        let off = try ServeReportTests.get(port, "/conversations?from=2026-03-02&to=2026-03-03&now=2026-03-04T00:00:00Z&never-reached=maybe")
        #expect(off.status == 400 && off.body.contains("never-reached"))
    }
}
