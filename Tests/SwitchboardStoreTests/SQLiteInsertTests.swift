import Foundation
import GRDB
@testable import SwitchboardStore
import SwitchboardCore
import Testing

/// Rows go in through multi-row statements: the outcome must be that of one statement per row
/// (order, every column, duplicates within a statement and across statements), and new files use
/// 8 KiB pages while existing ones keep theirs.
@Suite(.timeLimit(.minutes(10))) struct SQLiteInsertTests {
    func scratchPath() -> String { scratchStorePath("sb-insert") }

    func all(_ store: SQLiteStore) async throws -> [Interaction] { try await allInteractions(store) }

    /// Interactions of every kind of content, so that each column of each row position is bound.
    func varied(_ n: Int) -> Interaction {
        var i = interaction(n)
        switch n % 5 {
        case 1:
            i.kind = .call
            i.channel = .phone
            i.call = CallInfo(queue: "q\(n)", agentId: n % 2 == 0 ? "anna" : nil, waitSeconds: Double(n) / 4,
                              talkSeconds: n % 3 == 0 ? nil : 30, outcome: .answered)
        case 2:
            i.kind = .survey
            i.survey = SurveyInfo(metric: .csat, score: Double(n % 5), scaleMin: 1, scaleMax: 5)
        case 3:
            i.kind = .status
            i.status = StatusInfo(to: .resolved)
            i.text = nil
            i.subject = "subject \(n)"
        case 4:
            i.actorId = nil
            i.customerKey = nil
            i.text = ""
            i.attachments = n
        default:
            break
        }
        return i
    }

    @Test func groupsOfEverySizeAreStoredByCachedStatementsWhole() async throws {
        // Webhook group commits: statements of 2^k rows, kept between writes; a group of n rows takes several.
        let path = scratchPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try SQLiteStore(path: path)
        var next = 0
        for size in [1, 2, 3, 5, 7, 8, 13, 19, 31, 64, 127, 128, 129, 255, 1, 3] {
            let group = (next..<next + size).map(varied) + [varied(next + size / 2)]  // and one repeat
            let result = try await store.write(IngestBatch(source: "src", interactions: group))
            #expect(result == IngestBatchResult(stored: size, duplicates: 1), "group of \(size)")
            next += size
        }
        let stored = try await all(store)
        #expect(stored.sorted { $0.externalId < $1.externalId } == (0..<next).map(varied).sorted { $0.externalId < $1.externalId })
    }

    @Test func blocksOfRowsStoreWhatSingleRowsWould() async throws {
        let path = scratchPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try SQLiteStore(path: path)
        let count = SQLiteStore.rowsPerStatement * 2 + 45
        // Repeats inside one statement's block (n and n + 3), across blocks (0 again at the end) and a given id.
        var rows = (0..<count).map(varied)
        rows.insert(varied(3), at: 6)
        rows.append(varied(0))
        var given = varied(count)
        given.id = "custom-\(count)"
        rows.insert(given, at: SQLiteStore.rowsPerStatement - 1)
        let result = try await store.write(IngestBatch(source: "src", interactions: rows))
        #expect(result == IngestBatchResult(stored: count + 1, duplicates: 2))
        let stored = try await all(store)
        var expected = (0..<count).map(varied)
        expected.append(given)
        #expect(stored.sorted { $0.externalId < $1.externalId } == expected.sorted { $0.externalId < $1.externalId })
        // Storage order is input order: seq follows the first occurrence of each row.
        let queue = try DatabaseQueue(path: path)
        let order = try await queue.read { try String.fetchAll($0, sql: "SELECT external_id FROM interactions ORDER BY seq") }
        var seen = Set<String>()
        #expect(order == rows.map(\.externalId).filter { seen.insert($0).inserted })
        let again = try await store.write(IngestBatch(source: "src", interactions: rows))
        #expect(again == IngestBatchResult(stored: 0, duplicates: rows.count))
    }

    @Test func newFilesUse8KiBPagesAndOldOnesKeepTheirs() async throws {
        let fresh = scratchPath()
        let old = scratchPath()
        defer {
            for p in [fresh, old] { try? FileManager.default.removeItem(atPath: (p as NSString).deletingLastPathComponent) }
        }
        _ = try SQLiteStore(path: fresh)
        let pageSize = try await DatabaseQueue(path: fresh).read { try Int.fetchOne($0, sql: "PRAGMA page_size") }
        #expect(pageSize == 8192)

        try FileManager.default.createDirectory(atPath: (old as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA page_size = 4096") }
        let legacy = try DatabasePool(path: old, configuration: config)
        try SQLiteSchema.migrator.migrate(legacy)
        try legacy.close()
        let store = try SQLiteStore(path: old)
        #expect(try await store.write(IngestBatch(source: "src", interactions: (0..<300).map(varied)))
            == IngestBatchResult(stored: 300, duplicates: 0))
        let oldSize = try await DatabaseQueue(path: old).read { try Int.fetchOne($0, sql: "PRAGMA page_size") }
        #expect(oldSize == 4096)
        #expect(try await all(store).count == 300)
    }
}
