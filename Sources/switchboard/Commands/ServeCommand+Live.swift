import Foundation
import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardMetrics
import SwitchboardScan

extension ServeCommand {
    /// The live conversation state `GET /report`, `GET /conversations`, the alerts and the KPI gauges read
    /// (docs/live.md); nil with `--cold-report`, for a store that cannot be followed, or when the metric settings
    /// cannot be made (unreadable customer links: the endpoint answers 500 and says why).
    func liveMetrics(_ rt: Runtime, store: any MetricsStore) -> LiveMetrics? {
        guard !coldReport else { return nil }
        guard let followed = store as? any MetricsFollowing else {
            rt.logger.notice("this store cannot be followed: GET /report reads the store on every request")
            return nil
        }
        guard let engine = try? MetricsRun.publisher(rt.config).engine else { return nil }
        let logger = Logger(label: "switchboard.live")
        return LiveMetrics(engine: engine, store: followed, log: { logger.info("\($0)") })
    }
}

/// Builds the live state when `serve` starts, then reads what the store commits every few seconds, until shutdown.
struct LiveFollower: Service {
    let live: LiveMetrics
    let interval: Duration

    func run() async throws {
        try await cancelWhenGracefulShutdown { await live.follow(every: interval) }
    }
}
