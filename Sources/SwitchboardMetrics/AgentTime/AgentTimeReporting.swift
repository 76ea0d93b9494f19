import Foundation
import SwitchboardCore
import SwitchboardScan

extension MetricsEngine {
    /// Reads the store's agent events into the dataset (``Dataset/agentEvents``) and makes them the staffing
    /// grid's logged-in agents. A store without agent events (``AgentEventSource``) leaves both empty.
    func loadAgentEvents(into data: inout Dataset, from store: any MetricsStore, now: Date) async throws {
        guard let source = store as? any AgentEventSource else { return }
        let events = try await source.agentEvents(sources: nil, before: nil)
        data.agentEvents = events
        if !events.isEmpty { data.loggedInAgents = AgentTime(events, now: now, timeZone: settings.timeZone) }
        Timing.mark("agent events")
    }

    /// Agent time of the overall group and of the breakdown groups it divides into (docs/metrics.md "Agent time"):
    /// `day`, `week` and `month` (the period clipped to the group's local days), `agent` (that agent's figures),
    /// `source` (that source's events) and `channel` (its `phone` group); a `queue` group gets its own transfer
    /// rate only. Topic and platform groups and reports filtered by queue or topic have none: an agent's log-in
    /// and pauses belong to no one queue or topic.
    func attachAgentTime(_ report: inout Report, _ data: Dataset, request: ReportRequest) {
        guard !data.agentEvents.isEmpty else { return }
        if request.filters[Breakdown.queue.name] != nil || request.filters[Breakdown.topic.name] != nil { return }
        if let channels = request.filters[Breakdown.channel.name], !channels.contains(Channel.phone.rawValue) { return }
        let time = (data.loggedInAgents as? AgentTime) ?? AgentTime(data.agentEvents, now: request.now, timeZone: settings.timeZone)
        let agents = request.filters[Breakdown.agent.name]
        let sources = request.filters[Breakdown.source.name]
        func stats(_ from: Date, _ to: Date, agents: Set<String>? = agents, sources: Set<String>? = sources) -> AgentTimeReport? {
            let s = time.stats(from: max(from, report.from), to: min(to, report.to), agents: agents, sources: sources)
            return s.isEmpty ? nil : s
        }
        report.overall.agentTime = stats(report.from, report.to)
        let clock = LocalClock(timeZone: settings.timeZone)
        for (k, (b, groups)) in report.breakdowns.enumerated() {
            var list = groups
            for i in list.indices {
                let label = list[i].0
                switch b.name {
                case Breakdown.day.name, Breakdown.week.name, Breakdown.month.name:
                    guard let day = Self.dayNumber(label), let end = Self.groupEnd(b, day) else { continue }
                    list[i].1.agentTime = stats(clock.midnight(day: day), clock.midnight(day: end))
                case Breakdown.agent.name:
                    if agents?.contains(label) == false { continue }
                    list[i].1.agentTime = stats(report.from, report.to, agents: [label])
                case Breakdown.source.name:
                    if sources?.contains(label) == false { continue }
                    list[i].1.agentTime = stats(report.from, report.to, sources: [label])
                case Breakdown.channel.name where label == Channel.phone.rawValue:
                    list[i].1.agentTime = report.overall.agentTime
                case Breakdown.queue.name:
                    // A queue's own transfer rate (no agent time: a log-in or pause is no one queue's).
                    guard let t = report.overall.agentTime?.transfersByQueue[label] else { continue }
                    list[i].1.agentTime = AgentTimeReport(agents: [:], transfersByQueue: [label: t])
                default:
                    continue
                }
            }
            report.breakdowns[k] = (b, list)
        }
    }

    /// The local day number of a `day` label (`2026-03-02`), a `week` label (`2026-W10`: its Monday) or a
    /// `month` label (`2026-03`: its first day).
    static func dayNumber(_ label: String) -> Int? {
        let parts = label.split(separator: "-").map(String.init)
        guard parts.count >= 2, let year = Int(parts[0]) else { return nil }
        if parts[1].hasPrefix("W"), let week = Int(parts[1].dropFirst()) {
            // ISO week 1 holds January 4th; its Monday starts the week.
            let jan4 = Timestamp.daysFromCivil(year: year, month: 1, day: 4)
            return jan4 - (BusinessCalendar.weekday(jan4) - 1) + (week - 1) * 7
        }
        guard let month = Int(parts[1]) else { return nil }
        let day = parts.count > 2 ? Int(parts[2]) ?? 1 : 1
        return Timestamp.daysFromCivil(year: year, month: month, day: day)
    }

    /// The first local day after a timed group that starts on `day`.
    static func groupEnd(_ b: Breakdown, _ day: Int) -> Int? {
        switch b.name {
        case Breakdown.day.name: return day + 1
        case Breakdown.week.name: return day + 7
        case Breakdown.month.name:
            let c = Timestamp.civilFromDays(day)
            return c.month == 12 ? Timestamp.daysFromCivil(year: c.year + 1, month: 1, day: 1)
                : Timestamp.daysFromCivil(year: c.year, month: c.month + 1, day: 1)
        default: return nil
        }
    }
}
