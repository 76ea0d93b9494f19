import Foundation
import SwitchboardCore

/// Computes a ``Report`` from the store (DESIGN §5): conversations are rebuilt once,
/// then every group's metrics are accumulated in one walk.
///
/// ```swift
/// let engine = MetricsEngine(settings: try MetricsSettings(config: config))
/// let report = try await engine.report(store: store, request: ReportRequest(now: Date()))
/// print(JSONReportRenderer.render(report))
/// ```
public struct MetricsEngine: Sendable {
    public var settings: MetricsSettings

    public init(settings: MetricsSettings) { self.settings = settings }

    /// Streams the store, rebuilds conversations as of `request.now`, and computes the report.
    public func report(store: any InteractionStore, request: ReportRequest) async throws -> Report {
        let data = try await Dataset.load(from: store, settings: settings, now: request.now)
        var report = compute(data, request: request)
        report.dataQuality = try await store.sourceStats()
        return report
    }

    /// The report of an already rebuilt dataset (data quality left empty).
    public func compute(_ data: Dataset, request: ReportRequest) -> Report {
        let clock = LocalClock(timeZone: settings.timeZone)
        let calendar = BusinessCalendar(hours: settings.businessHours)
        let to = request.to ?? request.now
        let firstOpen = data.conversations.compactMap(\.openedAt).min()
        let from = request.from ?? firstOpen.map { clock.midnight(day: clock.day($0)) } ?? to
        let overall = Accumulator()
        overall.trackBacklog = true
        var groups: [Breakdown: [String: Accumulator]] = [:]
        for d in request.by { groups[d] = [:] }

        func accumulators(_ c: Conversation, day: Int?, agent: String?) -> [Accumulator] {
            var out = [overall]
            for d in request.by {
                let key: String
                switch d {
                case .channel: key = c.channel.rawValue
                case .platform: key = c.platform
                case .source: key = c.source
                case .agent: key = agent ?? "(none)"
                case .queue: key = c.call?.queue ?? "(none)"
                case .day, .week, .month:
                    guard let day else { continue }
                    key = d == .day ? LocalClock.dayLabel(day) : d == .week ? LocalClock.weekLabel(day) : LocalClock.monthLabel(day)
                }
                if let acc = groups[d]![key] {
                    out.append(acc)
                } else {
                    let acc = Accumulator()
                    acc.trackBacklog = d != .day && d != .week && d != .month
                    groups[d]![key] = acc
                    out.append(acc)
                }
            }
            return out
        }

        func passes(channel: Channel, source: String, agent: String?) -> Bool {
            (request.channels.isEmpty || request.channels.contains(channel))
                && (request.sources.isEmpty || request.sources.contains(source))
                && (request.agents.isEmpty || agent.map(request.agents.contains) == true)
        }

        var backlogIntervals: [(Date, Date?)] = []
        for (i, c) in data.conversations.enumerated() where passes(channel: c.channel, source: c.source, agent: c.owner) {
            guard let open = c.openedAt else {
                if c.firstAt >= from && c.firstAt < to {
                    for acc in accumulators(c, day: clock.day(c.firstAt), agent: c.owner) { acc.addOutbound(c) }
                }
                continue
            }
            if c.call == nil && open < to {
                let intervals = c.backlogIntervals
                backlogIntervals += intervals
                if intervals.contains(where: { $0.start <= to && ($0.end.map { $0 > to } ?? true) }) {
                    for acc in accumulators(c, day: nil, agent: c.owner) { acc.addBacklog(age: to.timeIntervalSince(open)) }
                }
            }
            guard open >= from && open < to else { continue }
            let day = clock.day(open), hour = clock.hour(open), weekday = BusinessCalendar.weekday(day)
            for acc in accumulators(c, day: day, agent: c.owner) {
                acc.addVolume(c, day: day, hour: hour, weekday: weekday)
                if c.call != nil { acc.addCall(c, hour: hour, weekday: weekday, answerWithin: settings.targets.phoneAnswerWithin) }
                if c.counts { acc.addConversation(c, fcr: data.fcr[i], calendar: calendar) }
            }
        }
        for s in data.surveys where s.at >= from && s.at < to {
            let conv = s.conversation.map { data.conversations[$0] }
            let agent = conv?.lastAgent ?? s.actorId
            guard passes(channel: conv?.channel ?? s.channel, source: conv?.source ?? s.source, agent: agent) else { continue }
            let anchor = conv ?? Conversation(
                source: s.source, key: s.conversationKey, channel: s.channel, platform: "", customerKey: s.customerKey,
                firstAt: s.at, openedAt: nil, customerInitiated: false, firstResponseAt: nil, resolutions: [], reopens: [],
                resolved: false, explicitStatus: false, agents: [], firstResponder: nil, lastAgent: nil, call: nil)
            for acc in accumulators(anchor, day: clock.day(s.at), agent: agent) { acc.addSurvey(s.info) }
        }
        let daily = Self.dailyBacklog(backlogIntervals, from: from, to: to, clock: clock)
        var breakdowns: [(Breakdown, [(String, GroupMetrics)])] = []
        for d in request.by {
            let list = groups[d]!.sorted { $0.key < $1.key }.map { ($0.key, $0.value.finish(settings: settings, daily: [])) }
            breakdowns.append((d, list))
        }
        return Report(from: from, to: to, now: request.now, timeZone: settings.timeZone,
                      overall: overall.finish(settings: settings, daily: daily), breakdowns: breakdowns, dataQuality: [:])
    }

    /// Backlog at the end of each local day of the period (the last day ends at `to`).
    static func dailyBacklog(_ intervals: [(Date, Date?)], from: Date, to: Date, clock: LocalClock) -> [(String, Int)] {
        guard to > from else { return [] }
        var days: [Int] = []
        var bounds: [Date] = []
        var d = clock.day(from)
        while true {
            let end = clock.midnight(day: d + 1)
            days.append(d)
            bounds.append(min(end, to))
            if end >= to || days.count > 3660 { break }
            d += 1
        }
        var diff = Array(repeating: 0, count: bounds.count + 1)
        func firstIndex(atOrAfter t: Date) -> Int {
            var lo = 0, hi = bounds.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if bounds[mid] < t { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        for (s, e) in intervals {
            let a = firstIndex(atOrAfter: s)
            let b = e.map(firstIndex(atOrAfter:)) ?? bounds.count
            if a < b {
                diff[a] += 1
                diff[b] -= 1
            }
        }
        var running = 0
        return days.enumerated().map { k, day in
            running += diff[k]
            return (LocalClock.dayLabel(day), running)
        }
    }
}
