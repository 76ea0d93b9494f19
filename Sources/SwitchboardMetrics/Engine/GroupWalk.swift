import Foundation
import SwitchboardCore

/// One part's accumulators: the overall group, each breakdown's groups by number, the daily backlog changes.
final class PartResult {
    let overall: Accumulator
    /// Per requested breakdown: group number → accumulator (see ``GroupWalk/key(_:channel:platform:source:agent:queue:day:)``).
    var groups: [[Int: Accumulator]]
    var backlogDiff: [Int]

    init(overall: Accumulator, breakdowns: Int, days: Int) {
        self.overall = overall
        groups = Array(repeating: [:], count: breakdowns)
        backlogDiff = Array(repeating: 0, count: days + 1)
    }

    /// Adds a later part (its lists after this part's).
    func merge(_ o: PartResult) {
        overall.merge(o.overall)
        for d in groups.indices {
            for key in o.groups[d].keys.sorted() {
                let acc = o.groups[d][key]!
                if let mine = groups[d][key] { mine.merge(acc) } else { groups[d][key] = acc }
            }
        }
        for i in backlogDiff.indices { backlogDiff[i] += o.backlogDiff[i] }
    }
}

/// The walk over conversations and surveys that fills the accumulators of a report.
struct GroupWalk {
    let data: Dataset
    let request: ReportRequest
    let settings: MetricsSettings
    let from: Date, to: Date
    /// Filters on numbers (nil: no filter).
    let sourceAllowed: [Bool]?, agentAllowed: [Bool]?

    init(data: Dataset, request: ReportRequest, settings: MetricsSettings, from: Date, to: Date) {
        self.data = data
        self.request = request
        self.settings = settings
        self.from = from
        self.to = to
        let names = data.tables.names
        sourceAllowed = request.sources.isEmpty ? nil : (0..<names.count).map { request.sources.contains(names.string(Int32($0))) }
        agentAllowed = request.agents.isEmpty ? nil : (0..<names.count).map { request.agents.contains(names.string(Int32($0))) }
    }

    @inline(__always) func passes(channel: Channel, source: Int32, agent: Int32) -> Bool {
        (request.channels.isEmpty || request.channels.contains(channel))
            && (sourceAllowed.map { source >= 0 && $0[Int(source)] } ?? true)
            && (agentAllowed.map { agent >= 0 && $0[Int(agent)] } ?? true)
    }

    /// Group number of a breakdown; ``label(_:_:)`` turns it into the report's key.
    @inline(__always) static func key(_ d: Breakdown, channel: Channel, platform: Int32, source: Int32, agent: Int32, queue: Int32,
                                      day: Int) -> Int {
        switch d {
        case .channel: return channel.order
        case .platform: return Int(platform)
        case .source: return Int(source)
        case .agent: return Int(agent)
        case .queue: return Int(queue)
        case .day: return day
        case .week: return day - (BusinessCalendar.weekday(day) - 1)
        case .month:
            let c = Timestamp.civilFromDays(day)
            return Timestamp.daysFromCivil(year: c.year, month: c.month, day: 1)
        }
    }

    func label(_ d: Breakdown, _ key: Int) -> String {
        switch d {
        case .channel: return Channel.allCases[key].rawValue
        case .platform, .source: return key >= 0 ? data.name(Int32(key)) ?? "" : ""
        case .agent, .queue: return key >= 0 ? data.name(Int32(key)) ?? "(none)" : "(none)"
        case .day: return LocalClock.dayLabel(key)
        case .week: return LocalClock.weekLabel(key)
        case .month: return LocalClock.monthLabel(key)
        }
    }

    /// Calls `body` with the overall accumulator and the group accumulator of each breakdown
    /// (day, week and month only when `day` is given).
    @inline(__always)
    func each(_ part: PartResult, channel: Channel, platform: Int32, source: Int32, agent: Int32, queue: Int32, day: Int?,
              _ body: (Accumulator) -> Void) {
        body(part.overall)
        for (d, b) in request.by.enumerated() {
            let timed = b == .day || b == .week || b == .month
            if timed && day == nil { continue }
            let k = Self.key(b, channel: channel, platform: platform, source: source, agent: agent, queue: queue, day: day ?? 0)
            if let acc = part.groups[d][k] {
                body(acc)
            } else {
                let acc = Accumulator(customers: 0, dense: false)
                acc.trackBacklog = !timed
                part.groups[d][k] = acc
                body(acc)
            }
        }
    }

