import Foundation
import SwitchboardCore
import SwitchboardMetrics
import SwitchboardScan
import SwitchboardScheduler
import SwitchboardServer

/// What `serve` adds for `alerts:` and the KPI gauges: the alert monitor, `GET /alerts` and the gauges'
/// text for `GET /metrics`.
struct AlertsWatch {
    var monitor: AlertMonitor?
    var endpoint: AlertsEndpoint
    var metrics: (@Sendable () async -> String)?
}

extension ServeCommand {
    /// The loader the alerts and gauges read the metrics through: the cold store path (a scan per load);
    /// nil when the metric settings cannot be made (unreadable customer links), which is logged.
    func metricsLoader(_ rt: Runtime, store: any MetricsStore) -> (any MetricsLoader)? {
        do {
            return StoreMetricsLoader(engine: try MetricsRun.publisher(rt.config).engine, store: store)
        } catch let failure as UsageFailure {
            rt.logger.error("alerts and the KPI gauges are not available: \(failure.message)")
        } catch {
            rt.logger.error("alerts and the KPI gauges are not available: \(error)")
        }
        return nil
    }

    /// The monitor (with `alerts:`), `GET /alerts` and the gauges. The gauges are computed on each alert tick from
    /// the dataset the rules were evaluated on; without alerts at scrape time (at most once per 5 s).
    func alertsWatch(_ rt: Runtime, store: any MetricsStore, loader: (any MetricsLoader)?, token: String?) throws -> AlertsWatch {
        let clock: any SchedulerClock = FileClock.fromEnvironment ?? SystemSchedulerClock()
        var gauges: LiveGauges?
        if let loader, let settings = try? MetricsRun.publisher(rt.config).engine.settings {
            gauges = LiveGauges(loader: loader, settings: settings, now: { clock.now() })
        }
        var monitor: AlertMonitor?
        if let loader {
            monitor = try AlertsRuntime.monitor(rt, store: store, loader: loader, gauges: gauges, clock: clock)
        } else if !rt.config.alerts.isEmpty {
            rt.logger.error("alerts: are not watched: the metrics cannot be loaded")
        }
        let log = store as? any AlertLog
        let endpoint = AlertsEndpoint(token: token, body: { @Sendable () async -> String? in
            guard let log else { return AlertsRuntime.json([]) }
            do { return AlertsRuntime.json(try await log.openAlerts()) } catch { return nil }
        })
        var metrics: (@Sendable () async -> String)?
        if let gauges {
            let watched = monitor
            metrics = { @Sendable () async -> String in
                let open: [String: Int] = await watched?.openByRule() ?? [:]
                let text: String = await gauges.current()
                return text + KPIGauges.alertsGauge(open)
            }
        }
        return AlertsWatch(monitor: monitor, endpoint: endpoint, metrics: metrics)
    }
}
