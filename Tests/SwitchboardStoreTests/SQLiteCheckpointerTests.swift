import Foundation
import GRDB
import GRDBSQLite
@testable import SwitchboardStore
import SwitchboardCore
import Testing

/// The WAL is copied back into the database file by the second connection, the
/// WAL stays bounded while writes follow each other, and nothing is lost.
@Suite(.timeLimit(.minutes(10))) struct SQLiteCheckpointerTests {
    func scratchPath() -> String { scratchStorePath("sb-ckpt") }

    func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
    }

    @Sendable func batch(_ range: Range<Int>) -> IngestBatch {
        IngestBatch(source: "src", interactions: range.map { n in
            var i = interaction(n, conversation: "conv-\(n / 50)")
            i.text = String(repeating: "text of message \(n) ", count: 20)
            return i
        })
    }

    @Test func checkpointsRunBesideTheWriterAndKeepTheWALBounded() async throws {
        let path = scratchPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        // Small numbers so that a few batches cross them: checkpoint from 64 frames, wait past 256.
        let checkpointer = SQLiteCheckpointer(path: path, threshold: 64, limit: 256)
        var walSize = 0
        do {
            let store = try SQLiteStore(path: path, checkpointer: checkpointer)
            let before = size(path)
            // Writes queued back to back (as an import's pipeline does): the writer never pauses.
            let results = try await withThrowingTaskGroup(of: IngestBatchResult.self) { group in
                for k in 0..<40 { group.addTask { try await store.write(batch(k * 500..<(k + 1) * 500)) } }
                return try await group.reduce(into: [IngestBatchResult]()) { $0.append($1) }
            }
            #expect(results.count == 40 && results.allSatisfy { $0 == IngestBatchResult(stored: 500, duplicates: 0) })
            walSize = size(path + "-wal")
            // The rows reached the database file itself while the store was open.
            #expect(size(path) > before + 4 << 20)
            #expect(checkpointer.completedRuns > 0)
            #expect(try await store.count(source: "src") == 20_000)
        }
        // 40 batches of ~1 MiB: without restarts the WAL would pass 30 MiB; with them it stays near
        // the limit (256 frames of 8 KiB) plus a batch or two.
        #expect(walSize < 8 << 20, "WAL size \(walSize)")
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.count(source: "src") == 20_000)
        let again = try await reopened.write(batch(19_900..<20_100))
        #expect(again == IngestBatchResult(stored: 100, duplicates: 100))
        let check = try DatabaseQueue(path: path)
        #expect(try await check.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
    }

    @Test func smallWritesBelowTheThresholdStartNoCheckpoint() async throws {
        let path = scratchPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let checkpointer = SQLiteCheckpointer(path: path, threshold: 100_000, limit: 200_000)
        let store = try SQLiteStore(path: path, checkpointer: checkpointer)
        for k in 0..<5 { _ = try await store.write(batch(k * 10..<(k + 1) * 10)) }
        #expect(checkpointer.completedRuns == 0)
        #expect(try await store.count(source: "src") == 50)
    }

    @Test func withoutASecondConnectionTheWriterCheckpointsItself() async throws {
        let path = scratchPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        // The second connection cannot open (no such folder): the hook checkpoints on the writer, as SQLite's own does.
        let broken = SQLiteCheckpointer(path: "/nonexistent-\(UUID().uuidString)/x.db", threshold: 64, limit: 256)
        var walSize = 0
        do {
            let store = try SQLiteStore(path: path, checkpointer: broken)
            let before = size(path)
            for k in 0..<20 {
                #expect(try await store.write(batch(k * 500..<(k + 1) * 500)) == IngestBatchResult(stored: 500, duplicates: 0))
            }
            walSize = size(path + "-wal")
            #expect(size(path) > before + 4 << 20)
            #expect(try await store.count(source: "src") == 10_000)
        }
        #expect(walSize < 8 << 20, "WAL size \(walSize)")
        #expect(try await SQLiteStore(path: path).count(source: "src") == 10_000)
    }

    @Test func aReaderHoldingOldRowsDelaysTheCheckpointButNotTheWrites() async throws {
        let path = scratchPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try SQLiteStore(path: path, checkpointer: SQLiteCheckpointer(path: path, threshold: 64, limit: 256))
        _ = try await store.write(batch(0..<500))
        // A raw reader with an open transaction: checkpoints cannot copy past its snapshot, the WAL cannot restart.
        var reader: OpaquePointer?
        #expect(sqlite3_open_v2(path, &reader, SQLITE_OPEN_READONLY, nil) == SQLITE_OK)
        defer { sqlite3_close_v2(reader) }
        #expect(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM interactions;", nil, nil, nil) == SQLITE_OK)
        for k in 1..<20 {
            #expect(try await store.write(batch(k * 500..<(k + 1) * 500)) == IngestBatchResult(stored: 500, duplicates: 0))
        }
        // The WAL could not start over: it holds every batch since the reader began, well past the 256-frame limit (2 MiB).
        #expect(size(path + "-wal") > 4 << 20, "WAL size \(size(path + "-wal"))")
        var stmt: OpaquePointer?
        #expect(sqlite3_prepare_v2(reader, "SELECT count(*) FROM interactions", -1, &stmt, nil) == SQLITE_OK)
        #expect(sqlite3_step(stmt) == SQLITE_ROW)
        #expect(sqlite3_column_int(stmt, 0) == 500)     // the reader still sees its snapshot
        sqlite3_finalize(stmt)
        #expect(sqlite3_exec(reader, "COMMIT", nil, nil, nil) == SQLITE_OK)
        #expect(try await store.count(source: "src") == 10_000)
    }

    /// A batch with ids of its own starts by making sure the id index exists (a statement that only
    /// reads once the index is there). The transaction must still take the write lock at BEGIN and
    /// wait for another process's write, not fail at once because its snapshot went stale.
    @Test func aBatchWithGivenIdsWaitsForAnotherWriter() async throws {
        let path = scratchPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try SQLiteStore(path: path)
        func given(_ range: Range<Int>) -> IngestBatch {
            IngestBatch(source: "src", interactions: range.map { n in
                var i = interaction(n)
                i.id = "given-\(n)"
                return i
            })
        }
        #expect(try await store.write(given(0..<10)) == IngestBatchResult(stored: 10, duplicates: 0))
        // Another process holds the write lock with a pending row for 300 ms, then commits.
        var other: OpaquePointer?
        #expect(sqlite3_open_v2(path, &other, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK)
        defer { sqlite3_close_v2(other) }
        #expect(sqlite3_exec(other, "BEGIN IMMEDIATE; UPDATE interactions SET text = 'edited' WHERE id = 'given-0';", nil, nil, nil) == SQLITE_OK)
        let handle = UInt(bitPattern: other)
        let committer = Thread {
            Thread.sleep(forTimeInterval: 0.3)
            _ = sqlite3_exec(OpaquePointer(bitPattern: handle), "COMMIT", nil, nil, nil)
        }
        committer.start()
        #expect(try await store.write(given(10..<20)) == IngestBatchResult(stored: 10, duplicates: 0))
        #expect(try await store.count(source: "src") == 20)
    }
}
