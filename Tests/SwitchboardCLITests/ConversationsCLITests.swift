import Foundation
import SwitchboardCore
import Testing

/// `switchboard conversations` as a user runs it: the CSV read by Python's `csv` module, JSON Lines, the
/// table, the clocks of `explain`, hashed customers and usage errors.
@Suite(.serialized) struct ConversationsCLITests {
    /// Four conversations: T-1 (repeat of the customer in T-4), T-2 (two agents, topics with a comma),
    /// T-3 (no reply: unresolved), T-4 (first-contact resolved).
    static let lines = [
        #"{"externalId":"1a","channel":"email","conversationKey":"T-1","kind":"message","direction":"inbound","actorRole":"customer","customerKey":"olga@example.org","occurredAt":"2026-03-02T09:00:00Z","subject":"Invoice","topics":["vip"]}"#,
        #"{"externalId":"1b","channel":"email","conversationKey":"T-1","kind":"message","direction":"outbound","actorRole":"agent","actorId":"anna","occurredAt":"2026-03-02T10:30:00Z"}"#,
        #"{"externalId":"1c","channel":"email","conversationKey":"T-1","kind":"status","direction":"internal","actorRole":"agent","actorId":"anna","occurredAt":"2026-03-02T11:00:00Z","status":{"to":"resolved"}}"#,
        #"{"externalId":"2a","channel":"chat","conversationKey":"T-2","kind":"message","direction":"inbound","actorRole":"customer","customerKey":"+15550001","occurredAt":"2026-03-03T10:00:00Z","topics":["billing","late, again"]}"#,
        #"{"externalId":"2b","channel":"chat","conversationKey":"T-2","kind":"message","direction":"outbound","actorRole":"agent","actorId":"anna","occurredAt":"2026-03-03T10:02:00Z"}"#,
        #"{"externalId":"2c","channel":"chat","conversationKey":"T-2","kind":"message","direction":"outbound","actorRole":"agent","actorId":"boris","occurredAt":"2026-03-03T10:10:00Z"}"#,
        #"{"externalId":"2d","channel":"chat","conversationKey":"T-2","kind":"status","direction":"internal","actorRole":"system","occurredAt":"2026-03-03T10:20:00Z","status":{"to":"resolved"}}"#,
        #"{"externalId":"3a","channel":"email","conversationKey":"T-3","kind":"message","direction":"inbound","actorRole":"customer","customerKey":"ivan@example.org","occurredAt":"2026-03-04T12:00:00Z"}"#,
        #"{"externalId":"4a","channel":"chat","conversationKey":"T-4","kind":"message","direction":"inbound","actorRole":"customer","customerKey":"olga@example.org","occurredAt":"2026-03-05T08:00:00Z"}"#,
        #"{"externalId":"4b","channel":"chat","conversationKey":"T-4","kind":"message","direction":"outbound","actorRole":"agent","actorId":"anna","occurredAt":"2026-03-05T08:01:00Z"}"#,
        #"{"externalId":"4c","channel":"chat","conversationKey":"T-4","kind":"status","direction":"internal","actorRole":"system","occurredAt":"2026-03-05T08:30:00Z","status":{"to":"resolved"}}"#,
    ]

