import Foundation
import SwitchboardCore

/// Agent time of a dataset's agent events as of `now`: each agent's timeline, read for any period in the
/// business timezone. Made once per report; ``stats(from:to:agents:sources:)`` clips to a period.
///
/// ```swift
/// let time = AgentTime(data.agentEvents, now: request.now, timeZone: settings.timeZone)
/// let grid = time.loggedInSeconds(from: from, to: to)   // [weekday 1…7][hour 0…23] agent-seconds
/// ```
public struct AgentTime: Sendable {
    /// Timelines by source, then agent (sources are kept apart: the same agent id in two PBX logs is summed).
    let timelines: [String: [String: AgentTimeline]]
    public let timeZone: TimeZone
    /// Logged-in agent-seconds per local hour slot (day × 24 + hour), every source and agent together.
    let slots: [Int: Double]

    public init(_ events: [AgentEvent], now: Date, timeZone: TimeZone) {
        var bySource: [String: [AgentEvent]] = [:]
        for e in events { bySource[e.source, default: []].append(e) }
        timelines = bySource.mapValues { AgentTimeline.build($0, now: now) }
        self.timeZone = timeZone
        var slots: [Int: Double] = [:]
        let clock = LocalClock(timeZone: timeZone)
        let all = Span(start: -Double.infinity, end: .infinity)
        for agents in timelines.values {
            for line in agents.values {
                for s in line.sessions { Self.split(s, all, clock) { day, hour, v in slots[day * 24 + hour, default: 0] += v } }
            }
        }
        self.slots = slots
    }

    public var isEmpty: Bool { timelines.values.allSatisfy(\.isEmpty) }

    /// Logged-in agent-seconds per local weekday (1 = Monday … 7 = Sunday; index 0 unused) × hour (0…23)
    /// within [from, to): divided by the seconds of those hours in the period, the mean number of agents
    /// logged in (what staffing compares the Erlang C requirement with).
    public func loggedInSeconds(from: Date, to: Date, sources: Set<String>? = nil) -> [[Double]] {
        var grid = [[Double]](repeating: [Double](repeating: 0, count: 24), count: 8)
        let clock = LocalClock(timeZone: timeZone)
        let window = Span(start: from.timeIntervalSince1970, end: to.timeIntervalSince1970)
        for (source, agents) in timelines where sources?.contains(source) ?? true {
            for line in agents.values {
                for s in line.sessions {
                    Self.split(s, window, clock) { day, hour, seconds in grid[BusinessCalendar.weekday(day)][hour] += seconds }
                }
            }
        }
        return grid
    }

    /// Every agent's figures within [from, to), optionally only some agents and sources.
    public func stats(from: Date, to: Date, agents: Set<String>? = nil, sources: Set<String>? = nil) -> AgentTimeReport {
        var report = AgentTimeReport()
        let clock = LocalClock(timeZone: timeZone)
        let window = Span(start: from.timeIntervalSince1970, end: to.timeIntervalSince1970)
        guard window.length > 0 else { return report }
        for (source, byAgent) in timelines where sources?.contains(source) ?? true {
            for (agent, line) in byAgent where agents?.contains(agent) ?? true {
                var s = report.agents[agent] ?? AgentTimeStats()
                Self.add(line, window, clock, into: &s, transfers: &report.transfersByQueue)
                report.agents[agent] = s
            }
        }
        report.agents = report.agents.filter { _, s in
            s.loggedIn > 0 || s.talk > 0 || s.paused > 0 || s.handled > 0 || s.ringNoAnswer > 0 || s.transfers > 0
        }
        return report
    }

    /// Adds one timeline's part of the window.
    static func add(_ line: AgentTimeline, _ window: Span, _ clock: LocalClock, into s: inout AgentTimeStats,
                    transfers: inout [String: QueueTransferStats]) {
        for span in line.sessions {
            split(span, window, clock) { _, hour, v in s.loggedIn += v; s.byHour[hour, default: AgentHourStats()].loggedIn += v }
        }
        // Paused only while logged in: the timeline's pause stretches are already clipped to its sessions.
        for (pause, reason) in line.pauses {
            split(pause, window, clock) { _, hour, v in
                s.paused += v
                s.pausedByReason[reason.isEmpty ? "(none)" : reason, default: 0] += v
                s.byHour[hour, default: AgentHourStats()].paused += v
            }
        }
        for span in line.talk {
            split(span, window, clock) { _, hour, v in s.talk += v; s.byHour[hour, default: AgentHourStats()].talk += v }
        }
        func inWindow(_ t: Double) -> Int? { t >= window.start && t < window.end ? clock.hour(Date(timeIntervalSince1970: t)) : nil }
        for h in line.handled {
            guard let hour = inWindow(h.at) else { continue }
            s.handled += 1
            s.byHour[hour, default: AgentHourStats()].handled += 1
            transfers[h.queue.isEmpty ? "(none)" : h.queue, default: QueueTransferStats()].handled += 1
        }
        for x in line.transfers {
            guard let hour = inWindow(x.at) else { continue }
            s.transfers += 1
            s.byHour[hour, default: AgentHourStats()].transfers += 1
            transfers[x.queue.isEmpty ? "(none)" : x.queue, default: QueueTransferStats()].transfers += 1
        }
        for r in line.ringNoAnswer {
            guard let hour = inWindow(r.at) else { continue }
            s.ringNoAnswer += 1
            s.byHour[hour, default: AgentHourStats()].ringNoAnswer += 1
        }
    }

    /// Calls `body(local day, hour, seconds)` for each local hour the part of `span` inside `window` touches.
    static func split(_ span: Span, _ window: Span, _ clock: LocalClock, _ body: (Int, Int, Double) -> Void) {
        var t = max(span.start, window.start)
        let end = min(span.end, window.end)
        while t < end {
            let whole = t.rounded(.down)
            let local = clock.localSeconds(Date(timeIntervalSince1970: whole))
            let day = LocalClock.floorDiv(local, 86400)
            let inDay = local - day * 86400
            let next = whole + Double(3600 - inDay % 3600)
            let stop = min(next, end)
            body(day, inDay / 3600, stop - t)
            t = stop
        }
    }
}

extension AgentTime: LoggedInAgents {
    /// The mean number of agents logged in during one local hour (logged-in agent-seconds ÷ 3600); 0 for an
    /// hour nobody was logged in; nil when the store has no agent events at all (logged-in time unknown).
    public func agents(slot: Int) -> Double? {
        guard !timelines.isEmpty else { return nil }
        return (slots[slot] ?? 0) / 3600
    }
}
