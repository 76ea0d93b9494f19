import Foundation
import SwitchboardCore
import SwitchboardScan

/// What the HTML report shows: the report (with agent and channel breakdowns), the
/// previous period of equal length for the tiles' change, the filters and display names.
public struct HTMLReportInput: Sendable {
    public var report: Report
    /// Overall metrics of [from − length, from), same filters; nil when not computed.
    public var previous: GroupMetrics?
    public var filters: ReportRequest
    /// Agent id → display name (from the config's `agents:`).
    public var agentNames: [String: String]
    public var title: String
    /// The form and the links to the conversations behind each count (the served page); nil for the
    /// self-contained file.
    public var links: HTMLReportLinks?

    public init(report: Report, previous: GroupMetrics?, filters: ReportRequest, agentNames: [String: String] = [:],
                title: String = "Customer service report") {
        self.report = report
        self.previous = previous
        self.filters = filters
        self.agentNames = agentNames
        self.title = title
    }

    /// The groups of one breakdown, empty when the report has none.
    func groups(_ b: Breakdown) -> [(String, GroupMetrics)] { report.groups(b) }
}

extension MetricsEngine {
    /// Everything the HTML report needs, from one load of the store: the report with the
    /// requested breakdowns plus `agent` and `channel`, and the previous period of equal length.
    ///
    /// ```swift
    /// let input = try await engine.htmlInput(store: store, request: ReportRequest(now: Date()))
    /// try HTMLReportRenderer.render(input).write(toFile: "report.html", atomically: true, encoding: .utf8)
    /// ```
    public func htmlInput(store: any MetricsStore, request: ReportRequest,
                          agentNames: [String: String] = [:]) async throws -> HTMLReportInput {
        try await htmlInput(loader: StoreMetricsLoader(engine: self, store: store), request: request, agentNames: agentNames)
    }

    /// ``htmlInput(store:request:agentNames:)`` from the metrics `loader` gives.
    public func htmlInput(loader: any MetricsLoader, request: ReportRequest,
                          agentNames: [String: String] = [:]) async throws -> HTMLReportInput {
        let loaded = try await loader.load(now: request.now)
        let data = loaded.data
        var current = request
        for b in [Breakdown.agent, .channel, .topic] where !current.by.contains(b) { current.by.append(b) }
        var report = compute(data, request: current)
        report.dataQuality = loaded.dataQuality
        var previous: GroupMetrics?
        let length = report.to.timeIntervalSince(report.from)
        if length > 0 {
            var before = request
            before.by = []
            before.from = report.from.addingTimeInterval(-length)
            before.to = report.from
            previous = groups(data.unkept, request: before).overall
        }
        return HTMLReportInput(report: report, previous: previous, filters: request, agentNames: agentNames)
    }
}
