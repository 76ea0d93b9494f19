import Foundation
import SwitchboardCore
import SwitchboardScan

/// What every consumer of the metrics starts from: the store read once, conversations rebuilt as of
/// "now", FCR verdicts and survey links made, and the data-quality totals of the same read.
public struct LoadedMetrics: Sendable {
    public var data: Dataset
    /// Stored rows per source (counted by the scan itself), duplicates and dead letters.
    public var dataQuality: [String: SourceStats]
}

extension MetricsEngine {
    /// The one way in from a store, used by the report (every format), the served `GET /report` and
    /// `explain`: scan → dataset → totals.
    public func load(store: any MetricsStore, now: Date) async throws -> LoadedMetrics {
        Timing.mark("start")
        let scan = try await store.scanMetrics()
        Timing.mark("scan")
        // The store's run and dead-letter totals are read while conversations are rebuilt; stored rows
        // per source are the scan's own counts (the same snapshot, no second read of the table).
        async let totals = store.sourceStats(countingStored: false)
        var data = Dataset(scan: consume scan, settings: settings, now: now)
        try await loadAgentEvents(into: &data, from: store, now: now)
        let quality = Self.dataQuality(try await totals, stored: data.tables.storedCounts)
        Timing.mark("data quality")
        return LoadedMetrics(data: data, dataQuality: quality)
    }
}

/// Where a consumer gets the metrics as of a moment. ``StoreMetricsLoader`` reads the store on every
/// call (what `report` does); `serve` may hand its consumers (the served report, alerts, gauges) a loader
/// that keeps the state current instead. Every loader gives the same ``LoadedMetrics`` for the same
/// store contents and `now`.
public protocol MetricsLoader: Sendable {
    func load(now: Date) async throws -> LoadedMetrics
}

/// The cold path: one scan of the store per call.
public struct StoreMetricsLoader: MetricsLoader {
    public let engine: MetricsEngine
    public let store: any MetricsStore

    public init(engine: MetricsEngine, store: any MetricsStore) {
        self.engine = engine
        self.store = store
    }

    public func load(now: Date) async throws -> LoadedMetrics { try await engine.load(store: store, now: now) }
}
