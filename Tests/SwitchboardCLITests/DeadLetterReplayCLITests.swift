import Foundation
import SwitchboardCore
import SwitchboardScan
import SwitchboardStore
import SwitchboardTesting
import Testing

/// `switchboard dead-letters replay` end to end, on SQLite and on PostgreSQL: records rejected at import
/// (or delivery), the config fixed, the replay stores them, a second replay stores nothing; a removed source
/// or a changed kind changes nothing; `--dry-run` writes nothing.
@Suite(.timeLimit(.minutes(10))) struct DeadLetterReplayCLITests {
    enum Store: String, CaseIterable, CustomStringConvertible {
        case sqlite, postgres
        var description: String { rawValue }

        /// The config's `store:` line for a fresh store (a PostgreSQL case skips itself without a server).
        func line() throws -> String {
            switch self {
            case .sqlite: return "store: {sqlite: ./data/sb.db}"
            case .postgres:
                guard TestPostgres.serverURL != nil else { try Test.cancel(Comment(rawValue: TestPostgres.skipMessage)) }
                return "store: {postgres: \"\(try TestPostgres.createDatabase())\"}"
            }
        }
    }

    static func config(_ store: String, _ connectors: String) -> String {
        """
        \(store)
        timezone: Europe/Moscow
        agents:
          - {id: anna, emails: [anna@example.com]}
        connectors:
        \(connectors)
        """
    }

    static func expectOK(_ r: CLI.Result, _ context: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 0, "\(context): \(r.stderr)\(r.stdout)", sourceLocation: sourceLocation)
    }

    /// The replay marks of a source's letters, by provenance (`dead-letters list --json`).
    static func marks(_ ws: Workspace, _ source: String) throws -> [String: String] {
        let r = try ws.run(["dead-letters", "list", "--source", source, "--json"])
        expectOK(r, "list")
        var out: [String: String] = [:]
        for item in try JSONParser.parse(r.stdout).array ?? [] {
            out[item["provenance"]?.string ?? ""] = item["replay_outcome"]?.string ?? "-"
        }
        return out
    }

    static let jsonlSource = """
          - name: helpdesk
            kind: jsonl
            path: ./in.jsonl
        """

    static let jsonlLines = """
        {"externalId":"m-1","channel":"chat","conversationKey":"c-1","kind":"message","direction":"inbound","actorRole":"customer","occurredAt":"2026-03-02T10:00:00Z"}
        {"externalId":"m-2","channel":"telephone","conversationKey":"c-2","kind":"message","direction":"inbound","actorRole":"customer","occurredAt":"2026-03-02T11:00:00Z"}
        {"externalId":"m-3","channel":"email","conversationKey":"c-3","kind":"message","direction":"inbound","actorRole":"customer","occurredAt":"2026-03-02T12:00:00Z"}

        """

    @Test(arguments: Store.allCases) func aJSONLinesBadEnumIsStoredAfterTheConfigIsFixedAndOnlyOnce(_ store: Store) async throws {
        let storeLine = try store.line()
        let ws = try Workspace(config: Self.config(storeLine, Self.jsonlSource))
        try ws.write("in.jsonl", Self.jsonlLines)
        let imported = try ws.run(["import", "helpdesk", "--quiet"])
        Self.expectOK(imported, "import")
        #expect(imported.stdout.contains("read 3, stored 2, duplicates 0, dead letters 1"), "\(imported.stdout)")

        // Bad options are usage errors; filters that match no letter try nothing.
        let badSince = try ws.run(["dead-letters", "replay", "--since", "someday"])
        #expect(badSince.status == 2 && badSince.stderr.contains("--since 'someday'"), "\(badSince.stderr)")
        for filter in [["--reason", "no such reason"], ["--since", "2099-01-01"]] {
            let none = try ws.run(["dead-letters", "replay", "--source", "helpdesk", "--quiet"] + filter)
            #expect(none.stdout.contains("helpdesk: read 0, stored 0, duplicates 0, dead letters 0"), "\(filter): \(none.stdout)")
        }
        #expect(try Self.marks(ws, "helpdesk") == ["file:in.jsonl#L2": "-"], "a letter not selected is not marked")

        // Before the fix the letter still fails: it stays, marked failed, with the reason of this replay.
        let early = try ws.run(["dead-letters", "replay", "--source", "helpdesk", "--reason", "TELEPHONE", "--since", "2026-01-01",
                                "--quiet"])
        Self.expectOK(early, "replay before the fix")
        #expect(early.stdout.contains("helpdesk: read 1, stored 0, duplicates 0, dead letters 1"), "\(early.stdout)")
        #expect(try Self.marks(ws, "helpdesk") == ["file:in.jsonl#L2": "failed"])
        let listed = try ws.run(["dead-letters", "list", "--source", "helpdesk"])
        #expect(listed.stdout.contains("'telephone' is not one of") && listed.stdout.contains(": failed"), "\(listed.stdout)")

        // The fix: the system's word for the channel, mapped in the config.
        try ws.write("switchboard.yaml", Self.config(storeLine, Self.jsonlSource + "\n    values: {channel: {telephone: phone}}"))
        let before = try ws.run(["dead-letters", "list", "--json"]).stdout
        let dry = try ws.run(["dead-letters", "replay", "--source", "helpdesk", "--dry-run"])
        Self.expectOK(dry, "dry run")
        #expect(dry.stdout.contains("file:in.jsonl#L2: would store 1 interaction"), "\(dry.stdout)")
        #expect(dry.stdout.contains("nothing was written"))
        #expect(try ws.run(["dead-letters", "list", "--json"]).stdout == before, "a dry run changes no letter")

        let replay = try ws.run(["dead-letters", "replay", "--source", "helpdesk", "--quiet"])
        Self.expectOK(replay, "replay")
        #expect(replay.stdout.contains("helpdesk: read 1, stored 1, duplicates 0, dead letters 0"),
                "the dry run wrote nothing, so the replay stores the record: \(replay.stdout)")
        #expect(try Self.marks(ws, "helpdesk") == ["file:in.jsonl#L2": "stored"], "the letter is kept and marked")
        let again = try ws.run(["dead-letters", "replay", "--source", "helpdesk", "--quiet"])
        Self.expectOK(again, "second replay")
        #expect(again.stdout.contains("helpdesk: read 0, stored 0, duplicates 0, dead letters 0"), "\(again.stdout)")

        // The record is stored as the import would have stored it.
        let stored = try await Self.interactions(store, ws, source: "helpdesk")
        #expect(stored.map(\.externalId).sorted() == ["m-1", "m-2", "m-3"])
        #expect(stored.first { $0.externalId == "m-2" }?.channel == .phone)
        #expect(stored.first { $0.externalId == "m-2" }?.provenance == "file:in.jsonl#L2")
        let report = try JSONParser.parse(try ws.run(["report", "--format", "json", "--from", "2026-03-01", "--to", "2026-04-01",
                                                      "--now", "2026-04-01"]).stdout)
        #expect(report["overall"]?["conversations"]?.number == 3)
        #expect(report["data_quality"]?["sources"]?["helpdesk"]?["dead_letters"]?.number == 0)
    }

    static let phoneSource = """
          - name: calls
            kind: phone-csv
            path: ./calls.csv
        """

    @Test(arguments: Store.allCases) func aPhoneCSVRowWithAnUnmappedOutcomeIsStoredOnceTheMapHasIt(_ store: Store) async throws {
        let storeLine = try store.line()
        let ws = try Workspace(config: Self.config(storeLine, Self.phoneSource))
        try ws.write("calls.csv", """
            id,start,from,to,status,wait,talk
            c1,2026-03-02T10:00:00+03:00,+79161234567,301,completed,12,100
            c2,2026-03-02T11:00:00+03:00,+79161234568,301,Transferred,20,65
            c3,2026-03-02T12:00:00+03:00,+79161234569,301,busy,,

            """)
        let imported = try ws.run(["import", "calls", "--quiet"])
        Self.expectOK(imported, "import")
        #expect(imported.stdout.contains("read 3, stored 2, duplicates 0, dead letters 1"), "\(imported.stdout)")
        let listed = try ws.run(["dead-letters", "list", "--source", "calls"])
        #expect(listed.stdout.contains("outcome 'Transferred' is not known: add it to outcome_map"), "\(listed.stdout)")

        try ws.write("switchboard.yaml", Self.config(storeLine, Self.phoneSource + "\n    outcome_map: {transferred: answered}"))
        let replay = try ws.run(["dead-letters", "replay", "--source", "calls", "--quiet"])
        Self.expectOK(replay, "replay")
        #expect(replay.stdout.contains("calls: read 1, stored 1, duplicates 0, dead letters 0"), "\(replay.stdout)")
        let again = try ws.run(["dead-letters", "replay", "--source", "calls", "--quiet"])
        #expect(again.stdout.contains("calls: read 0, stored 0, duplicates 0, dead letters 0"), "\(again.stdout)")
        #expect(try Self.marks(ws, "calls") == ["file:calls.csv#L3": "stored"])

        // The row was read under its file's header: the call is answered with its wait and talk.
        let call = try #require(try await Self.interactions(store, ws, source: "calls").first { $0.externalId.contains("c2") })
        #expect(call.call?.outcome == .answered && call.call?.waitSeconds == 20 && call.call?.talkSeconds == 65)
        // Importing the file again now stores the row as a duplicate of the replayed one.
        let reimport = try ws.run(["import", "calls", "--quiet"])
        #expect(reimport.stdout.contains("read 3, stored 0, duplicates 3, dead letters 0"), "\(reimport.stdout)")
    }

    @Test(arguments: Store.allCases) func aRemovedSourceOrAChangedKindIsRefusedAndChangesNothing(_ store: Store) throws {
        let storeLine = try store.line()
        let ws = try Workspace(config: Self.config(storeLine, Self.jsonlSource))
        try ws.write("in.jsonl", Self.jsonlLines)
        Self.expectOK(try ws.run(["import", "helpdesk", "--quiet"]), "import")
        let before = try ws.run(["dead-letters", "list", "--json"]).stdout

        try ws.write("switchboard.yaml", Self.config(storeLine, Self.jsonlSource.replacingOccurrences(of: "helpdesk", with: "desk")))
        let removed = try ws.run(["dead-letters", "replay", "--source", "helpdesk"])
        #expect(removed.status == 2)
        #expect(removed.stderr.contains("no connector named 'helpdesk'") && removed.stderr.contains("Nothing was replayed"),
                "\(removed.stderr)")
        // Without --source, a source no longer configured is skipped and named; its letters stay as they are.
        let all = try ws.run(["dead-letters", "replay"])
        #expect(all.status == 0 && all.stderr.contains("skipped 'helpdesk'"), "\(all.stderr)")
        #expect(try ws.run(["dead-letters", "list", "--json"]).stdout == before, "no letter was touched")

        try ws.write("switchboard.yaml", Self.config(storeLine, """
              - name: helpdesk
                kind: mbox
                path: ./mail.mbox
            """))
        let changed = try ws.run(["dead-letters", "replay", "--source", "helpdesk"])
        #expect(changed.status == 2)
        #expect(changed.stderr.contains("written by kind jsonl") && changed.stderr.contains("now of kind mbox"), "\(changed.stderr)")
        #expect(try ws.run(["dead-letters", "list", "--json"]).stdout == before, "no letter was touched")
        let runs = try ws.run(["dead-letters", "replay", "--source", "helpdesk", "--dry-run"])
        #expect(runs.status == 2, "a dry run checks the same")
    }

    /// The stored interactions of a source, read from the store the workspace's config names.
    static func interactions(_ store: Store, _ ws: Workspace, source: String) async throws -> [Interaction] {
        let opened = try await open(store, ws)
        let found = Found()
        try await opened.scan(InteractionQuery(sources: [source])) { found.add($0) }
        (opened as? PostgresStore)?.close()
        return found.all
    }

    static func open(_ store: Store, _ ws: Workspace) async throws -> any MetricsStore {
        let config = try String(contentsOf: ws.url("switchboard.yaml"), encoding: .utf8)
        switch store {
        case .sqlite:
            try FileManager.default.createDirectory(at: ws.url("data"), withIntermediateDirectories: true)
            return try SQLiteStore(path: ws.url("data/sb.db").path)
        case .postgres:
            let start = try #require(config.range(of: "postgres: \"")), rest = config[start.upperBound...]
            let url = String(rest[..<(try #require(rest.firstIndex(of: "\"")))])
            return try await PostgresStore.open(url: url)
        }
    }
}

/// Collects interactions from a `@Sendable` scan callback.
private final class Found: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Interaction] = []
    func add(_ i: Interaction) { lock.withLock { list.append(i) } }
    var all: [Interaction] { lock.withLock { list } }
}
