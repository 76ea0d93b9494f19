import Foundation

/// A store whose interactions can be followed in insertion order: one full metrics scan that says where it
/// stopped, then the rows committed since (``scanMetricsTail(after:)``). The live state of `serve` reads the
/// store this way (docs/live.md): every row is read exactly once, by the full scan or by one tail read.
public protocol MetricsFollowing: MetricsStore {
    /// ``MetricsStore/scanMetrics()`` and the position it read to.
    func scanMetricsFollowing() async throws -> (MetricsScan, MetricsTailPosition)
    /// The rows committed since `position` (none read twice) and the new position.
    func scanMetricsTail(after position: MetricsTailPosition) async throws -> (MetricsScan, MetricsTailPosition)
}

/// Where a reader of the store's insertion order (`seq`) stands.
///
/// SQLite has one writer at a time and hands out rowids in commit order: every seq up to the highest read is
/// read, so `complete` is that seq and `seen` stays empty. PostgreSQL hands out sequence numbers before commit,
/// so a lower seq can commit after a higher one is read. Its reader re-reads the seqs above `complete` (an
/// index-only read of the numbers) and takes the rows it has not `seen`; `complete` moves up to the highest seq
/// read at least ``grace`` seconds ago, on the rule that a transaction commits within ``grace`` of taking
/// its seqs (see docs/live.md).
public struct MetricsTailPosition: Sendable, Equatable {
    /// Every row with a seq up to this one is read (or never commits).
    public var complete: Int64
    /// Seqs above ``complete`` already read.
    public var seen: Set<Int64> = []
    /// (when, highest seq read then), oldest first: the moments ``complete`` moves up to.
    public var marks: [Mark] = []

    public struct Mark: Sendable, Equatable {
        public var at: Date
        public var highest: Int64
    }

    /// Seconds a PostgreSQL transaction is given to commit after taking its seqs.
    public static let grace: Double = 120
    /// Seqs below the highest one that the first reads of a PostgreSQL store re-check (a transaction in progress
    /// while the full scan ran may hold seqs below the highest it saw).
    public static let startWindow: Int64 = 100_000

    public init(complete: Int64, seen: Set<Int64> = [], marks: [Mark] = []) {
        self.complete = complete
        self.seen = seen
        self.marks = marks
    }

    /// The highest seq read so far.
    public var highest: Int64 { max(complete, seen.max() ?? complete, marks.last?.highest ?? complete) }

    /// Records a read at `now` that saw `seqs` above ``complete`` (those read before included), then moves
    /// ``complete`` up past the marks older than `grace` and forgets what lies below it.
    public mutating func record(_ seqs: [Int64], at now: Date, grace: Double = MetricsTailPosition.grace) {
        let top = max(seqs.max() ?? highest, highest)
        seen.formUnion(seqs)
        marks.append(Mark(at: now, highest: top))
        var settled = complete
        while let first = marks.first, now.timeIntervalSince(first.at) >= grace {
            settled = max(settled, first.highest)
            marks.removeFirst()
        }
        if settled > complete {
            complete = settled
            seen = seen.filter { $0 > settled }
        }
    }
}
