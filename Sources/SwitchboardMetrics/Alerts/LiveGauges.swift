import Foundation
import SwitchboardCore

/// The KPI gauges of `GET /metrics` (``KPIGauges``), kept from the latest dataset: the alert monitor hands
/// over the dataset of each evaluation (so with `alerts:` a scrape costs nothing); without a recent one a
/// scrape loads the metrics through the ``MetricsLoader`` itself, at most once per `maxAge` seconds.
public actor LiveGauges {
    let loader: any MetricsLoader
    let settings: MetricsSettings
    let maxAge: Double
    let now: @Sendable () -> Date
    private var text: String?
    private var madeAt: Date?
    /// The load in progress: scrapes arriving meanwhile wait for it instead of each reading the store.
    private var loading: Task<Void, Never>?

    /// - Parameters:
    ///   - now: the clock the gauges are computed at (the test clock in tests).
    ///   - maxAge: how long (wall time, seconds) gauges stay current.
    public init(loader: any MetricsLoader, settings: MetricsSettings, maxAge: Double = 5, now: @escaping @Sendable () -> Date) {
        self.loader = loader
        self.settings = settings
        self.maxAge = maxAge
        self.now = now
    }

    /// Renders the gauges from `data` (as of `at`) and keeps them.
    public func update(_ data: Dataset, at: Date) {
        text = KPIGauges.render(data, settings: settings, now: at)
        madeAt = Date()
    }

    /// The current gauges; loads the metrics when none are recent. Empty when the store cannot be read.
    public func current() async -> String {
        if let text, let madeAt, Date().timeIntervalSince(madeAt) < maxAge { return text }
        if let loading { await loading.value; return text ?? "" }
        let at = now()
        let task = Task { [loader] in
            if let loaded = try? await loader.load(now: at) { self.update(loaded.data, at: at) }
        }
        loading = task
        await task.value
        loading = nil
        return text ?? ""
    }
}
