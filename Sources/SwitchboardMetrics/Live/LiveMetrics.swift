import Foundation
import SwitchboardCore
import SwitchboardScan

/// The ``MetricsLoader`` of `serve` (docs/live.md): the conversation state is built from the store once, then
/// kept current by following the store's insertion order — every few seconds (``follow(every:)``) and before
/// every load, so a load sees every interaction committed before it began (this process's webhooks and pulls
/// as well as other instances writing to a shared PostgreSQL store). A load walks the kept conversations; only
/// the conversations touched by new rows, or whose state changes between the state's moment and the load's
/// `now`, are rebuilt. A load with a `now` earlier than the state's reads the store afresh (the cold path):
/// the same bytes either way.
public actor LiveMetrics: MetricsLoader {
    public nonisolated let engine: MetricsEngine
    public nonisolated let store: any MetricsFollowing
    /// Receives what the state has to say (built, a failed read); `serve` logs it.
    private let log: @Sendable (String) -> Void
    private var state: LiveDataset?
    private var position = MetricsTailPosition(complete: 0)
    /// Tail reads not yet taken into the state (taken in at the next load, or once they grow past ``applyRows``).
    private var pending: [MetricsScan] = []
    private var pendingRows = 0
    /// The initial build, shared by the loads that arrive before it ends.
    private var starting: Task<Void, any Error>?
    /// The last tail read (reads run one after another: each starts from where the previous one stopped).
    private var lastRead: Task<Void, any Error>?
    /// When the last `topics apply` that went to the end finished, as read before the state's scan: one that
    /// finishes later rewrote stored rows in place, which the tail does not see, so the state is built again.
    private var topicsApplied: Date?
    /// Loads answered from the state and by the cold path (for the status and the tests).
    public private(set) var liveLoads = 0, coldLoads = 0

    /// Pending rows beyond which a tail read is taken into the state at once.
    static let applyRows = 50_000
    /// Seconds past the clock the state itself moves to (a later `now` is served from a copy).
    static let aheadOfClock: Double = 60

    public init(engine: MetricsEngine, store: any MetricsFollowing, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.engine = engine
        self.store = store
        self.log = log
    }

    /// Builds the state from one full scan as of `now` (once; later calls wait for the first). The state follows
    /// the clock: `serve` builds it as of its start (a test may start it at another moment).
    public func start(now: Date = Date()) async throws {
        if let starting { return try await starting.value }
        let task = Task { try await self.build(now: now) }
        starting = task
        do { try await task.value } catch {
            starting = nil
            throw error
        }
    }

    private func build(now: Date) async throws {
        #if os(Linux)
        Self.keepHeapSmall()
        #endif
        let began = Date()
        topicsApplied = TopicsApply.finishedAt(try await store.checkpoint(source: TopicsApply.checkpointSource))
        let (scan, at) = try await store.scanMetricsFollowing()
        let rows = scan.rowCount
        state = LiveDataset(scan: scan, settings: engine.settings, now: now)
        position = at
        #if os(Linux)
        // The scan's rows are freed once grouped; give that memory back rather than keep it for the process.
        _ = mallocTrim(0)
        #endif
        log("live state built: \(rows) rows, \(state?.data.conversations.count ?? 0) conversations in "
            + String(format: "%.2f s", Date().timeIntervalSince(began)))
    }

    public func load(now: Date) async throws -> LoadedMetrics {
        try await start()
        try await readTail()
        guard var live = state else { throw MetricsError("the live state is not built") }
        state = nil   // the state is changed in place, not copied
        for k in pending.indices { live.apply(&pending[k]) }
        pending = []
        pendingRows = 0
        // The state follows the clock; a moment ahead of it is reached by a copy (the arrays it changes are
        // duplicated for this load), so one request for next week does not send every later one to the store.
        var data: Dataset
        let current: Bool
        if now > Date().addingTimeInterval(Self.aheadOfClock) {
            state = live
            var copy = live
            current = copy.advance(to: now)
            data = copy.data
        } else {
            current = live.advance(to: now)
            state = live
            data = live.data
        }
        guard current else {
            if coldLoads == 0 {
                log("live state: a load as of \(Timestamp.formatISO8601(now)), before the state's moment "
                    + "\(Timestamp.formatISO8601(live.now)), reads the store (so do later ones like it)")
            }
            coldLoads += 1
            return try await StoreMetricsLoader(engine: engine, store: store).load(now: now)
        }
        liveLoads += 1
        // What the cold path reads besides the interactions comes from the store as it does there.
        async let totals = store.sourceStats(countingStored: false)
        try await engine.loadAgentEvents(into: &data, from: store, now: now)
        return LoadedMetrics(data: data, dataQuality: MetricsEngine.dataQuality(try await totals, stored: data.tables.storedCounts))
    }

    /// Reads the rows committed since the last read (after the reads already under way).
    public func readTail() async throws {
        let previous = lastRead
        let task = Task {
            _ = try? await previous?.value
            try await self.readOnce()
        }
        lastRead = task
        try await task.value
    }

    private func readOnce() async throws {
        guard let moment = state?.now else { return }
        let applied = TopicsApply.finishedAt(try await store.checkpoint(source: TopicsApply.checkpointSource))
        if let applied, applied != topicsApplied {
            log("live state: `topics apply` rewrote the rule topics of stored messages; building the state again")
            pending = []
            pendingRows = 0
            return try await build(now: moment)
        }
        let (scan, next) = try await store.scanMetricsTail(after: position)
        position = next
        guard scan.rowCount > 0 || !scan.surveys.isEmpty || !scan.storedBySource.isEmpty else { return }
        pendingRows += scan.rowCount + scan.surveys.count
        pending.append(scan)
        if pendingRows > Self.applyRows, var live = state {
            state = nil
            for k in pending.indices { live.apply(&pending[k]) }
            state = live
            pending = []
            pendingRows = 0
        }
    }

    /// Follows the store until the task is cancelled: the initial build, then a tail read every `interval`.
    /// A failed read is logged and tried again at the next tick.
    public func follow(every interval: Duration = .seconds(2)) async {
        while !Task.isCancelled {
            do {
                try await start()
                try await readTail()
            } catch {
                log("live state: cannot read the store (tried again in \(interval)): \(error)")
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// The state's moment, conversations and kept rows (nil before the initial build).
    public func summary() -> (now: Date, conversations: Int, rows: Int)? {
        state.map { ($0.now, $0.data.conversations.count, $0.rowCount) }
    }
}

#if os(Linux)
/// glibc's `malloc_trim` (not in the Swift Glibc module): returns freed heap memory to the system.
@_silgen_name("malloc_trim") private func mallocTrim(_ pad: Int) -> Int32
/// glibc's `mallopt`.
@_silgen_name("mallopt") private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32

extension LiveMetrics {
    /// A report's lists (durations to sort, merged groups) are megabytes each and live for one request, allocated
    /// and freed on whichever threads the request ran on. With glibc's default of one heap (arena) per thread, the
    /// space freed in one heap does not serve the next request's lists allocated in another, and the process keeps
    /// growing towards a request's peak in every heap. One heap for the process keeps it to one peak
    /// (docs/live.md "Memory"; at 5M interactions the highest RSS under the same load was about 180 MiB lower).
    static func keepHeapSmall() {
        let arenaMax: Int32 = -8   // M_ARENA_MAX in <malloc.h>
        _ = mallopt(arenaMax, 1)
    }
}
#endif