    static func workspace(hashed: Bool = false) throws -> Workspace {
        let ws = try Workspace(config: """
            store: {sqlite: ./sb.db}
            timezone: UTC
            agents:
              - {id: anna, emails: [anna@example.com]}
              - {id: boris, emails: [boris@example.com]}
            privacy: {hash_identities: \(hashed)}
            connectors:
              - {name: desk, kind: jsonl, path: ./in.jsonl}
            """)
        try ws.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        let r = try ws.run(["import", "desk", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        return ws
    }

    static let period = ["--from", "2026-03-01", "--to", "2026-04-01", "--now", "2026-04-01T00:00:00Z"]

    /// The CSV file as Python's csv.DictReader reads it, one dictionary per row.
    static func pythonRows(_ file: URL) throws -> [[String: String]] {
        let script = "import csv, json, sys\nprint(json.dumps(list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))))"
        let r = try CLI.runTool("/usr/bin/env", ["python3", "-c", script, file.path])
        #expect(r.status == 0, "\(r.stderr)")
        let parsed = try JSONParser.parse(r.stdout)
        return (parsed.array ?? []).map { row in
            Dictionary(uniqueKeysWithValues: (row.members ?? []).map { ($0.0, $0.1.string ?? "") })
        }
    }

    @Test func csvOpensInPythonAsTheExpectedRows() throws {
        let ws = try Self.workspace()
        let r = try ws.run(["conversations", "--format", "csv", "--out", "list.csv"] + Self.period)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try Self.pythonRows(ws.url("list.csv"))
        let pinned = ["source", "conversation_key", "channel", "customer", "opened_at", "first_response_at", "resolved_at", "agent", "topics", "fcr"]
        let expected: [[String]] = [
            ["desk", "T-1", "email", "olga@example.org", "2026-03-02T09:00:00.000Z", "2026-03-02T10:30:00.000Z", "2026-03-02T11:00:00.000Z", "anna", "vip", "no"],
            ["desk", "T-2", "chat", "+15550001", "2026-03-03T10:00:00.000Z", "2026-03-03T10:02:00.000Z", "2026-03-03T10:20:00.000Z", "anna", "billing; late, again", "no"],
            ["desk", "T-3", "email", "ivan@example.org", "2026-03-04T12:00:00.000Z", "", "", "", "", ""],
            ["desk", "T-4", "chat", "olga@example.org", "2026-03-05T08:00:00.000Z", "2026-03-05T08:01:00.000Z", "2026-03-05T08:30:00.000Z", "anna", "", "yes"],
        ]
        #expect(rows.count == expected.count)
        for (row, want) in zip(rows, expected) {
            #expect(pinned.map { row[$0] ?? "<missing>" } == want)
        }
        #expect(rows[0]["fcr_why"] == "repeat on chat: desk/T-4 at 2026-03-05T08:00:00.000Z")
        #expect(rows[1]["fcr_why"] == "second agent (2 agents took part)")
        #expect(rows[1]["agents"] == "anna; boris")
        #expect(rows[0]["frt_seconds"] == "5400" && rows[1]["frt_seconds"] == "120" && rows[3]["resolution_seconds"] == "1800")

        // Conditions select rows; the same columns.
        let notFCR = try ws.run(["conversations", "--format", "csv", "--not-fcr", "--out", "not-fcr.csv"] + Self.period)
        #expect(notFCR.status == 0, "\(notFCR.stderr)")
        #expect(try Self.pythonRows(ws.url("not-fcr.csv")).map { $0["conversation_key"] ?? "" } == ["T-1", "T-2"])
        let slow = try ws.run(["conversations", "--format", "csv", "--frt-over", "1h", "--channel", "email"] + Self.period)
        #expect(slow.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] } == ["T-1"])
    }

    @Test func tableAndJSONLinesCarryTheClocksOfExplain() throws {
        let ws = try Self.workspace()
        let jsonl = try ws.run(["conversations", "--format", "jsonl", "--unresolved", "--sort=-opened"] + Self.period)
        #expect(jsonl.status == 0, "\(jsonl.stderr)")
        let lines = jsonl.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let row = try JSONParser.parse(String(lines[0]))
        #expect(row["conversation_key"]?.string == "T-3" && row["resolved_at"]?.isNull == true && row["fcr"]?.isNull == true)

        let table = try ws.run(["conversations", "--sort=-frt"] + Self.period)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("4 conversations"))
        let order = ["desk/T-1", "desk/T-2", "desk/T-4", "desk/T-3"].compactMap { table.stdout.range(of: "\n\($0) ")?.lowerBound }
        #expect(order.count == 4 && order == order.sorted(), "longest first response first, none last:\n\(table.stdout)")

        // The same numbers as explain.
        let explain = try ws.run(["explain", "desk/T-2", "--now", "2026-04-01T00:00:00Z"])
        #expect(explain.stdout.contains("FRT: 120s"))
        #expect(explain.stdout.contains("resolution time: 1200s"))
        let csv = try ws.run(["conversations", "--format", "csv"] + Self.period)
        #expect(csv.stdout.contains(",120,") && csv.stdout.contains(",1200,"))
    }

    @Test func customersAreHashedUnderHashIdentities() throws {
        let ws = try Self.workspace(hashed: true)
        let r = try ws.run(["conversations", "--format", "csv", "--out", "list.csv"] + Self.period)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try Self.pythonRows(ws.url("list.csv"))
        #expect(rows.map { $0["customer"] ?? "" } == ["olga@example.org", "+15550001", "ivan@example.org", "olga@example.org"]
            .map(PrivacySettings.hashIdentity))
        #expect(!(try String(contentsOf: ws.url("list.csv"), encoding: .utf8)).contains("example.org"))
    }

    @Test func unknownConditionsAndMalformedDurationsAreUsageErrors() throws {
        let ws = try Self.workspace()
        let cases: [([String], String)] = [
            (["--frt-over", "4x"], "--frt-over '4x': expected a duration"),
            (["--resolution-over", "soon"], "--resolution-over 'soon': expected a duration"),
            (["--frt-overdue", "4h"], "--frt-overdue"),
            (["--in-backlog-at", "someday"], "--in-backlog-at 'someday': expected a date"),
            (["--survey-below", "low"], "--survey-below 'low'"),
            (["--sort", "colour"], "--sort 'colour': expected one of opened"),
            (["--format", "xlsx"], "--format 'xlsx': expected one of table, csv, jsonl"),
            (["--channel", "pigeon"], "--channel 'pigeon'"),
        ]
        for (args, message) in cases {
            let r = try ws.run(["conversations"] + args)
            #expect(r.status == 2, "\(args): exit \(r.status)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }
}
