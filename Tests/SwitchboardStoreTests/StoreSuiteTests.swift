import Foundation
import SwitchboardCore
import SwitchboardScan
import SwitchboardStore
import SwitchboardTesting
import Testing

func interaction(_ n: Int, source: String = "src", conversation: String? = nil, at seconds: Double? = nil) -> Interaction {
    Interaction(source: source, externalId: "e\(n)", channel: .chat, platform: "telegram",
                conversationKey: conversation ?? "conv-\(n % 4)", kind: .message, direction: .inbound, actorRole: .customer,
                customerKey: "telegram:\(n)", occurredAt: Date(timeIntervalSince1970: seconds ?? (1_772_359_200 + Double(n))),
                text: "message \(n) — привет", provenance: "test#\(n)")
}

/// The store contract, run against every backend (SQLite and PostgreSQL) with the same assertions.
/// Without a test server (`SWITCHBOARD_TEST_PG_URL`) the PostgreSQL cases end at once and
/// `postgresBackendIsTested` is reported skipped with the reason.
@Suite(.timeLimit(.minutes(10))) struct StoreSuiteTests {
    @Test(.enabled(if: TestPostgres.serverURL != nil, Comment(rawValue: TestPostgres.skipMessage)))
    func postgresBackendIsTested() async throws {
        let tmp = try await ScratchStore(.postgres)
        let store = try await tmp.open()
        #expect(store is PostgresStore)
        #expect(try await store.count(source: nil) == 0)
    }

    @Test(arguments: Backend.allCases) func insertOrIgnoreReportsDuplicates(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try await tmp.open()
        let first = try await store.write(IngestBatch(source: "src", interactions: (0..<10).map { interaction($0) }))
        #expect(first == IngestBatchResult(stored: 10, duplicates: 0))
        let again = try await store.write(IngestBatch(source: "src", interactions: (5..<15).map { interaction($0) } + [interaction(14)]))
        #expect(again == IngestBatchResult(stored: 5, duplicates: 6))
        #expect(try await store.count(source: "src") == 15)
        #expect(try await store.count(source: "other") == 0)
    }

    @Test(arguments: Backend.allCases) func everyFieldRoundTrips(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try await tmp.open()
        var call = interaction(1)
        call.kind = .call
        call.channel = .phone
        call.actorId = "anna"
        call.actorName = "Анна"
        call.call = CallInfo(queue: "support", agentId: "anna", waitSeconds: 4.5, talkSeconds: 31, outcome: .answered)
        call.attachments = 2
        call.subject = "s"
        call.topics = ["billing", "vip", "Возврат"]
        var message = interaction(4)
        message.ruleTopics = ["returns", "שאלה"]
        message.topicRules = "0123456789ab"
        var survey = interaction(2)
        survey.kind = .survey
        survey.survey = SurveyInfo(metric: .nps, score: 9, scaleMin: 0, scaleMax: 10)
        var status = interaction(3)
        status.kind = .status
        status.status = StatusInfo(to: .reopened)
        _ = try await store.write(IngestBatch(source: "src", interactions: [call, survey, status, message]))
        let box = Collected()
        try await store.scan(InteractionQuery(order: .time)) { box.append($0) }
        #expect(box.items == [call, survey, status, message])
    }

    @Test(arguments: Backend.allCases) func topicListsAreStoredInNormalForm(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try await tmp.open()
        var i = interaction(1)
        i.topics = ["  vip ", "billing", "vip", "", "two\nlines\there"]
        _ = try await store.write(IngestBatch(source: "src", interactions: [i, interaction(2)]))
        let box = Collected()
        try await store.scan(InteractionQuery(order: .time)) { box.append($0) }
        #expect(box.items.map(\.topics) == [["billing", "two lines here", "vip"], []])
        #expect(box.items.map(\.ruleTopics) == [[], []])
        #expect(box.items.map(\.topicRules) == [nil, nil])
    }

    @Test(arguments: Backend.allCases) func scanOrdersByConversationThenTimeThenStorage(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try await tmp.open()
        let rows = [
            interaction(1, conversation: "b", at: 100), interaction(2, conversation: "a", at: 200),
            interaction(3, conversation: "a", at: 100), interaction(4, conversation: "a", at: 100),
            interaction(5, source: "other", conversation: "a", at: 50),
        ]
        _ = try await store.write(IngestBatch(source: "src", interactions: rows))
        let box = Collected()
        try await store.scan(InteractionQuery(order: .conversation)) { box.append($0) }
        #expect(box.items.map(\.externalId) == ["e5", "e3", "e4", "e2", "e1"])
        let filtered = Collected()
        try await store.scan(InteractionQuery(sources: ["src"], from: Date(timeIntervalSince1970: 100),
                                              to: Date(timeIntervalSince1970: 200), order: .time)) { filtered.append($0) }
        #expect(filtered.items.map(\.externalId) == ["e1", "e3", "e4"])
    }

    @Test(arguments: Backend.allCases) func checkpointAndDeadLettersCommitWithTheBatch(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try await tmp.open()
        let cp = try Checkpoint(source: "src", encoding: ["offset": 10])
        _ = try await store.write(IngestBatch(source: "src", interactions: [interaction(1)],
            deadLetters: [DeadLetter(source: "src", reason: "bad line", provenance: "file:x#L2", raw: Data([0xA5]))],
            checkpoint: cp))
        let cp2 = try Checkpoint(source: "src", encoding: ["offset": 20])
        _ = try await store.write(IngestBatch(source: "src", interactions: [interaction(2)], checkpoint: cp2))
        let reopened = try await tmp.open()
        #expect(try await reopened.checkpoint(source: "src")?.decode([String: Int].self) == ["offset": 20])
        #expect(try await reopened.count(source: "src") == 2)
        let letters = try await reopened.deadLetters(source: "src", limit: 5)
        #expect(letters.count == 1)
        #expect(letters[0].raw == Data([0xA5]))
        #expect(letters[0].reason == "bad line")
    }

    @Test(arguments: Backend.allCases) func runsAndSourceStats(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try await tmp.open()
        var run = try await store.startRun(source: "src", mode: "import", at: Date())
        _ = try await store.write(IngestBatch(source: "src", interactions: [interaction(1), interaction(1)],
            deadLetters: [DeadLetter(source: "src", reason: "r", provenance: "p", raw: Data())]))
        run.stored = 1
        run.duplicates = 1
        run.rejected = 1
        run.read = 3
        run.status = "ok"
        run.finishedAt = Date()
        try await store.finishRun(run)
        let runs = try await store.runs(source: "src", limit: 5)
        #expect(runs.count == 1)
        #expect(runs[0].status == "ok")
        #expect(runs[0].duplicates == 1)
        let stats = try await store.sourceStats()
        #expect(stats["src"] == SourceStats(stored: 1, duplicates: 1, deadLetters: 1))
        // The report counts stored rows in its own scan and asks only for the other totals.
        let uncounted = try await store.sourceStats(countingStored: false)
        #expect(uncounted["src"] == SourceStats(stored: 0, duplicates: 1, deadLetters: 1))
    }

    @Test func unopenableFileIsAClearStoreError() throws {
        let error = try #require(throws: StoreError.self) { try SQLiteStore(path: "/proc/switchboard/x.db") }
        #expect(error.description.contains("/proc/switchboard/x.db"))
    }
}

/// Collects scanned rows (scan's closure is @Sendable).
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var items: [Interaction] = []
    func append(_ i: Interaction) { lock.lock(); items.append(i); lock.unlock() }
}

/// A store file path in a fresh temporary folder named after `prefix` (the caller removes the folder).
func scratchStorePath(_ prefix: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)/test.db").path
}

/// Every interaction of a store, in time order.
func allInteractions(_ store: SQLiteStore) async throws -> [Interaction] {
    let box = Collected()
    try await store.scan(InteractionQuery(order: .time)) { box.append($0) }
    return box.items
}
