import Foundation
import SwitchboardCore
import SwitchboardScan

/// The rows of a scan grouped by conversation number (a counting sort: O(n)), only rows known by `now`.
struct ConversationRows {
    var rows: [MetricsRow]
    /// Conversation `c` holds `rows[starts[c]..<starts[c + 1]]`.
    var starts: [Int]

    init() {
        rows = []
        starts = [0]
    }

    /// Takes the scan's rows (its chunks are emptied to release them). Chunks are counted and placed
    /// concurrently; within a conversation, rows keep chunk order.
    init(scan: inout MetricsScan, now: Int64) {
        let n = scan.conversationCount
        let chunks = scan.chunks
        scan.chunks = []
        let counts: [[Int]] = Parallel.map(chunks.count) { k in
            var c = [Int](repeating: 0, count: n)
            chunks[k].withUnsafeBufferPointer { b in
                for r in b where r.at <= now { c[Int(r.conversation)] += 1 }
            }
            return c
        }
        var starts = [Int](repeating: 0, count: n + 1)
        // Where each chunk's rows of a conversation go: after the earlier chunks' rows of it.
        var next = counts
        for c in 0..<n {
            var at = starts[c]
            for k in next.indices {
                let m = next[k][c]
                next[k][c] = at
                at += m
            }
            starts[c + 1] = at
        }
        let total = starts[n]
        let places = next
        rows = [MetricsRow](unsafeUninitializedCapacity: total) { out, count in
            let base = out.baseAddress
            _ = Parallel.map(chunks.count) { k in
                guard let base else { return }
                var next = places[k]
                chunks[k].withUnsafeBufferPointer { b in
                    for r in b where r.at <= now {
                        let c = Int(r.conversation)
                        (base + next[c]).initialize(to: r)
                        next[c] += 1
                    }
                }
            }
            count = total
        }
        self.starts = starts
    }

    /// Orders each conversation's rows by (occurredAt, storage order) and builds it from those known by `known`
    /// (milliseconds; rows grouped without a bound keep the later ones for the live state); parts run
    /// concurrently. Conversations come out in conversation-number order.
    mutating func build(builder: ConversationBuilder, canonical: [Int32], sources: [Int32], known: Int64 = .max) -> [Conversation] {
        let starts = self.starts
        let n = starts.count - 1
        let parts = Parallel.ranges(n, parts: Parallel.width * 2)
        // Parts write their conversations into one buffer, each from the start of its own range;
        // the few conversations that build to nothing leave gaps, closed afterwards in part order.
        return [Conversation](unsafeUninitializedCapacity: n) { out, count in
            let dest = out.baseAddress!
            let written: [Int] = rows.withUnsafeMutableBufferPointer { all in
                let base = all.baseAddress
                return canonical.withUnsafeBufferPointer { canon in
                    Parallel.map(parts.count) { p -> Int in
                        var at = parts[p].lowerBound
                        for c in parts[p] {
                            let lo = starts[c], hi = starts[c + 1]
                            guard hi > lo, let base else { continue }
                            let slice = UnsafeMutableBufferPointer(start: base + lo, count: hi - lo)
                            Self.order(slice)
                            let shown = known == .max ? slice.count : Self.knownCount(UnsafeBufferPointer(slice), by: known)
                            if var conv = builder.build(UnsafeBufferPointer(rebasing: slice[..<shown]), canonical: { canon[Int($0)] }) {
                                conv.source = sources[c]
                                (dest + at).initialize(to: conv)
                                at += 1
                            }
                        }
                        return at - parts[p].lowerBound
                    }
                }
            }
            var end = 0
            for (p, w) in written.enumerated() {
                let from = parts[p].lowerBound
                if from != end { (dest + end).moveInitialize(from: dest + from, count: w) }
                end += w
            }
            count = end
        }
    }

    /// Sorts by (at, order). Table order is nearly sorted already, so an insertion sort is used while
    /// few rows are out of place (each costs at most one pass); otherwise (a conversation imported
    /// newest first, say) a general sort keeps it O(n log n).
    @inline(__always) static func order(_ s: UnsafeMutableBufferPointer<MetricsRow>) {
        guard s.count > 1 else { return }
        if s.count > 32 {
            var descents = 0
            for i in 1..<s.count where before(s[i], s[i - 1]) { descents += 1 }
            if descents > 8 {
                var rows = s   // the same memory: sorted in place
                rows.sort(by: before)
                return
            }
        }
        for i in 1..<s.count {
            let x = s[i]
            var j = i
            while j > 0 && (s[j - 1].at > x.at || (s[j - 1].at == x.at && s[j - 1].order > x.order)) {
                s[j] = s[j - 1]
                j -= 1
            }
            if j != i { s[j] = x }
        }
    }

    /// Of rows in (at, order) order, how many are known by `known` (at ≤ known, milliseconds): a prefix.
    @inline(__always) static func knownCount(_ s: UnsafeBufferPointer<MetricsRow>, by known: Int64) -> Int {
        var n = s.count
        while n > 0 && s[n - 1].at > known { n -= 1 }
        return n
    }

    @inline(__always) static func before(_ x: MetricsRow, _ y: MetricsRow) -> Bool {
        x.at < y.at || (x.at == y.at && x.order < y.order)
    }
}
