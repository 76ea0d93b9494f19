import Foundation
import SwitchboardCore
import SwitchboardStore
import Testing

@Suite(.serialized) struct CLITests {
    @Test func importTwiceStoresNothingTheSecondTime() throws {
        let ws = try Workspace(config: Workspace.basicConfig)
        try ws.write("in.jsonl", Workspace.jsonl(count: 250))
        let first = try ws.run(["import", "helpdesk", "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("helpdesk: read 250, stored 250, duplicates 0, dead letters 0"))
        let second = try ws.run(["import", "helpdesk", "--json"])
        #expect(second.status == 0)
        let json = try JSONParser.parse(second.stdout)
        #expect(json["stored"]?.number == 0)
        #expect(json["duplicates"]?.number == 250)
        let report = try ws.run(["report", "--format", "json"])
        let parsed = try JSONParser.parse(report.stdout)
        #expect(parsed["schema"]?.string == "switchboard.report/v1")
        #expect(parsed["data_quality"]?["sources"]?["helpdesk"]?["stored"]?.number == 250)
    }

    @Test func badLinesAreDeadLetteredAndStrictFails() throws {
        let ws = try Workspace(config: Workspace.basicConfig)
        let bad = [
            "{not json",
            #"{"externalId":"x1","channel":"chat","kind":"message","direction":"inbound","actorRole":"customer","occurredAt":"2026-03-01T10:00:00Z"}"#,
            #"{"externalId":"x2","channel":"pigeon","conversationKey":"c","kind":"message","direction":"inbound","actorRole":"customer","occurredAt":"2026-03-01T10:00:00Z"}"#,
            #"{"externalId":"x3","channel":"chat","conversationKey":"c","kind":"message","direction":"inbound","actorRole":"customer","occurredAt":"tuesday"}"#,
        ]
        try ws.write("in.jsonl", Workspace.jsonl(count: 3) + bad.joined(separator: "\n") + "\n" + Workspace.jsonl(count: 2, start: 3))
        let result = try ws.run(["import", "helpdesk"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("read 9, stored 5, duplicates 0, dead letters 4"))
        let letters = try ws.run(["dead-letters", "list", "--source", "helpdesk", "--json"])
        let list = try #require(try JSONParser.parse(letters.stdout).array)
        #expect(Set(list.compactMap { $0["provenance"]?.string }) == ["file:in.jsonl#L4", "file:in.jsonl#L5", "file:in.jsonl#L6", "file:in.jsonl#L7"])
        try ws.write("in.jsonl", Workspace.jsonl(count: 1, start: 100) + "{broken\n")
        let strict = try ws.run(["import", "helpdesk", "--strict"])
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("stored 1"))
        #expect(strict.stderr.contains("--strict"))
    }

    @Test func configWithThreeMistakesReportsAllAndExitsTwo() throws {
        let ws = try Workspace(config: """
            timezone: Europe/Moskow
            store: {sqlite: ./x.db}
            connectors:
              - name: helpdesk
                kind: jsonl
                pth: ./in.jsonl
              - name: other
                kind: jsnol
            """)
        let result = try ws.run(["check"])
        #expect(result.status == 2)
        let file = ws.url("switchboard.yaml").path
        #expect(result.stderr.contains("3 problems"))
        #expect(result.stderr.contains("\(file):1:11: timezone"))
        #expect(result.stderr.contains("\(file):6:5: connectors[0].pth"))
        #expect(result.stderr.contains("\(file):8:11: connectors[1].kind"))
        #expect(result.stderr.contains("did you mean 'path'"))
        #expect(try ws.run(["import", "helpdesk"]).status == 2)
    }

    @Test func usageErrorsExitTwo() throws {
        let ws = try Workspace(config: Workspace.basicConfig)
        #expect(try ws.run(["import"]).status == 2)
        let unknown = try ws.run(["import", "helpdsk"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("did you mean 'helpdesk'"))
        #expect(try ws.run(["report", "--format", "xml"]).status == 2)
        let missing = try ws.run(["import", "helpdesk", "nope.jsonl"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope.jsonl"))
    }

    @Test func killedImportResumesWithExactCount() async throws {
        let ws = try Workspace(config: Workspace.basicConfig)
        let total = 100_000
        try ws.write("in.jsonl", Workspace.jsonl(count: total))
        // Killed without warning right after the store's second commit, with the reader ahead of it.
        let (process, _, _) = try CLI.start(["import", "helpdesk", "--quiet"], cwd: ws.dir,
                                            env: ["SWITCHBOARD_TEST_CRASH_AFTER_BATCHES": "2"])
        process.waitUntilExit()
        let dbPath = ws.url("data/sb.db").path
        #expect(process.terminationReason == .uncaughtSignal, "the import was expected to be killed")
        let partial = try await SQLiteStore(path: dbPath).count(source: "helpdesk")
        #expect(partial > 0 && partial < total)
        let rerun = try ws.run(["import", "helpdesk", "--json"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let summary = try JSONParser.parse(rerun.stdout)
        #expect(summary["stored"]?.number == Double(total - partial))
        #expect(summary["duplicates"]?.number == Double(partial))
        #expect(try await SQLiteStore(path: dbPath).count(source: "helpdesk") == total)
    }

    @Test func demoAndCheckAllPass() throws {
        let config = CLI.packageRoot.appendingPathComponent("config/demo.yaml").path
        let demo = try CLI.run(["demo", "--config", config], cwd: CLI.packageRoot)
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("Switchboard report"))
        #expect(demo.stdout.contains("CSAT"))
        #expect(!demo.stdout.contains("dead letters 1"))
        // Every topic of the demo is a word: the WhatsApp business number is mapped (`topics` of demo-meta).
        #expect(!demo.stdout.contains("74950000000"))
        #expect(demo.stdout.contains("By topic"))
        let check = try CLI.run(["check", "--all", "--config", config], cwd: CLI.packageRoot,
                                env: ["SWITCHBOARD_REPORT_TOKEN": "example", "PGPASSWORD": "example",
                                      "META_APP_SECRET": "example", "META_VERIFY_TOKEN": "example",
                                      "TELEGRAM_SECRET_TOKEN": "example", "SLACK_SIGNING_SECRET": "example",
                                      "VK_SECRET": "example", "VK_CONFIRMATION": "example", "X_CONSUMER_SECRET": "example",
                                      "HELPDESK_WEBHOOK_SECRET": "whsec_ZXhhbXBsZS1rZXk=",
                                      "SUPPORT_IMAP_PASSWORD": "example", "SMTP_PASSWORD": "example",
                                      "GOOGLE_CLIENT_SECRET": "example", "SUPPORT_REFRESH_TOKEN": "example",
                                      "SWITCHBOARD_TOKEN_KEY": "example-token-key-0123456789",
                                      "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/example",
                                      "TG_BOT_TOKEN": "123456:example", "OPS_WEBHOOK_SECRET": "whsec_ZXhhbXBsZS1rZXk="])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("switchboard.example.yaml: ok"))
    }

    @Test func connectorsListsKindsAndSettings() throws {
        let result = try CLI.run(["connectors", "--json"], cwd: CLI.packageRoot)
        #expect(result.status == 0)
        let kinds = try #require(try JSONParser.parse(result.stdout).array)
        let jsonl = try #require(kinds.first { $0["kind"]?.string == "jsonl" })
        #expect(jsonl["roles"]?[0]?.string == "import")
        #expect(jsonl["settings"]?[0]?["key"]?.string == "path")
    }
}
