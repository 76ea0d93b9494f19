import Foundation
import SwitchboardCore
import SwitchboardScan

/// Computes a ``Report`` from the store (DESIGN §5): conversations are rebuilt once,
/// then every group's metrics are accumulated in one walk (in parts on the machine's cores,
/// merged in a fixed order so the report never depends on timing).
///
/// ```swift
/// let engine = MetricsEngine(settings: try MetricsSettings(config: config))
/// let report = try await engine.report(store: store, request: ReportRequest(now: Date()))
/// print(JSONReportRenderer.render(report))
/// ```
public struct MetricsEngine: Sendable {
    public var settings: MetricsSettings
    /// Parts the conversations are walked in (nil: one per core). Any number gives the same report;
    /// tests set it to check that merging parts loses nothing.
    public var parts: Int?

    public init(settings: MetricsSettings, parts: Int? = nil) {
        self.settings = settings
        self.parts = parts
    }

    /// Scans the store, rebuilds conversations as of `request.now`, and computes the report.
    public func report(store: any MetricsStore, request: ReportRequest) async throws -> Report {
        try await report(loader: StoreMetricsLoader(engine: self, store: store), request: request)
    }

    /// The report of the metrics `loader` gives as of `request.now` (the served report's live state, or the store).
    public func report(loader: any MetricsLoader, request: ReportRequest) async throws -> Report {
        let loaded = try await loader.load(now: request.now)
        var report = compute(loaded.data, request: request)
        report.dataQuality = loaded.dataQuality
        return report
    }

    /// The report of an already rebuilt dataset (data quality left empty).
    public func compute(_ data: Dataset, request: ReportRequest) -> Report {
        var report = groups(data, request: request)
        report.topics = topicSummary(data, request: request, from: report.from, to: report.to)
        attachAgentTime(&report, data, request: request)
        return report
    }

    /// The request's period: `to` defaults to now, `from` to the local midnight of the first open.
    func period(_ data: Dataset, request: ReportRequest) -> (from: Date, to: Date) {
        let clock = LocalClock(timeZone: settings.timeZone)
        let to = request.to ?? request.now
        if let from = request.from { return (from, to) }
        var firstOpen: Date?
        data.conversations.withUnsafeBufferPointer { convs in
            for i in convs.indices { if let o = convs[i].openedAt, firstOpen.map({ o < $0 }) ?? true { firstOpen = o } }
        }
        return (firstOpen.map { clock.midnight(day: clock.day($0)) } ?? to, to)
    }

    /// The overall group and the breakdowns' groups of a request.
    func groups(_ data: Dataset, request: ReportRequest) -> Report {
        let clock = LocalClock(timeZone: settings.timeZone)
        let (from, to) = period(data, request: request)
        let bounds = Self.dayBounds(from: from, to: to, clock: clock)
        // Surveys are walked beside the conversations into a part of their own, merged last (their values are
        // counts and one sum that starts at zero in every conversation part, so the merge changes no digit).
        let first: PartResult
        if let memo = data.walkMemo {
            let surveys = GroupWalk(data: data, request: request, settings: settings, from: from, to: to, only: [])
            let both = Parallel.map(2) { k in
                k == 0 ? kept(memo, data, request: request, from: from, to: to, dayEnds: bounds.ends) : surveys.surveys(days: bounds.ends.count)
            }
            first = both[0]
            first.merge(both[1])
        } else {
            let walk = GroupWalk(data: data, request: request, settings: settings, from: from, to: to)
            let ranges = Parallel.ranges(data.conversations.count, parts: max(1, parts ?? Parallel.width))
            let results = Parallel.map(ranges.count + 1) { p in
                p < ranges.count ? walk.conversations(ranges[p], dayEnds: bounds.ends) : walk.surveys(days: bounds.ends.count)
            }
            first = results[0]
            for r in results.dropFirst() { first.merge(r) }
        }
        Timing.mark("walk")

        var running = 0
        let daily: [(String, Int)] = bounds.days.enumerated().map { k, day in
            running += first.backlogDiff[k]
            return (LocalClock.dayLabel(day), running)
        }
        let name: (Int32) -> String = { data.name($0) ?? "" }
        // The staffing grid's hours: those of the period that have happened by now.
        let hoursTo = max(from, min(to, request.now))
        var breakdowns: [(Breakdown, [(String, GroupMetrics)])] = []
        for (d, groups) in zip(request.by, first.groups) {
            var byLabel: [String: Accumulator] = [:]
            for key in groups.keys.sorted() {
                let acc = groups[key]!
                let label = d.label(key, data)
                if let seen = byLabel[label] { seen.merge(acc) } else { byLabel[label] = acc }
            }
            let list = byLabel.sorted { $0.key < $1.key }
                .map { ($0.key, $0.value.finish(settings: settings, daily: [], name: name, to: to, period: (from, hoursTo))) }
            breakdowns.append((d, list))
        }
        let overall = first.overall.finish(settings: settings, daily: daily, name: name, to: to, period: (from, hoursTo), loggedIn: data.loggedInAgents)
        Timing.mark("finish")
        return Report(from: from, to: to, now: request.now, timeZone: settings.timeZone,
                      overall: overall, breakdowns: breakdowns, dataQuality: [:])
    }

