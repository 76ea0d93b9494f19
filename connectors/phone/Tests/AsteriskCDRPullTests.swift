import Foundation
import Testing
import SwitchboardCore
import SwitchboardTesting
@testable import PhoneConnectors

@Suite("asterisk-cdr pull")
struct AsteriskCDRPullTests {
    /// The real Master.csv split into its lines (with their newlines).
    static func masterLines() throws -> [Data] {
        let data = try Data(contentsOf: PhoneTestSupport.realSample("asterisk/Master.csv"))
        return data.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { Data($0) + Data([0x0A]) }
    }

    static func append(_ data: Data, to url: URL) throws {
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        let h = try FileHandle(forWritingTo: url)
        try h.seekToEnd()
        try h.write(contentsOf: data)
        try h.close()
    }

    func connector(_ file: URL) throws -> AsteriskCDRConnector {
        try AsteriskCDRConnector(name: "pbx", settings: .init(path: file.path),
                                 context: PhoneTestSupport.context(timeZone: "Asia/Irkutsk"))
    }

    @Test("appended rows are picked up; a half-written last line waits for its newline")
    func appendedRowsAndHalfLine() async throws {
        let lines = try Self.masterLines()
        let dir = try PhoneTestSupport.temporaryDirectory()
        let file = dir.appendingPathComponent("Master.csv")
        let harness = ConnectorHarness(context: PhoneTestSupport.context(timeZone: "Asia/Irkutsk"))
        let pbx = try connector(file)
        // Lines 1–20 (whole calls) and the first half of line 21.
        let half = lines[20].count / 2
        try Self.append(lines[0..<20].reduce(Data(), +) + lines[20].prefix(half), to: file)
        let first = try await harness.pull(pbx, source: "pbx")
        #expect(first.deadLetters == 0)
        let afterFirst = await harness.stored().count
        #expect(afterFirst == 6)   // the calls of lines 1–20
        // The rest of line 21 and lines 22–40.
        try Self.append(lines[20].dropFirst(half) + lines[21..<40].reduce(Data(), +), to: file)
        let second = try await harness.pull(pbx, source: "pbx")
        #expect(second.deadLetters == 0 && second.duplicates == 0)
        #expect(await harness.stored().count == 13)
        // Nothing new: nothing read.
        let third = try await harness.pull(pbx, source: "pbx")
        #expect(third.read == 0 && third.stored == 0)
    }

    @Test("rotation: the old file's tail is finished, the new file read from its start, no duplicates")
    func rotation() async throws {
        let lines = try Self.masterLines()
        let dir = try PhoneTestSupport.temporaryDirectory()
        let file = dir.appendingPathComponent("Master.csv")
        let harness = ConnectorHarness(context: PhoneTestSupport.context(timeZone: "Asia/Irkutsk"))
        let pbx = try connector(file)
        try Self.append(lines[0..<40].reduce(Data(), +), to: file)
        try await harness.pull(pbx, source: "pbx")
        // More rows land in the old file, then logrotate moves it and a new file starts.
        try Self.append(lines[40..<60].reduce(Data(), +), to: file)
        try FileManager.default.moveItem(at: file, to: dir.appendingPathComponent("Master.csv.1"))
        try Self.append(lines[60..<84].reduce(Data(), +), to: file)
        let summary = try await harness.pull(pbx, source: "pbx")
        #expect(summary.duplicates == 0 && summary.deadLetters == 0)
        let calls = await harness.stored()
        #expect(calls.count == 36)
        #expect(PhoneTestSupport.outcomes(calls) == [.answered: 24, .abandoned: 5, .ivr: 6, .busy: 1])
        // Truncation (copytruncate): the emptied file is read again from its start.
        try FileHandle(forWritingTo: file).truncate(atOffset: 0)
        let extra = Data(#"""
        "","89161234567","100","from-trunk","""Ivan"" <89161234567>","SIP/trunk-1","SIP/301-2","Dial","SIP/301","2024-02-01 10:00:00","2024-02-01 10:00:05","2024-02-01 10:01:05",65,60,"ANSWERED","DOCUMENTATION","1706752800.1","","","1706752800.1",1

        """#.utf8)
        try Self.append(extra, to: file)
        let afterTruncate = try await harness.pull(pbx, source: "pbx")
        #expect(afterTruncate.stored == 1 && afterTruncate.duplicates == 0)
    }

    @Test("a call whose legs are still recent waits in the checkpoint, then is stored once")
    func settlingCallsWaitInCheckpoint() async throws {
        let dir = try PhoneTestSupport.temporaryDirectory()
        let file = dir.appendingPathComponent("Master.csv")
        let context = PhoneTestSupport.context(timeZone: "UTC")
        let harness = ConnectorHarness(context: context)
        let pbx = try AsteriskCDRConnector(name: "pbx", settings: .init(path: file.path, settle: "1h"), context: context)
        func stamp(_ d: Date) -> String {
            String(Timestamp.formatISO8601(d).prefix(19)).replacingOccurrences(of: "T", with: " ")
        }
        let now = Date()
        let start = stamp(now.addingTimeInterval(-120)), answer = stamp(now.addingTimeInterval(-110)), end = stamp(now.addingTimeInterval(-10))
        let leg1 = "\"\",\"89161234567\",\"100\",\"from-trunk\",\"\",\"SIP/t-1\",\"SIP/302-1\",\"Dial\",\"\",\"\(start)\",,\"\(end)\",110,0,\"NO ANSWER\",\"DOCUMENTATION\",\"live.1\",\"\",\"\",\"live.1\",1\n"
        let leg2 = "\"\",\"89161234567\",\"100\",\"from-trunk\",\"\",\"SIP/t-1\",\"SIP/301-2\",\"Dial\",\"\",\"\(start)\",\"\(answer)\",\"\(end)\",110,100,\"ANSWERED\",\"DOCUMENTATION\",\"live.1\",\"\",\"\",\"live.1\",2\n"
        try Self.append(Data(leg1.utf8), to: file)
        try await harness.pull(pbx, source: "pbx")
        #expect(await harness.stored().isEmpty)
        let checkpoint = try #require(try await harness.store.checkpoint(source: "pbx"))
        #expect(try checkpoint.decode(AsteriskCDRConnector.PullState.self).pending.count == 1)
        // The second leg arrives; with a zero settle window the whole call is stored as one.
        try Self.append(Data(leg2.utf8), to: file)
        let eager = try AsteriskCDRConnector(name: "pbx", settings: .init(path: file.path, settle: "0s"), context: context)
        try await harness.pull(eager, source: "pbx")
        let calls = await harness.stored()
        #expect(calls.count == 1)
        #expect(calls.first?.call?.outcome == .answered && calls.first?.call?.agentId == "anna")
        #expect(calls.first?.call?.waitSeconds == 10)
    }
}
