import Foundation
import SwitchboardCore
import SwitchboardScan

/// Computes a report from a store and renders it in one of the ``ReportOptions/Format``s:
/// what `switchboard report` prints and what `switchboard serve` answers at `GET /report`,
/// so both give the same bytes for the same options and "now".
///
/// ```swift
/// let publisher = try ReportPublisher(config: config)
/// let request = try options.request(timeZone: publisher.engine.settings.timeZone)
/// let html = try await publisher.render(store: store, request: request, format: .html)
/// ```
public struct ReportPublisher: Sendable {
    public var engine: MetricsEngine
    /// Agent id → display name, shown in the HTML page.
    public var agentNames: [String: String]

    public init(settings: MetricsSettings, agentNames: [String: String] = [:]) {
        engine = MetricsEngine(settings: settings)
        self.agentNames = agentNames
    }

    /// Settings and agent names from a loaded config.
    /// - Throws: ``MetricsError`` when a file the metrics read (`customers.links`) cannot be read.
    public init(config: SwitchboardConfig) throws {
        let names = Dictionary(config.agents.map { ($0.id, $0.name ?? $0.id) }, uniquingKeysWith: { a, _ in a })
        self.init(settings: try MetricsSettings(config: config), agentNames: names)
    }

    /// The report for `request` in `format`.
    /// - Throws: the store's errors.
    public func render(store: any MetricsStore, request: ReportRequest,
                       format: ReportOptions.Format) async throws -> String {
        try await render(loader: StoreMetricsLoader(engine: engine, store: store), request: request, format: format)
    }

    /// The report for `request` in `format`, from the metrics `loader` gives (the served report's live state).
    public func render(loader: any MetricsLoader, request: ReportRequest,
                       format: ReportOptions.Format) async throws -> String {
        if format == .html {
            return HTMLReportRenderer.render(try await engine.htmlInput(loader: loader, request: request,
                                                                        agentNames: agentNames))
        }
        return Self.render(try await engine.report(loader: loader, request: request), format: format)
    }

    /// A computed report as a table, JSON or CSV (HTML needs ``render(store:request:format:)``,
    /// which loads the previous period too); `.html` falls back to the table.
    public static func render(_ report: Report, format: ReportOptions.Format) -> String {
        switch format {
        case .json: JSONReportRenderer.render(report)
        case .csv: CSVReportRenderer.render(report)
        case .table, .html: TextReportRenderer.render(report)
        }
    }
}
