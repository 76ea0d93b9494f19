import Foundation
import GRDB
import GRDBSQLite
import CPrefetch
import SwitchboardCore
import SwitchboardScan

/// The metrics scan of the SQLite store: the table in storage (rowid) order, only the metrics columns,
/// read straight from the statement into numbers (``MetricsScan``) by the reader both stores share
/// (``MetricsPart``). The rowid range is split in two halves read concurrently on two reader connections.
///
/// Snapshot: the store only appends interactions and rowids grow with every insert, so both halves are
/// bounded by the largest rowid committed when the scan starts; rows written by a concurrent import
/// after that moment are not read by either half.
extension SQLiteStore {
    static let metricsSQL = "SELECT \(MetricsScanColumns.names.joined(separator: ", ")) FROM interactions WHERE seq BETWEEN ? AND ?"
    /// The smallest and largest seq. Two subqueries: SQLite answers a lone min() or max() from the
    /// b-tree's edge, but one query holding both reads a whole index.
    static let metricsBoundsSQL = "SELECT (SELECT min(seq) FROM interactions), (SELECT max(seq) FROM interactions)"
    /// Below this many rows one connection reads everything.
    static let metricsSplitRows: Int64 = 200_000

    public func scanMetrics() async throws -> MetricsScan { try await scanMetrics(parts: nil) }

    /// The metrics scan in `parts` rowid ranges read concurrently (nil: two, or one below
    /// ``metricsSplitRows`` rows), appended in rowid order. Any number of parts gives the same scan.
    public func scanMetrics(parts: Int?) async throws -> MetricsScan { try await scanMetricsBounded(parts: parts).scan }

    /// ``scanMetrics(parts:)`` and the largest seq it read up to (0 for an empty table): every row up to it is in the scan.
    func scanMetricsBounded(parts: Int?) async throws -> (scan: MetricsScan, highest: Int64) {
        let path = self.path
        do {
            let bounds = try await pool.read { db -> (Int64, Int64)? in
                let row = try Row.fetchOne(db, sql: Self.metricsBoundsSQL)
                guard let lo: Int64 = row?[0], let hi: Int64 = row?[1] else { return nil }
                return (lo, hi)
            }
            guard let (lo, hi) = bounds else { return (MetricsScan(), 0) }
            let plan = MetricsScanPlan(lo: lo, hi: hi, parts: parts, splitRows: Self.metricsSplitRows)
            let pool = self.pool
            var scans = try await withThrowingTaskGroup(of: (Int, MetricsScan).self) { group in
                for (k, r) in plan.ranges.enumerated() {
                    let tableRows = plan.tableRows(part: k)
                    group.addTask {
                        (k, try await pool.read { db in try Self.scanMetrics(db, from: r.lowerBound, to: r.upperBound, path: path, tableRows: tableRows) })
                    }
                }
                var out = [MetricsScan?](repeating: nil, count: plan.ranges.count)
                for try await (k, scan) in group { out[k] = scan }
                return out
            }
            return (MetricsScanPlan.join(&scans), hi)
        } catch let error as DatabaseError {
            let code: StoreError.Code = error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB ? .corrupt : .unavailable
            throw StoreError(code, "SQLite store \(path): cannot read interactions: \(error.message ?? "\(error.resultCode)")")
        }
    }

    /// Reads rows with `lo <= seq <= hi` into a fresh scan whose tables are sized for `tableRows` rows
    /// (nil: the range's own).
    static func scanMetrics(_ db: Database, from lo: Int64, to hi: Int64, path: String, tableRows: Int? = nil) throws -> MetricsScan {
        guard let connection = db.sqliteConnection else { throw StoreError(.unavailable, "SQLite store \(path): the database is closed") }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(connection, metricsSQL, -1, &statement, nil) == SQLITE_OK, let stmt = statement else {
            throw StoreError(.query, "SQLite store \(path): cannot prepare the metrics scan: \(String(cString: sqlite3_errmsg(connection)))")
        }
        defer { sqlite3_finalize(stmt) }
        sqlite3_bind_int64(stmt, 1, lo)
        sqlite3_bind_int64(stmt, 2, hi)
        var part = MetricsPart(SQLiteCells(stmt: stmt, storeName: "SQLite store \(path)"), from: lo, to: hi, tableRows: tableRows)
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(connection)))
            }
            try part.read()
        }
        return part.finish()
    }
}

/// The current row of the SQLite metrics statement.
struct SQLiteCells: MetricsCells {
    let stmt: OpaquePointer
    let storeName: String

    @inline(__always) func isNull(_ column: Int32) -> Bool { sqlite3_column_type(stmt, column) == SQLITE_NULL }

    @inline(__always) func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(stmt, column) }

    @inline(__always) func real(_ column: Int32) -> Double { sqlite3_column_double(stmt, column) }

    /// SQLite also answers no address when it runs out of memory: that is an error, not a NULL.
    @inline(__always) func text(_ column: Int32) throws -> UnsafeBufferPointer<UInt8>? {
        guard let p = sqlite3_column_text(stmt, column) else {
            guard sqlite3_column_type(stmt, column) == SQLITE_NULL else {
                throw StoreError(.unavailable, "\(storeName): cannot read column \(MetricsScanColumns.names[Int(column)]) "
                    + "(seq \(sqlite3_column_int64(stmt, 0))): \(String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt))))")
            }
            return nil
        }
        // Text first, then its length (SQLite's documented order).
        return UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(stmt, column)))
    }
}
