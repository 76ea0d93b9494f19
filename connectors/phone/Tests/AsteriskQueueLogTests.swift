import Foundation
import Testing
import SwitchboardCore
import SwitchboardTesting
@testable import PhoneConnectors

@Suite("asterisk-queue-log and enrichment")
struct AsteriskQueueLogTests {
    func importQueueLog(_ fixture: String, timeZone: String = "UTC") async throws -> (ConnectorHarness, IngestSummary) {
        let context = PhoneTestSupport.context(timeZone: timeZone)
        let harness = ConnectorHarness(context: context)
        let connector = try AsteriskQueueLogConnector(name: "queues", settings: .init(), context: context)
        let summary = try await harness.importFiles(connector, source: "queues", [try PhoneTestSupport.fixture(fixture)])
        return (harness, summary)
    }

    @Test("every queue_log event maps to the pinned outcome, wait, talk and agent")
    func everyEvent() async throws {
        let (harness, summary) = try await importQueueLog("queue_log")
        let calls = Dictionary(uniqueKeysWithValues: await harness.stored().map { ($0.conversationKey, $0) })
        #expect(calls.count == 10)
        func check(_ id: String, _ outcome: CallOutcome, wait: Double?, talk: Double? = nil, agent: String? = nil,
                   queue: String = "support", sourceLocation: SourceLocation = #_sourceLocation) {
            let c = calls[id]?.call
            #expect(c?.outcome == outcome, sourceLocation: sourceLocation)
            #expect(c?.waitSeconds == wait, sourceLocation: sourceLocation)
            #expect(c?.talkSeconds == talk, sourceLocation: sourceLocation)
            #expect(c?.agentId == agent, sourceLocation: sourceLocation)
            #expect(c?.queue == queue, sourceLocation: sourceLocation)
        }
        check("1706418100.1", .answered, wait: 12, talk: 100, agent: "anna")        // CONNECT + COMPLETECALLER
        check("1706418300.2", .abandoned, wait: 30)                                 // ABANDON
        check("1706418400.3", .shortAbandon, wait: 3)                               // ABANDON under 5 s
        check("1706418500.4", .timeout, wait: 300, queue: "sales")                  // EXITWITHTIMEOUT
        check("1706418900.5", .missed, wait: 2, queue: "sales")                     // EXITEMPTY
        check("1706419000.6", .missed, wait: 20)                                    // EXITWITHKEY
        check("1706419100.7", .answered, wait: 8, talk: 60, agent: "boris")         // COMPLETEAGENT, agent by name
        check("1706419200.8", .answered, wait: 6, talk: 45, agent: "boris")         // BLINDTRANSFER
        check("1706419300.9", .answered, wait: 4, talk: 30, agent: "anna")          // ATTENDEDTRANSFER
        check("1706419400.10", .answered, wait: 9, talk: 21, agent: "boris")        // TRANSFER
        let first = try #require(calls["1706418100.1"])
        #expect(first.customerKey == "+79161234567")
        #expect(first.occurredAt == Date(timeIntervalSince1970: 1706418100))
        #expect(calls["1706418300.2"]?.customerKey == "+79162223344")
        // NONE/MANAGER/REALTIME lines and agent events are not calls; two broken lines are dead letters.
        #expect(summary.deadLetters == 2)
        let dead = await harness.deadLetters()
        #expect(dead.map(\.provenance) == ["file:queue_log#L32", "file:queue_log#L33"])
        #expect(dead[0].reason.contains("queue_log:32") && dead[0].reason.contains("not-a-time"))
        #expect(dead[1].reason.contains("CONNECT parameter 1"))
    }

    @Test("the database column form with a header reads the same facts")
    func databaseForm() async throws {
        let (harness, summary) = try await importQueueLog("queue_log_db.csv", timeZone: "Asia/Irkutsk")
        let calls = Dictionary(uniqueKeysWithValues: await harness.stored().map { ($0.conversationKey, $0) })
        #expect(summary.deadLetters == 0)
        #expect(calls.count == 2)
        #expect(calls["1706418100.1"]?.call?.outcome == .answered)
        #expect(calls["1706418100.1"]?.call?.talkSeconds == 100)
        #expect(calls["1706418300.2"]?.call?.outcome == .abandoned)
        // 13:15:00 in Irkutsk is 05:15:00 UTC.
        #expect(calls["1706418100.1"].map { Timestamp.formatISO8601($0.occurredAt) } == "2024-01-28T05:15:00.000Z")
    }

    @Test("queue_log given to asterisk-cdr enriches the same calls: one call, one interaction")
    func enrichment() async throws {
        let context = PhoneTestSupport.context(timeZone: "UTC")
        let harness = ConnectorHarness(context: context)
        let queueLog = try PhoneTestSupport.fixture("queue_log").path
        let connector = try AsteriskCDRConnector(name: "pbx", settings: .init(queueLog: queueLog), context: context)
        try await harness.importFiles(connector, source: "pbx", [try PhoneTestSupport.fixture("queue_calls.csv")])
        let calls = Dictionary(uniqueKeysWithValues: await harness.stored().map { ($0.conversationKey, $0) })
        #expect(calls.count == 3)
        let answered = try #require(calls["1706418100.1"]?.call)
        #expect(answered.queue == "support" && answered.outcome == .answered)
        #expect(answered.waitSeconds == 12 && answered.talkSeconds == 100 && answered.agentId == "anna")
        let abandoned = try #require(calls["1706418300.2"]?.call)
        #expect(abandoned.queue == "support" && abandoned.outcome == .abandoned && abandoned.waitSeconds == 30)
        #expect(abandoned.agentId == nil)
        let outbound = try #require(calls["1706421600.3"])
        #expect(outbound.direction == .outbound && outbound.actorRole == .agent && outbound.actorId == "anna")
        #expect(outbound.customerKey == "+79160001111" && outbound.call?.queue == nil && outbound.call?.agentId == "anna")
    }
}
