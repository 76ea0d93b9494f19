import Foundation
import Synchronization
import SwitchboardCore
import SwitchboardScan

/// The report walk of the live state, kept between reports (docs/live.md "How a load stays fast").
///
/// The kept conversations are walked in blocks of ``blockSize`` (by index in ``Dataset/conversations``). Each block's
/// part of the walk is kept with the block's stamp (``Dataset/blockStamps``: the live state gives a block a new stamp
/// whenever one of its conversations, their FCR verdicts or their customers' other conversations change) and with its
/// horizon: the first instant, at or after the walk's `to` and `now`, at which time alone can change the block's part
/// (a conversation opening or resolving, a recovery window closing). A later report with the same period start, days,
/// breakdowns and filters walks again only the blocks whose stamp changed or whose horizon it reached, and merges every
/// block's part in block order — the order of a whole walk, so the report is the same.
///
/// Backlog ages are taken from the period's end when the groups are finished, so nothing kept depends on the clock.
public final class WalkMemo: @unchecked Sendable {
    /// Conversations per block.
    public let blockSize: Int
    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]
    private var uses = 0
    private var walkedBlocks = 0, keptBlocks = 0

    /// Walks kept at once (kinds of report: formats and options that differ in period start, breakdowns or filters).
    /// Each holds the raw values of its groups (durations, opens): about 60 bytes a conversation for the overall group,
    /// as much again for each breakdown.
    static let maxEntries = 3

    public init(blockSize: Int = 8192) {
        precondition(blockSize > 0, "a block holds at least one conversation")
        self.blockSize = blockSize
    }

    private static let stamps = Atomic<UInt64>(0)

    /// A stamp no block has had yet (shared by every copy of every live state, so two states never mean different
    /// blocks by one stamp).
    public static func newStamp() -> UInt64 { stamps.add(1, ordering: .relaxed).newValue }

    /// Blocks walked and blocks taken from the memo so far.
    public var counts: (walked: Int, kept: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (walkedBlocks, keptBlocks)
    }

    /// What a kept walk depends on besides its blocks, `to` and `now`.
    struct Key: Hashable {
        var from: Date
        var days: Int
        var by: [Breakdown]
        var filters: [String: Set<String>]
        /// Topic numbering (topic breakdowns and filters) and, with filters, the names they are resolved against.
        var topics: Int, topicSets: Int, names: Int
    }

    private final class Entry {
        var blocks: [Block?] = []
        var used = 0
    }

    private struct Block {
        var stamp: UInt64
        var to: Date, now: Date
        var result: PartResult

        /// Whether this part is the walk's part at `to` and `now` for a block stamped `stamp`.
        func holds(stamp: UInt64, to: Date, now: Date) -> Bool {
            stamp == self.stamp && to >= self.to && now >= self.now && result.horizon > max(to, now).timeIntervalSince1970
        }
    }

    /// The walk's parts of `count` conversations in block order: kept parts where they still hold, the other blocks
    /// walked by `walk` (given their ranges, it returns their parts in the same order). Kept parts must not be changed:
    /// merge them with `keeping`.
    func parts(_ key: Key, stamps: [UInt64], count: Int, to: Date, now: Date, walk: ([Range<Int>]) -> [PartResult]) -> [PartResult] {
        let n = (count + blockSize - 1) / blockSize
        @inline(__always) func stamp(_ b: Int) -> UInt64 { b < stamps.count ? stamps[b] : 0 }
        var out = [PartResult?](repeating: nil, count: n)
        var missing: [Int] = []
        lock.lock()
        uses += 1
        let entry = entries[key] ?? Entry()
        entry.used = uses
        for b in 0..<n {
            if b < entry.blocks.count, let kept = entry.blocks[b], kept.holds(stamp: stamp(b), to: to, now: now) {
                out[b] = kept.result
            } else {
                missing.append(b)
            }
        }
        keptBlocks += n - missing.count
        walkedBlocks += missing.count
        lock.unlock()

        let walked = missing.isEmpty ? [] : walk(missing.map { b in b * blockSize..<min(count, (b + 1) * blockSize) })
        // Kept: parts that can hold for a later request. A block without a stamp (0) is not the live state's, and a
        // part whose horizon is already reached (a period ending before conversations it walked) would never hold.
        let limit = max(to, now).timeIntervalSince1970
        var keep = [Bool](repeating: false, count: missing.count)
        for (k, b) in missing.enumerated() where stamp(b) != 0 && walked[k].horizon > limit {
            walked[k].compact()
            keep[k] = true
        }

        lock.lock()
        defer { lock.unlock() }
        if entry.blocks.count < n { entry.blocks += [Block?](repeating: nil, count: n - entry.blocks.count) }
        for (k, b) in missing.enumerated() {
            out[b] = walked[k]
            entry.blocks[b] = keep[k] ? Block(stamp: stamp(b), to: to, now: now, result: walked[k]) : nil
        }
        entries[key] = entry
        if entries.count > Self.maxEntries, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key {
            entries[oldest] = nil
        }
        return out.map { $0! }
    }
}
