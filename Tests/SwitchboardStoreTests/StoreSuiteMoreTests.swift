import Foundation
import SwitchboardCore
import SwitchboardStore
import Testing

/// More of the store contract, on every backend.
@Suite(.timeLimit(.minutes(10))) struct StoreSuiteMoreTests {
    @Test(arguments: Backend.allCases) func textOrdersByBytesAsSQLiteDoes(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try await tmp.open()
        let keys = ["b", "B", "a", "é", "z", "Z10", "Z9", "ä"]
        _ = try await store.write(IngestBatch(source: "src", interactions: keys.enumerated().map {
            interaction($0.offset, conversation: $0.element, at: 100)
        }))
        let box = Collected()
        try await store.scan(InteractionQuery(order: .conversation)) { box.append($0) }
        #expect(box.items.map(\.conversationKey) == keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }

    @Test(arguments: Backend.allCases) func scanWithoutContentLeavesContentOut(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try await tmp.open()
        var first = interaction(1)
        first.actorName = "Anna"
        first.subject = "Hello"
        _ = try await store.write(IngestBatch(source: "src", interactions: [first, interaction(2)]))
        let box = Collected()
        try await store.scan(InteractionQuery(order: .time, content: false)) { box.append($0) }
        #expect(box.items.map(\.externalId) == ["e1", "e2"])
        #expect(box.items.allSatisfy { $0.text == nil && $0.subject == nil && $0.actorName == nil && $0.provenance.isEmpty })
        #expect(box.items[0].customerKey == "telegram:1")
    }

    @Test(arguments: Backend.allCases) func bigBatchesKeepStorageOrderAndCountDuplicates(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try await tmp.open()
        // Same timestamp everywhere: only storage order decides the scan order.
        let rows = (0..<5_000).map { interaction($0, conversation: "c", at: 500) }
        let first = try await store.write(IngestBatch(source: "src", interactions: rows))
        #expect(first == IngestBatchResult(stored: 5_000, duplicates: 0))
        let second = try await store.write(IngestBatch(source: "src", interactions: Array(rows[4_000...]) + (5_000..<5_500).map {
            interaction($0, conversation: "c", at: 500)
        }))
        #expect(second == IngestBatchResult(stored: 500, duplicates: 1_000))
        let box = Collected()
        try await store.scan(InteractionQuery(order: .time)) { box.append($0) }
        #expect(box.items.map(\.externalId) == (0..<5_500).map { "e\($0)" })
    }

    @Test(arguments: Backend.allCases) func concurrentWritersStoreEachRecordOnce(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let a = try await tmp.open()
        let b = try await tmp.open()
        let rows = (0..<2_000).map { interaction($0) }
        async let ra = (0..<20).asyncMap { i in try await a.write(IngestBatch(source: "src", interactions: Array(rows[(i * 100)..<(i * 100 + 100)]))) }
        async let rb = (0..<20).asyncMap { i in try await b.write(IngestBatch(source: "src", interactions: Array(rows[(i * 100)..<(i * 100 + 100)]))) }
        let results = try await ra + rb
        #expect(results.map(\.stored).reduce(0, +) == 2_000)
        #expect(results.map(\.duplicates).reduce(0, +) == 2_000)
        #expect(try await a.count(source: nil) == 2_000)
    }

    @Test(arguments: Backend.allCases) func checkpointAloneIsWrittenAndReplaced(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try await tmp.open()
        #expect(try await store.checkpoint(source: "src") == nil)
        _ = try await store.write(IngestBatch(source: "src", checkpoint: try Checkpoint(source: "src", encoding: ["uid": 7])))
        _ = try await store.write(IngestBatch(source: "src", checkpoint: try Checkpoint(source: "src", encoding: ["uid": 9])))
        #expect(try await store.checkpoint(source: "src")?.decode([String: Int].self) == ["uid": 9])
        #expect(try await store.checkpoint(source: "other") == nil)
        #expect(try await store.count(source: nil) == 0)
    }
}

extension Range where Bound == Int {
    func asyncMap<T>(_ body: (Int) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for i in self { out.append(try await body(i)) }
        return out
    }
}
