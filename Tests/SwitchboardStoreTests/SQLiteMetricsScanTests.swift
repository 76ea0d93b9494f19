import Foundation
import GRDB
@testable import SwitchboardStore
import SwitchboardCore
import SwitchboardScan
import Testing

/// A store damaged or written by another program gives the report a clear error naming the column and row.
@Suite struct SQLiteMetricsScanTests {
    func damaged(_ sql: String) async throws -> (SQLiteStore, String) {
        let path = scratchStorePath("sb-metricsscan")
        let store = try SQLiteStore(path: path)
        var survey = interaction(3, conversation: "c1")
        survey.kind = .survey
        survey.survey = SurveyInfo(metric: .csat, score: 5, scaleMin: 1, scaleMax: 5)
        _ = try await store.write(IngestBatch(source: "src", interactions: [interaction(1, conversation: "c1"), interaction(2, conversation: "c1"), survey]))
        let raw = try DatabaseQueue(path: path)
        try await raw.write { try $0.execute(sql: sql) }
        return (store, path)
    }

    @Test("the scan's seq bounds come from the table's edges, not from reading a whole index")
    func boundsQueryReadsNoWholeTable() async throws {
        let path = scratchStorePath("sb-metricsscan")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try SQLiteStore(path: path)
        _ = try await store.write(IngestBatch(source: "src", interactions: (1...5).map { interaction($0, conversation: "c\($0 % 2)") }))
        let raw = try DatabaseQueue(path: path)
        let (plan, bounds) = try raw.read { db in
            (try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteStore.metricsBoundsSQL).map { $0["detail"] as String },
             try Row.fetchOne(db, sql: SQLiteStore.metricsBoundsSQL))
        }
        // Each subquery a SEARCH of the table; nothing scanned but the constant row.
        #expect(plan.filter { $0.hasPrefix("SEARCH") }.count == 2, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN") && $0 != "SCAN CONSTANT ROW" }, "\(plan)")
        #expect(bounds?[0] as Int64? == 1 && bounds?[1] as Int64? == 5)
    }

    @Test func anUnknownKindIsACorruptStoreErrorNamingColumnAndSeq() async throws {
        let (store, path) = try await damaged("UPDATE interactions SET kind = 'fax' WHERE seq = 2")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let error = try await #require(throws: StoreError.self) { _ = try await store.scanMetrics(parts: 1) }
        #expect(error.code == .corrupt)
        #expect(error.description.contains("'fax'") && error.description.contains("column kind") && error.description.contains("seq 2"))
        #expect(error.description.contains(path))
    }

    @Test("a NULL in a NOT NULL column (the constraint edited away by another program) is a corrupt-store error naming column and seq",
          arguments: ["source TEXT", "conversation_key TEXT", "channel TEXT", "kind TEXT", "occurred_at INTEGER"])
    func aNullInANotNullColumnIsACorruptStoreError(declaration: String) async throws {
        let column = String(declaration.split(separator: " ")[0])
        let path = scratchStorePath("sb-metricsscan")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        _ = try await SQLiteStore(path: path).write(IngestBatch(source: "src", interactions: (1...3).map { interaction($0, conversation: "c1") }))
        try await DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA writable_schema = ON")
            try db.execute(sql: "UPDATE sqlite_schema SET sql = replace(sql, ?, ?) WHERE name = 'interactions'",
                           arguments: ["\(declaration) NOT NULL", declaration])
            try db.execute(sql: "PRAGMA writable_schema = OFF")
        }
        // A new connection reads the edited schema.
        try await DatabaseQueue(path: path).write { try $0.execute(sql: "UPDATE interactions SET \(column) = NULL WHERE seq = 2") }
        let error = try await #require(throws: StoreError.self) { _ = try await SQLiteStore(path: path).scanMetrics(parts: 1) }
        #expect(error.code == .corrupt)
        #expect(error.description.contains("NULL in column \(column)") && error.description.contains("seq 2"), "\(error)")
    }

    @Test func aSurveyWithoutScoreIsACorruptStoreError() async throws {
        let (store, path) = try await damaged("UPDATE interactions SET survey_score = NULL WHERE kind = 'survey'")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let error = try await #require(throws: StoreError.self) { _ = try await store.scanMetrics(parts: 1) }
        #expect(error.code == .corrupt)
        #expect(error.description.contains("NULL in column survey_score") && error.description.contains("seq 3"))
    }
}
