import Foundation
import GRDB
import SwitchboardCore
import SwitchboardScan

/// Following the SQLite store for the live state of `serve`: one writer at a time and rowids handed out in commit
/// order, so the rows after the highest seq read are exactly the rows committed since.
extension SQLiteStore: MetricsFollowing {
    public func scanMetricsFollowing() async throws -> (MetricsScan, MetricsTailPosition) {
        let (scan, highest) = try await scanMetricsBounded(parts: nil)
        return (scan, MetricsTailPosition(complete: highest))
    }

    public func scanMetricsTail(after position: MetricsTailPosition) async throws -> (MetricsScan, MetricsTailPosition) {
        let path = self.path
        let from = position.highest
        return try await guarded("read new interactions") {
            try await pool.read { db -> (MetricsScan, MetricsTailPosition) in
                // One read transaction: the bound and the rows below it are of the same moment.
                guard let hi = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM interactions"), hi > from else {
                    return (MetricsScan(), position)
                }
                let scan = try Self.scanMetrics(db, from: from + 1, to: hi, path: path)
                return (scan, MetricsTailPosition(complete: hi))
            }
        }
    }
}
