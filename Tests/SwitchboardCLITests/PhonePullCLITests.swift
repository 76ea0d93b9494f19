import Foundation
import SwitchboardCore
import SwitchboardStore
import Testing

/// End-to-end runs of the phone connectors through the `switchboard` binary.
@Suite(.serialized) struct PhonePullCLITests {
    static let config = """
        store: {sqlite: ./data/sb.db}
        timezone: UTC
        \(SampleConfig.pbxAgents)
        connectors:
        \(SampleConfig.pbxSource())
        """

    /// `count` two-leg Asterisk calls in 21-column cdr_csv rows, 10 s apart.
    static func cdr(calls count: Int, start: Int = 0) -> String {
        var out = ""
        out.reserveCapacity(count * 2 * 330)
        let base = 1_772_000_000
        for n in start..<(start + count) {
            let t = base + n * 10
            let s = stamp(t), a = stamp(t + 4), e = stamp(t + 64)
            let id = "\(t).\(n)"
            out += #""","8916\#(String(1_000_000 + n % 9_000_000))","100","from-trunk","""Caller"" <89160000000>","SIP/trunk-\#(n)","SIP/302-\#(n)","Dial","SIP/301&SIP/302,30","\#(s)",,"\#(a)",4,0,"NO ANSWER","DOCUMENTATION","\#(id)","","","\#(id)",\#(2 * n)"#
            out += "\n"
            out += #""","8916\#(String(1_000_000 + n % 9_000_000))","100","from-trunk","""Caller"" <89160000000>","SIP/trunk-\#(n)","SIP/301-\#(n)","Dial","SIP/301&SIP/302,30","\#(s)","\#(a)","\#(e)",64,60,"ANSWERED","DOCUMENTATION","\#(id)","","","\#(id)",\#(2 * n + 1)"#
            out += "\n"
        }
        return out
    }

    static func stamp(_ epoch: Int) -> String {
        let d = Timestamp.formatISO8601(Date(timeIntervalSince1970: Double(epoch)))
        return String(d.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    static func append(_ text: String, to url: URL) throws {
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        let h = try FileHandle(forWritingTo: url)
        try h.seekToEnd()
        try h.write(contentsOf: Data(text.utf8))
        try h.close()
    }

    @Test func pullKilledMidwayLosesAndDoublesNothing() async throws {
        let ws = try Workspace(config: Self.config)
        let file = ws.url("Master.csv")
        let firstCalls = 1_000, total = 50_000
        try Self.append(Self.cdr(calls: firstCalls), to: file)
        let first = try ws.run(["pull", "pbx", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try JSONParser.parse(first.stdout)["stored"]?.number == Double(firstCalls))
        // The PBX keeps writing; the next pull is killed without warning right after its third commit,
        // with the reader already ahead of what is committed.
        try Self.append(Self.cdr(calls: total - firstCalls, start: firstCalls), to: file)
        let (process, _, _) = try CLI.start(["pull", "pbx", "--quiet"], cwd: ws.dir,
                                            env: ["SWITCHBOARD_TEST_CRASH_AFTER_BATCHES": "3"])
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the pull was expected to be killed")
        let dbPath = ws.url("data/sb.db").path
        let partial = try await SQLiteStore(path: dbPath).count(source: "pbx")
        #expect(partial > firstCalls && partial < total)
        // The next pull resumes from the last committed checkpoint.
        let rerun = try ws.run(["pull", "pbx", "--json"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let summary = try JSONParser.parse(rerun.stdout)
        #expect(summary["stored"]?.number == Double(total - partial))
        #expect(summary["deadLetters"]?.number == 0)
        #expect(try await SQLiteStore(path: dbPath).count(source: "pbx") == total)
        // A further pull finds nothing new.
        let idle = try JSONParser.parse(try ws.run(["pull", "pbx", "--json"]).stdout)
        #expect(idle["read"]?.number == 0)
    }

    @Test func importOfTheRealMasterThroughTheCLI() throws {
        let master = CLI.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/samples/real/asterisk/Master.csv")
        let ws = try Workspace(config: """
            store: {sqlite: ./data/sb.db}
            timezone: Asia/Irkutsk
            phone: {default_country: RU}
            connectors:
              - name: pbx
                kind: asterisk-cdr
                path: \(master.path)
            """)
        let result = try ws.run(["import", "pbx"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("pbx: read 36, stored 36, duplicates 0, dead letters 0"))
    }
}
