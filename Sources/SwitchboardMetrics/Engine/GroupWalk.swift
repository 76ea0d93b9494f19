import Foundation
import SwitchboardCore
import SwitchboardScan

/// One part's accumulators: the overall group, each breakdown's groups by key, the daily backlog changes.
final class PartResult {
    let overall: Accumulator
    /// Per requested breakdown: group key → accumulator (``Breakdown`` keys).
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
    let filter: GroupFilter
    /// Topic numbers are read only when a breakdown or filter reads them (whether a conversation has any
    /// topic is known without them).
    let readsTopics: Bool
    /// Which `phone.stages` stage each call reached.
    let stages: StageMatcher
    /// What became of each lost call (`phone.recovery_window`, as of now).
    let recovery: RecoveryVerdicts

    init(data: Dataset, request: ReportRequest, settings: MetricsSettings, from: Date, to: Date) {
        self.data = data
        self.request = request
        self.settings = settings
        self.from = from
        self.to = to
        filter = GroupFilter(request.filters, data: data)
        readsTopics = !data.topicNames.isEmpty && (request.by.contains(.topic) || request.filters[Breakdown.topic.name] != nil)
        stages = StageMatcher(stages: settings.stages, data: data)
        recovery = RecoveryVerdicts(data, window: settings.recoveryWindow, now: request.now)
    }

    /// What the breakdowns and filters read of a conversation; `cache` keeps unions of topic sets (one per part).
    @inline(__always) func subject(_ c: Conversation, agent: Int32, day: Int?, cache: inout [Int64: [Int32]]) -> GroupSubject {
        GroupSubject(channel: c.channel, platform: c.platform, source: c.source, agent: agent, queue: c.call?.queue ?? -1,
                     day: day, topics: readsTopics ? data.topics(of: c, cache: &cache) : [])
    }

    /// Calls `body` with the overall accumulator and the group accumulator of each key of each breakdown
    /// (day, week and month only when the subject has a day).
    @inline(__always)
    func each(_ part: PartResult, _ s: GroupSubject, _ body: (Accumulator) -> Void) {
        body(part.overall)
        for (d, b) in request.by.enumerated() {
            if b.timed && s.day == nil { continue }
            b.keys(s) { k in
                if let acc = part.groups[d][k] {
                    body(acc)
                } else {
                    let acc = Accumulator(customers: 0, dense: false, trackBacklog: !b.timed)
                    acc.staffing.track = b == .queue
                    part.groups[d][k] = acc
                    body(acc)
                }
            }
        }
    }

    /// Walks conversations `range` into a fresh part.
    func conversations(_ range: Range<Int>, dayEnds: [Date]) -> PartResult {
        let clock = LocalClock(timeZone: settings.timeZone)
        let calendar = BusinessCalendar(hours: settings.businessHours)
        let overall = Accumulator(customers: data.tables.customers.count, dense: true, trackBacklog: true)
        overall.staffing.track = true
        let part = PartResult(overall: overall, breakdowns: request.by.count, days: dayEnds.count)
        let answerWithin = settings.targets.phoneAnswerWithin
        let convs = data.conversations, fcr = data.fcr
        var unions: [Int64: [Int32]] = [:]
        for i in range {
            let c = convs[i]
            let owner = c.owner
            var s = subject(c, agent: owner, day: nil, cache: &unions)
            guard filter.isEmpty || filter.passes(s) else { continue }
            guard let open = c.openedAt else {
                if c.firstAt >= from && c.firstAt < to {
                    s.day = clock.day(c.firstAt)
                    each(part, s) { $0.addOutbound(c) }
                }
                continue
            }
            if c.call == nil && open < to {
                var open_ = false
                c.forEachBacklogInterval { start, end in
                    Self.addInterval(start, end, ends: dayEnds, diff: &part.backlogDiff)
                    if start <= to && (end.map { $0 > to } ?? true) { open_ = true }
                }
                if open_ {
                    let age = to.timeIntervalSince(open)
                    each(part, s) { $0.addBacklog(age: age) }
                }
            }
            guard open >= from && open < to else { continue }
            let local = clock.localSeconds(open)
            let day = LocalClock.floorDiv(local, 86400), hour = (local - day * 86400) / 3600, weekday = BusinessCalendar.weekday(day)
            let counts = c.counts
            s.day = day
            let hasTopic = c.topicSets.count > 0
            let reached = c.call.map(stages.reached) ?? -1
            let lost = c.call != nil ? recovery[i] : nil
            each(part, s) { acc in
                acc.addVolume(c, day: day, hour: hour, weekday: weekday)
                if c.call != nil {
                    acc.addCall(c, hour: hour, weekday: weekday, answerWithin: answerWithin)
                    acc.addStages(c, reached: reached, stages: stages.names.count, hour: hour, weekday: weekday)
                    acc.addStaffing(c, day: day, hour: hour, answerWithin: answerWithin)
                    if let lost { acc.addLostCall(c, lost, day: day) }
                }
                if counts { acc.addConversation(c, open: open, fcr: fcr[i], calendar: calendar, hasTopic: hasTopic) }
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
            let subject = GroupSubject(
                channel: conv?.channel ?? s.channel, platform: conv?.platform ?? -2, source: conv?.source ?? s.source, agent: agent,
                queue: conv?.call?.queue ?? -1, day: clock.day(s.at), topics: conv.map { readsTopics ? data.topics(of: $0) : [] } ?? [])
            guard filter.isEmpty || filter.passes(subject) else { continue }
            each(part, subject) { $0.addSurvey(s.info) }
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
