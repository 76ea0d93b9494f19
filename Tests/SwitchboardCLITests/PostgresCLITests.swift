import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing

/// `store: {postgres: …}` and `switchboard migrate` end to end on the bundled sample data
/// and on the demo store.
@Suite(.timeLimit(.minutes(10))) struct PostgresCLITests {
    static let reportArgs = ["report", "--format", "json", "--from", "2026-03-01", "--to", "2026-04-01", "--now", "2026-04-01",
                             "--by", "channel,agent", "--by", "week", "--by", "topic"]

    static func config(store: String) -> String {
        return """
            store: \(store)
            timezone: Europe/Moscow
            agents:
              - {id: anna, emails: [anna@example.com]}
              - {id: boris, emails: [boris@example.com]}
            \(SampleConfig.dataSections)
            """
    }

    static func imported(store: String) throws -> Workspace {
        let ws = try Workspace(config: config(store: store))
        for source in ["helpdesk", "surveys"] {
            let r = try ws.run(["import", source, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        return ws
    }

    static let needsServer = ConditionTrait.enabled(if: TestPostgres.serverURL != nil, Comment(rawValue: TestPostgres.skipMessage))

    @Test(needsServer) func migratedDemoStoreGivesByteIdenticalReportsAndMigratingAgainStoresNothing() throws {
        let ws = try ReportHTMLBrowserTests.demoWorkspace()
        let url = try TestPostgres.createDatabase()
        let first = try ws.run(["migrate", "--config", "switchboard.yaml", "--to", url, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let moved = try JSONParser.parse(first.stdout)
        #expect((moved["interactions"]?.number ?? 0) > 100)
        #expect((moved["runs"]?.number ?? 0) > 0)
        let again = try JSONParser.parse(try ws.run(["migrate", "--config", "switchboard.yaml", "--to", url, "--json"]).stdout)
        #expect(again["interactions"]?.number == 0)
        #expect(again["already_there"]?.number == moved["interactions"]?.number)
        #expect(again["checkpoints"]?.number == 0 && again["dead_letters"]?.number == 0 && again["runs"]?.number == 0)

        let sqliteConfig = try String(contentsOf: ws.url("switchboard.yaml"), encoding: .utf8)
        try ws.write("pg.yaml", sqliteConfig.replacingOccurrences(of: "sqlite: ./sb.db", with: "postgres: \"\(url)\""))
        for args in [["report", "--format", "json", "--now", "2026-04-01", "--by", "channel,agent", "--by", "week", "--by", "topic"],
                     ["report", "--format", "json", "--from", "2026-03-02", "--to", "2026-03-20", "--now", "2026-04-01",
                      "--by", "day", "--channel", "phone"],
                     ["report", "--format", "csv", "--now", "2026-04-01", "--by", "agent"]] {
            let fromSQLite = try ws.run(args + ["--config", "switchboard.yaml"])
            let fromPostgres = try ws.run(args + ["--config", "pg.yaml"])
            #expect(fromSQLite.status == 0 && fromPostgres.status == 0, "\(fromSQLite.stderr)\(fromPostgres.stderr)")
            #expect(fromSQLite.stdout.count > 200)
            #expect(fromPostgres.stdout == fromSQLite.stdout, "\(args)")
        }
        let lettersSQLite = try ws.run(["dead-letters", "--config", "switchboard.yaml", "--json"])
        let lettersPostgres = try ws.run(["dead-letters", "--config", "pg.yaml", "--json"])
        #expect(lettersPostgres.stdout == lettersSQLite.stdout)
    }

    @Test(needsServer) func migratedStoreGivesTheSameReportJSONAndMigrateIsIdempotent() throws {
        let sqlite = try Self.imported(store: "{sqlite: ./sb.db}")
        let url = try TestPostgres.createDatabase()
        let first = try sqlite.run(["migrate", "--to", url, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let moved = try JSONParser.parse(first.stdout)
        #expect((moved["interactions"]?.number ?? 0) > 0)
        #expect(moved["already_there"]?.number == 0)
        #expect((moved["runs"]?.number ?? 0) == 2)
        let again = try JSONParser.parse(try sqlite.run(["migrate", "--to", url, "--json"]).stdout)
        #expect(again["interactions"]?.number == 0)
        #expect(again["already_there"]?.number == moved["interactions"]?.number)
        #expect(again["runs"]?.number == 0 && again["dead_letters"]?.number == 0)

        let postgres = try Workspace(config: Self.config(store: "{postgres: \"\(url)\"}"))
        let fromSQLite = try sqlite.run(Self.reportArgs)
        let fromPostgres = try postgres.run(Self.reportArgs)
        #expect(fromSQLite.status == 0 && fromPostgres.status == 0, "\(fromSQLite.stderr)\(fromPostgres.stderr)")
        #expect(!fromSQLite.stdout.isEmpty)
        #expect(fromPostgres.stdout == fromSQLite.stdout)
    }

    @Test(needsServer) func importIntoPostgresGivesTheSameReportJSONAsSQLite() throws {
        let sqlite = try Self.imported(store: "{sqlite: ./sb.db}")
        let postgres = try Self.imported(store: "{postgres: \"\(try TestPostgres.createDatabase())\"}")
        let fromSQLite = try sqlite.run(Self.reportArgs)
        let fromPostgres = try postgres.run(Self.reportArgs)
        #expect(fromPostgres.status == 0, "\(fromPostgres.stderr)")
        #expect(fromPostgres.stdout == fromSQLite.stdout)
        // Topics from the jsonl field and from the rules (applied at import) are in both.
        for topic in ["vip", "delivery", "billing"] { #expect(fromSQLite.stdout.contains(#""\#(topic)":{"conversations":"#), "\(topic)") }
        // Importing again stores nothing new.
        let again = try postgres.run(["import", "helpdesk", "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try JSONParser.parse(again.stdout)["stored"]?.number == 0)
    }

    @Test func unreachablePostgresIsExitOneWithTheServerNamed() throws {
        let ws = try Workspace(config: Self.config(store: "{postgres: \"postgres://sb:pw@127.0.0.1:9/sb?sslmode=disable&connect_timeout=2\"}"))
        let r = try ws.run(["report", "--now", "2026-04-01"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("127.0.0.1:9"))
        #expect(!r.stderr.contains(":pw@"))
    }
}