    /// The conversations' part of the walk from the live state's ``WalkMemo``: kept blocks merged with the blocks walked
    /// again (on the machine's cores), in block order, into a fresh part (kept parts stay as they are).
    func kept(_ memo: WalkMemo, _ data: Dataset, request: ReportRequest, from: Date, to: Date, dayEnds: [Date]) -> PartResult {
        let key = WalkMemo.Key(from: from, days: dayEnds.count, by: request.by, filters: request.filters, topics: data.topicNames.count,
                               topicSets: data.setTopics.count, names: request.filters.isEmpty ? 0 : data.tables.names.count)
        let blocks = memo.parts(key, stamps: data.blockStamps, count: data.conversations.count, to: to, now: request.now) { ranges in
            let walk = GroupWalk(data: data, request: request, settings: settings, from: from, to: to, only: ranges)
            return Parallel.map(ranges.count) { walk.conversations(ranges[$0], dayEnds: dayEnds, kept: true) }
        }
        let overall = Accumulator(customers: data.tables.customers.count, layout: .dense, trackBacklog: true)
        overall.staffing.track = true
        let total = PartResult(overall: overall, breakdowns: request.by.count, days: dayEnds.count)
        overall.reserve(for: blocks.map(\.overall))
        for b in blocks { total.merge(b, keeping: true) }
        return total
    }

    /// The rule sets behind the stored rule topics and, with a `topic` breakdown, each topic's counted
    /// conversations in the previous period of equal length (same filters).
    func topicSummary(_ data: Dataset, request: ReportRequest, from: Date, to: Date) -> TopicSummary {
        var summary = TopicSummary(rules: settings.topicRuleSet.isEmpty ? nil : settings.topicRuleSet)
        for (f, n) in data.tables.ruleSets { summary.ruleSets[data.tables.names.string(f), default: 0] += n }
        let length = to.timeIntervalSince(from)
        guard request.by.contains(.topic), length > 0 else { return summary }
        var before = request
        before.by = [.topic]
        before.from = from.addingTimeInterval(-length)
        before.to = from
        let previous = groups(data.unkept, request: before)
        summary.previousFrom = before.from
        summary.previousTo = before.to
        summary.previous = Dictionary(uniqueKeysWithValues: (previous.breakdowns.first?.1 ?? []).map { ($0.0, $0.1.conversations) })
        return summary
    }

    /// The data-quality section: the store's run and dead-letter totals (``InteractionStore/sourceStats(countingStored:)``
    /// leaves `stored` at 0) with the scan's stored rows per source.
    static func dataQuality(_ totals: [String: SourceStats], stored: [String: Int]) -> [String: SourceStats] {
        var quality = totals
        for (source, n) in stored { quality[source, default: SourceStats()].stored = n }
        return quality
    }

    /// Local days of the period and the instant each ends (the last ends at `to`).
    static func dayBounds(from: Date, to: Date, clock: LocalClock) -> (days: [Int], ends: [Date]) {
        guard to > from else { return ([], []) }
        var days: [Int] = []
        var ends: [Date] = []
        var d = clock.day(from)
        while true {
            let end = clock.midnight(day: d + 1)
            days.append(d)
            ends.append(min(end, to))
            if end >= to || days.count > 3660 { break }
            d += 1
        }
        return (days, ends)
    }
}
