import Foundation
import SwitchboardCore
import Testing

/// `switchboard report` and `switchboard explain` end to end on the bundled demo data in SQLite.
@Suite(.serialized) struct ReportCLITests {
    static func workspace() throws -> Workspace {
        let ws = try Workspace(config: """
            store: {sqlite: ./sb.db}
            timezone: Europe/Moscow
            agents:
              - {id: anna, emails: [anna@example.com]}
              - {id: boris, emails: [boris@example.com]}
            \(SampleConfig.dataSections)
            """)
        for source in ["helpdesk", "surveys"] {
            let r = try ws.run(["import", source, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        return ws
    }

    @Test func jsonReportWithBreakdownsFiltersAndPinnedNowIsStable() throws {
        let ws = try Self.workspace()
        let args = ["report", "--format", "json", "--from", "2026-03-01", "--to", "2026-04-01", "--now", "2026-04-01",
                    "--by", "channel,agent", "--by", "week"]
        let first = try ws.run(args)
        #expect(first.status == 0, "\(first.stderr)")
        let json = try JSONParser.parse(first.stdout)
        #expect(json["schema"]?.string == "switchboard.report/v1")
        #expect(json["period"]?["from"]?.string == "2026-02-28T21:00:00.000Z")
        #expect(json["overall"]?["conversations"]?.number == 4)
        #expect(json["overall"]?["frt"]?["count"]?.number == 3)
        #expect(json["by_channel"]?["chat"]?["frt"]?["median"]?.number == 190)
        #expect(json["by_agent"]?["anna"] != nil)
        #expect(json["by_week"]?["2026-W10"] != nil)
        #expect(json["data_quality"]?["sources"]?["surveys"]?["stored"]?.number == 6)
        #expect(try ws.run(args).stdout == first.stdout)
        let email = try JSONParser.parse(try ws.run(args + ["--channel", "email"]).stdout)
        #expect(email["overall"]?["conversations"]?.number == 2)
    }

    @Test func tableAndCSVAndBadArguments() throws {
        let ws = try Self.workspace()
        let table = try ws.run(["report", "--now", "2026-04-01"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("FRT mean / median / p90"))
        #expect(table.stdout.contains("MISSED") || table.stdout.contains("met"))
        let csv = try ws.run(["report", "--format", "csv", "--now", "2026-04-01", "--by", "source"])
        #expect(csv.stdout.hasPrefix("breakdown,group,metric,value\n"))
        #expect(csv.stdout.contains("source,helpdesk,conversations,4"))
        #expect(try ws.run(["report", "--by", "colour"]).status == 2)
        let badNow = try ws.run(["report", "--now", "someday"])
        #expect(badNow.status == 2)
        #expect(badNow.stderr.contains("--now 'someday'"))
    }

    @Test func explainPrintsClocks() throws {
        let ws = try Self.workspace()
        let r = try ws.run(["explain", "T-1001", "--now", "2026-04-01"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Conversation helpdesk/T-1001"))
        #expect(r.stdout.contains("first response by anna"))
        #expect(r.stdout.contains("resolved (status)"))
        #expect(r.stdout.contains("FCR"))
        let missing = try ws.run(["explain", "T-404"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no conversation with key 'T-404'"))
    }
}
