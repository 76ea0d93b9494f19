import Foundation
import PostgresNIO
import SwitchboardCore
import SwitchboardScan

/// Following the PostgreSQL store for the live state of `serve`. Sequence numbers are handed out before commit,
/// so a transaction can commit a seq lower than one already read: each tail read lists (index only, one snapshot)
/// the seqs above ``MetricsTailPosition/complete`` and reads the rows of those not yet seen, in the same
/// snapshot. ``MetricsTailPosition/record(_:at:grace:)`` moves `complete` up once a seq has been visible for the
/// grace time (docs/live.md).
extension PostgresStore: MetricsFollowing {
    public func scanMetricsFollowing() async throws -> (MetricsScan, MetricsTailPosition) {
        let window = MetricsTailPosition.startWindow
        let (scan, highest, recent) = try await scanMetricsBounded(parts: nil, recent: window)
        var position = MetricsTailPosition(complete: max(0, highest - window))
        position.record(recent, at: Date())
        return (scan, position)
    }

    public func scanMetricsTail(after position: MetricsTailPosition) async throws -> (MetricsScan, MetricsTailPosition) {
        let storeName = "PostgreSQL store \(location.redacted)"
        return try await read("read new interactions", retry: false) { reader in
            try await reader.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY") {
                let fresh = try await reader.seqs(above: position.complete).filter { !position.seen.contains($0) }
                var next = position
                next.record(fresh, at: Date())
                guard !fresh.isEmpty else { return (MetricsScan(), next) }
                let scan = try await reader.readMetrics(seqs: fresh, storeName: storeName)
                return (scan, next)
            }
        }
    }
}

extension PostgresReader {
    /// The seqs above `floor` (an index-only read), in order.
    func seqs(above floor: Int64) async throws -> [Int64] {
        let row = try await rows(unsafeSQL: "SELECT coalesce(array_agg(seq ORDER BY seq), '{}') FROM interactions WHERE seq > \(floor)").first
        return try row?.decode([Int64].self) ?? []
    }

    /// Reads the rows with the given seqs (in order) into a fresh scan, inside the reader's transaction.
    func readMetrics(seqs: [Int64], storeName: String) async throws -> MetricsScan {
        guard let lo = seqs.first, let hi = seqs.last else { return MetricsScan() }
        var part = MetricsPart(PostgresCells(storeName: storeName), from: lo, to: hi, tableRows: seqs.count)
        let sql = "SELECT \(MetricsScanColumns.names.joined(separator: ", ")) FROM interactions WHERE " + Self.condition(seqs)
        var checked = false
        try await cursor("metrics_tail", PostgresQuery(unsafeSQL: sql)) { block in
            for row in block {
                try part.reader.cells.load(row, checkTypes: !checked)
                checked = true
                try part.read()
            }
        }
        return part.finish()
    }

    /// A WHERE condition for exactly the given (ordered, distinct) seqs: their runs of consecutive numbers as ranges,
    /// or the list itself when the runs are many. Numbers only: nothing from outside is spliced in.
    static func condition(_ seqs: [Int64]) -> String {
        var runs: [(Int64, Int64)] = []
        for s in seqs {
            if let last = runs.last, last.1 + 1 == s { runs[runs.count - 1].1 = s } else { runs.append((s, s)) }
        }
        if runs.count <= 64 {
            return "(" + runs.map { $0.0 == $0.1 ? "seq = \($0.0)" : "seq BETWEEN \($0.0) AND \($0.1)" }.joined(separator: " OR ") + ")"
        }
        return "seq = ANY('{" + seqs.map(String.init).joined(separator: ",") + "}'::int8[])"
    }
}
