import Foundation
import Testing
import SwitchboardCore
import SwitchboardTesting
@testable import PhoneConnectors

/// Where each call ended (`callDetails`: context, last application, queue positions, key, hold time, duration),
/// as every phone kind maps it, on the hand-written fixtures of `Fixtures/stages` (the call-stage funnel's
/// golden data; the funnel's numbers are pinned in Tests/SwitchboardCLITests/CallStagesCLITests.swift).
@Suite("call details")
struct CallDetailsTests {
    static let utc = PhoneTestSupport.context(timeZone: "UTC")

    func asterisk(queueLog: Bool) async throws -> ([String: Interaction], IngestSummary) {
        let harness = ConnectorHarness(context: Self.utc)
        let settings = AsteriskCDRConnector.Settings(queueLog: queueLog ? try PhoneTestSupport.fixture("stages/queue_log").path : nil)
        let pbx = try AsteriskCDRConnector(name: "pbx", settings: settings, context: Self.utc)
        let summary = try await harness.importFiles(pbx, source: "pbx", [try PhoneTestSupport.fixture("stages/Master.csv")])
        return (Dictionary(uniqueKeysWithValues: await harness.stored().map { ($0.conversationKey, $0) }), summary)
    }

    @Test("Asterisk CDR + queue_log: context, last app and data of the last leg; positions, key and hold from the queue")
    func asteriskWithQueueLog() async throws {
        let (calls, summary) = try await asterisk(queueLog: true)
        #expect(calls.count == 12 && summary.deadLetters == 0)
        // C1: hung up during the welcome message (8 s).
        #expect(calls["1772442000.1"]?.call?.outcome == .ivr)
        #expect(calls["1772442000.1"]?.callDetails == CallDetails(context: "ivr-welcome", lastApp: "Playback", lastData: "welcome",
                                                                 durationSeconds: 8))
        // C4: an empty lastdata is "not known".
        #expect(calls["1772446800.4"]?.callDetails == CallDetails(context: "ivr-main", lastApp: "Hangup", durationSeconds: 12))
        // C5: ENTERQUEUE position 2, ABANDON|2|2|40: left from position 2 after 40 s in the queue.
        #expect(calls["1772449200.5"]?.call == CallInfo(queue: "support", waitSeconds: 40, outcome: .abandoned))
        #expect(calls["1772449200.5"]?.callDetails == CallDetails(context: "ext-queues", lastApp: "Queue", lastData: "support,t",
                                                                 entryPosition: 2, exitPosition: 2, holdSeconds: 40, durationSeconds: 45))
        // C7: EXITWITHTIMEOUT|3|3|60.
        #expect(calls["1772452800.7"]?.call?.outcome == .timeout)
        #expect(calls["1772452800.7"]?.callDetails?.exitPosition == 3 && calls["1772452800.7"]?.callDetails?.holdSeconds == 60)
        // C8: EXITWITHKEY|5|1|1|25: key 5 pressed at position 1 after 25 s.
        let key = try #require(calls["1772454600.8"]?.callDetails)
        #expect(key.exitKey == "5" && key.exitPosition == 1 && key.entryPosition == 1 && key.holdSeconds == 25)
        // C9: answered after CONNECT's hold time of 12 s; two legs, the answered one ended last.
        let answered = try #require(calls["1772456400.9"])
        #expect(answered.call == CallInfo(queue: "support", agentId: "anna", waitSeconds: 12, talkSeconds: 100, outcome: .answered))
        #expect(answered.callDetails == CallDetails(context: "ext-queues", lastApp: "Queue", lastData: "support,t", entryPosition: 1,
                                                    holdSeconds: 12, durationSeconds: 117))
        // C12: the CDR has no agent leg (it would be ivr); the queue_log's EXITEMPTY|1|1|2 says missed.
        #expect(calls["1772467200.12"]?.call == CallInfo(queue: "support", waitSeconds: 2, outcome: .missed))
        #expect(calls["1772467200.12"]?.callDetails == CallDetails(context: "ext-queues", lastApp: "Queue", lastData: "support,t",
                                                                  entryPosition: 1, exitPosition: 1, holdSeconds: 2, durationSeconds: 7))
        // C11: a direct Dial, no queue.
        #expect(calls["1772463600.11"]?.callDetails == CallDetails(context: "from-trunk", lastApp: "Dial", lastData: "SIP/302,30",
                                                                  durationSeconds: 20))
    }

    @Test("the asterisk-queue-log kind alone: positions, key and hold; an unknown event is skipped, not a call")
    func queueLogAlone() async throws {
        let harness = ConnectorHarness(context: Self.utc)
        let q = try AsteriskQueueLogConnector(name: "queues", settings: .init(), context: Self.utc)
        let summary = try await harness.importFiles(q, source: "queues", [try PhoneTestSupport.fixture("stages/queue_log")])
        let calls = Dictionary(uniqueKeysWithValues: await harness.stored().map { ($0.conversationKey, $0) })
        // Six queued calls; the SPACEWARP line (an event no Asterisk writes, out of time order too) is neither a call
        // nor a dead letter, and the calls around it are read whole.
        #expect(calls.count == 6)
        #expect(calls["1772450100.99"] == nil)
        #expect(summary.deadLetters == 0)
        // …and counted: the reader knows how many lines of which unknown event it skipped.
        var reader = QueueLogReader(timeZone: TimeZone(identifier: "UTC")!, shortAbandon: 5)
        let facts = try reader.facts(in: try PhoneTestSupport.fixture("stages/queue_log"))
        #expect(facts.count == 6 && reader.agentLog.unknown == ["SPACEWARP": 1])
        #expect(calls["1772451000.6"]?.call?.outcome == .shortAbandon)
        #expect(calls["1772451000.6"]?.callDetails == CallDetails(entryPosition: 1, exitPosition: 1, holdSeconds: 3, durationSeconds: 3))
        #expect(calls["1772454600.8"]?.callDetails == CallDetails(entryPosition: 1, exitPosition: 1, exitKey: "5", holdSeconds: 25,
                                                                 durationSeconds: 25))
    }

    @Test("FreeSWITCH: context always, last_app / last_arg when the template logs them; no positions")
    func freeswitch() async throws {
        let harness = ConnectorHarness(context: Self.utc)
        let columns = ["caller_id_name", "caller_id_number", "destination_number", "context", "start_stamp", "answer_stamp",
                       "end_stamp", "duration", "billsec", "hangup_cause", "uuid", "bleg_uuid", "last_app", "last_arg", "cc_queue"]
        let fs = try FreeSWITCHCDRConnector(name: "fs", settings: .init(columns: columns), context: Self.utc)
        _ = try await harness.importFiles(fs, source: "fs", [try PhoneTestSupport.fixture("stages/freeswitch.csv")])
        let calls = Dictionary(uniqueKeysWithValues: await harness.stored().map { ($0.conversationKey, $0) })
        #expect(PhoneTestSupport.outcomes(Array(calls.values)) == [.ivr: 2, .abandoned: 1, .answered: 1])
        #expect(calls["f-0001"]?.callDetails == CallDetails(context: "ivr", lastApp: "playback", lastData: "welcome.wav", durationSeconds: 10))
        #expect(calls["f-0003"]?.call?.queue == "support@default")
        #expect(calls["f-0003"]?.callDetails == CallDetails(context: "queues", lastApp: "callcenter", lastData: "support@default",
                                                           durationSeconds: 30))
    }

    @Test("phone-csv: context, last_app and position columns; hold is the wait of a queued call")
    func phoneCSV() async throws {
        let harness = ConnectorHarness(context: Self.utc)
        let settings = try ConnectorHarness.settings(for: PhoneCSVConnector.self, yaml: "outcome_map: {ivr: ivr}")
        let csv = try PhoneCSVConnector(name: "sheet", settings: settings, context: Self.utc)
        _ = try await harness.importFiles(csv, source: "sheet", [try PhoneTestSupport.fixture("stages/calls.csv")])
        let calls = Dictionary(uniqueKeysWithValues: await harness.stored().map { ($0.conversationKey, $0) })
        #expect(calls["P1"]?.call?.outcome == .ivr)
        #expect(calls["P1"]?.callDetails == CallDetails(context: "ivr-welcome", lastApp: "Playback", durationSeconds: 15))
        #expect(calls["P2"]?.callDetails == CallDetails(context: "ext-queues", lastApp: "Queue", exitPosition: 4, holdSeconds: 50,
                                                       durationSeconds: 50))
    }

    @Test("phone-csv: a position that is not a whole number ≥ 0 is a dead letter naming the column; 0 is no position")
    func phoneCSVBadPosition() async throws {
        let dir = try PhoneTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("calls.csv")
        try """
            id,start,end,from,to,outcome,wait,queue,position
            Q1,2026-03-02 10:00:00,2026-03-02 10:00:50,89160000032,74950000000,abandoned,50,support,second
            Q2,2026-03-02 11:00:00,2026-03-02 11:00:50,89160000033,74950000000,abandoned,50,support,-1
            Q3,2026-03-02 12:00:00,2026-03-02 12:00:50,89160000034,74950000000,abandoned,50,support,0

            """.write(to: file, atomically: true, encoding: .utf8)
        let harness = ConnectorHarness(context: Self.utc)
        let settings = try ConnectorHarness.settings(for: PhoneCSVConnector.self, yaml: "{}")
        let csv = try PhoneCSVConnector(name: "sheet", settings: settings, context: Self.utc)
        let summary = try await harness.importFiles(csv, source: "sheet", [file])
        let stored = await harness.stored()
        #expect(stored.map(\.conversationKey) == ["Q3"])
        #expect(stored.first?.callDetails?.exitPosition == nil)
        let letters = await harness.deadLetters().sorted { $0.provenance < $1.provenance }
        #expect(summary.deadLetters == 2 && letters.count == 2)
        #expect(letters.first?.reason.contains("position 'second' is not a queue position") == true, "\(letters)")
        #expect(letters.first?.provenance.hasSuffix("#L2") == true && letters.last?.provenance.hasSuffix("#L3") == true)
    }

    @Test("pending legs keep lastapp and lastdata through a pull checkpoint")
    func checkpointKeepsLastApp() throws {
        let (text, ends) = CDRLeg.pack(["k", "u", "301", "100", "ivr-main", "clid", "SIP/a", "", "BackGround", "main-menu"])
        let leg = CDRLeg(text: text, ends: ends, disposition: .answered, start: 1, answer: 1, end: 5, billsec: 4, file: "f", line: 1)
        let back = try JSONDecoder().decode(CDRLeg.self, from: try JSONEncoder().encode(leg))
        #expect(back.lastapp == "BackGround" && back.lastdata == "main-menu" && back.dcontext == "ivr-main")
    }
}