    /// Walks conversations `range` into a fresh part.
    func conversations(_ range: Range<Int>, dayEnds: [Date]) -> PartResult {
        let clock = LocalClock(timeZone: settings.timeZone)
        let calendar = BusinessCalendar(hours: settings.businessHours)
        let overall = Accumulator(customers: data.tables.customers.count, dense: true)
        overall.trackBacklog = true
        let part = PartResult(overall: overall, breakdowns: request.by.count, days: dayEnds.count)
        let answerWithin = settings.targets.phoneAnswerWithin
        let convs = data.conversations, fcr = data.fcr
        for i in range {
            let c = convs[i]
            let owner = c.owner
            guard passes(channel: c.channel, source: c.source, agent: owner) else { continue }
            let queue = c.call?.queue ?? -1
            guard let open = c.openedAt else {
                if c.firstAt >= from && c.firstAt < to {
                    each(part, channel: c.channel, platform: c.platform, source: c.source, agent: owner, queue: queue,
                         day: clock.day(c.firstAt)) { $0.addOutbound(c) }
                }
                continue
            }
            if c.call == nil && open < to {
                var open_ = false
                c.forEachBacklogInterval { s, e in
                    Self.addInterval(s, e, ends: dayEnds, diff: &part.backlogDiff)
                    if s <= to && (e.map { $0 > to } ?? true) { open_ = true }
                }
                if open_ {
                    let age = to.timeIntervalSince(open)
                    each(part, channel: c.channel, platform: c.platform, source: c.source, agent: owner, queue: queue, day: nil) {
                        $0.addBacklog(age: age)
                    }
                }
            }
            guard open >= from && open < to else { continue }
            let local = clock.localSeconds(open)
            let day = LocalClock.floorDiv(local, 86400), hour = (local - day * 86400) / 3600, weekday = BusinessCalendar.weekday(day)
            let counts = c.counts
            each(part, channel: c.channel, platform: c.platform, source: c.source, agent: owner, queue: queue, day: day) { acc in
                acc.addVolume(c, day: day, hour: hour, weekday: weekday)
                if c.call != nil { acc.addCall(c, hour: hour, weekday: weekday, answerWithin: answerWithin) }
                if counts { acc.addConversation(c, fcr: fcr[i], calendar: calendar) }
            }
        }
        return part
    }

    /// Surveys answered in the period, credited to their conversation's last agent (else the survey's actor).
    func surveys(into part: PartResult) {
        let clock = LocalClock(timeZone: settings.timeZone)
        for s in data.surveys where s.at >= from && s.at < to {
            let conv = s.conversation.map { data.conversations[$0] }
            let agent = conv.map { $0.lastAgent >= 0 ? $0.lastAgent : s.actor } ?? s.actor
            let channel = conv?.channel ?? s.channel, source = conv?.source ?? s.source
            guard passes(channel: channel, source: source, agent: agent) else { continue }
            each(part, channel: channel, platform: conv?.platform ?? -2, source: source, agent: agent, queue: conv?.call?.queue ?? -1,
                 day: clock.day(s.at)) { $0.addSurvey(s.info) }
        }
    }

    /// Counts [s, e) in the daily backlog: open at the end of every day whose end falls inside.
    @inline(__always) static func addInterval(_ s: Date, _ e: Date?, ends: [Date], diff: inout [Int]) {
        func firstIndex(atOrAfter t: Date) -> Int {
            var lo = 0, hi = ends.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if ends[mid] < t { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        let a = firstIndex(atOrAfter: s)
        let b = e.map(firstIndex(atOrAfter:)) ?? ends.count
        if a < b {
            diff[a] += 1
            diff[b] -= 1
        }
    }
}
