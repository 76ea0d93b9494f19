import Foundation
import SwitchboardCore
import Testing

/// `switchboard import` on hostile and repeated files, the real binary: memory stays bounded whatever one
/// record's size, and a file imported again adds no dead letters.
@Suite(.serialized) struct ImportLimitsCLITests {
    /// Writes `parts` to `url` one after the other (each part may be a generator of many megabytes).
    static func write(_ url: URL, _ parts: [(Int, () -> Data)]) throws {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        for (times, part) in parts { for _ in 0..<times { try handle.write(contentsOf: part()) } }
    }

    @Test func aJSONLinesLineOf256MiBIsOneDeadLetterAndMemoryStaysSmall() throws {
        let ws = try Workspace(config: """
            store: {sqlite: ./data/sb.db}
            timezone: UTC
            connectors:
              - name: helpdesk
                kind: jsonl
                path: ./in.jsonl
                max_record_bytes: 1MiB
            """)
        let mib = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        try Self.write(ws.url("in.jsonl"), [
            (1, { Data(Workspace.jsonl(count: 2).utf8) }),
            (1, { Data(#"{"externalId":"huge","text":""#.utf8) }), (256, { mib }), (1, { Data("\"}\n".utf8) }),
            (1, { Data(Workspace.jsonl(count: 3, start: 2).utf8) }),
        ])
        let run = try PeakMemory.run(["import", "helpdesk", "--config", ws.url("switchboard.yaml").path])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("read 6, stored 5, duplicates 0, dead letters 1"), "\(run.output)")
        #expect(run.maxResidentMiB < 128, "import peaked at \(run.maxResidentMiB) MiB for a 256 MiB line")
        print("jsonl with a 256 MiB line: peak resident \(Int(run.maxResidentMiB)) MiB, \(run.seconds) s")
        let letters = try ws.run(["dead-letters", "list", "--source", "helpdesk", "--json"])
        let list = try #require(try JSONParser.parse(letters.stdout).array)
        #expect(list.map { $0["provenance"]?.string } == ["file:in.jsonl#L3"])
        #expect(list.first?["reason"]?.string?.hasPrefix("in.jsonl:3: line 3 is 256.0 MiB (268435487 bytes)") == true)
    }

    @Test func aSlackDayFileIsReadOneMessageAtATime() throws {
        let ws = try Workspace(config: """
            store: {sqlite: ./data/sb.db}
            timezone: UTC
            connectors:
              - name: slack
                kind: slack-export
                path: ./export
                max_record_bytes: 1MiB
            """)
        let day = ws.url("export/support/2024-03-15.json")
        try FileManager.default.createDirectory(at: day.deletingLastPathComponent(), withIntermediateDirectories: true)
        try #"[{"id": "U1", "real_name": "Olga"}]"#.write(to: ws.url("export/users.json"), atomically: true, encoding: .utf8)
        try #"[{"id": "C1", "name": "support"}]"#.write(to: ws.url("export/channels.json"), atomically: true, encoding: .utf8)
        // 20,000 messages of 2 KB around two messages of 160 MiB each: a 360 MB day file.
        let text = String(repeating: "a long pasted log line ", count: 90)
        var n = 0
        let messages = {
            let block = (0..<1000).map { i -> String in
                #"{"type": "message", "user": "U1", "text": "\#(text)", "ts": "\#(1_710_496_800 + n * 1000 + i).000100"},"#
            }.joined(separator: "\n")
            n += 1
            return Data(block.utf8)
        }
        let mib = Data(repeating: UInt8(ascii: "y"), count: 1 << 20)
        let huge = Data(#"{"type": "message", "user": "U1", "text": ""#.utf8)
        try Self.write(day, [
            (1, { Data("[".utf8) }), (10, messages),
            (1, { huge }), (160, { mib }), (1, { Data("\"},\n".utf8) }),
            (1, { huge }), (160, { mib }), (1, { Data("\"},\n".utf8) }),
            (10, messages), (1, { Data(#"{"type": "message", "user": "U1", "text": "last", "ts": "1800000000.000100"}]"#.utf8) }),
        ])
        let size = try #require(try FileManager.default.attributesOfItem(atPath: day.path)[.size] as? Int)
        let run = try PeakMemory.run(["import", "slack", "--config", ws.url("switchboard.yaml").path])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("read 20003, stored 20001, duplicates 0, dead letters 2"), "\(run.output)")
        #expect(run.maxResidentMiB < 256, "import peaked at \(run.maxResidentMiB) MiB for a \(size >> 20) MiB day file")
        print("Slack day file of \(size >> 20) MiB: peak resident \(Int(run.maxResidentMiB)) MiB, \(run.seconds) s")
        let letters = try ws.run(["dead-letters", "list", "--source", "slack", "--json"])
        let reasons = try #require(try JSONParser.parse(letters.stdout).array).compactMap { $0["reason"]?.string }
        #expect(reasons.count == 2)
        #expect(reasons.allSatisfy { $0.contains("is 160.0 MiB") && $0.contains("more than max_record_bytes (1.0 MiB)") })
    }

    @Test func importingTheSameFileTwiceStoresItsDeadLettersOnce() throws {
        let ws = try Workspace(config: Workspace.basicConfig)
        try ws.write("in.jsonl", Workspace.jsonl(count: 3) + "{not json\n" + #"{"externalId":"x2","channel":"pigeon"}"# + "\n")
        for _ in 0..<2 {
            let result = try ws.run(["import", "helpdesk"])
            #expect(result.status == 0, "\(result.stderr)")
            // Every run still says how many lines it rejected.
            #expect(result.stdout.contains("dead letters 2"), "\(result.stdout)")
        }
        let letters = try ws.run(["dead-letters", "list", "--source", "helpdesk", "--json"])
        let list = try #require(try JSONParser.parse(letters.stdout).array)
        #expect(list.compactMap { $0["provenance"]?.string }.sorted() == ["file:in.jsonl#L4", "file:in.jsonl#L5"])
        let report = try ws.run(["report", "--format", "json", "--from", "2026-03-01", "--to", "2026-04-01", "--now", "2026-04-01"])
        #expect(report.status == 0, "\(report.stderr)")
        let json = try JSONParser.parse(report.stdout)
        #expect(json["data_quality"]?["sources"]?["helpdesk"]?["dead_letters"]?.number == 2)
    }
}
