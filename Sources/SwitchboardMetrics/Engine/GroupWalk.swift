import Foundation
import SwitchboardCore
import SwitchboardScan

/// One part's accumulators: the overall group, each breakdown's groups by key, the daily backlog changes.
final class PartResult {
    let overall: Accumulator
    /// Per requested breakdown: group key → accumulator (``Breakdown`` keys).
    var groups: [[Int: Accumulator]]
    var backlogDiff: [Int]
    /// The earliest instant (seconds since 1970), at or after the walk's `to` or `now`, at which a walked
    /// conversation's part in it can change with time alone (``WalkMemo``): +∞ when none.
    var horizon = Double.infinity

    init(overall: Accumulator, breakdowns: Int, days: Int) {
        self.overall = overall
        groups = Array(repeating: [:], count: breakdowns)
        backlogDiff = Array(repeating: 0, count: days + 1)
    }

    /// Gives back the spare capacity of every group's lists (a part kept for later reports).
    func compact() {
        overall.compact()
        for d in groups.indices { for acc in groups[d].values { acc.compact() } }
    }

    /// Adds a later part (its lists after this part's). `o`'s accumulators are taken over where this part has
    /// none of a group, unless `keeping` (a part kept for later reports must not change).
    func merge(_ o: PartResult, keeping: Bool = false) {
        overall.merge(o.overall)
        for d in groups.indices {
            for key in o.groups[d].keys.sorted() {
                let acc = o.groups[d][key]!
                if let mine = groups[d][key] {
                    mine.merge(acc)
                } else if keeping {
                    let mine = Accumulator(emptyLike: acc)
                    mine.merge(acc)
                    groups[d][key] = mine
                } else {
                    groups[d][key] = acc
                }
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

    /// `only`: the conversation ranges that will be walked (nil: all), whose calls alone are matched to stages and judged.
    init(data: Dataset, request: ReportRequest, settings: MetricsSettings, from: Date, to: Date, only: [Range<Int>]? = nil) {
        self.data = data
        self.request = request
        self.settings = settings
        self.from = from
        self.to = to
        filter = GroupFilter(request.filters, data: data)
        readsTopics = !data.topicNames.isEmpty && (request.by.contains(.topic) || request.filters[Breakdown.topic.name] != nil)
        stages = StageMatcher(stages: settings.stages, data: data, only: only)
        if only == nil, let judged = data.recovery, let asOf = data.recoveryAsOf, asOf.now == request.now,
           asOf.window == settings.recoveryWindow {
            recovery = judged
        } else {
            recovery = RecoveryVerdicts(data, window: settings.recoveryWindow, now: request.now, only: only)
        }
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
                    let acc = Accumulator(customers: 0, layout: .sparse, trackBacklog: !b.timed)
                    acc.staffing.track = b == .queue
                    part.groups[d][k] = acc
                    body(acc)
                }
            }
        }
    }

    /// Walks conversations `range` into a fresh part. `kept`: a block of the live state's kept walk (``WalkMemo``),
    /// whose overall group lists its customers (merged into a dense total later) and which records its horizon.
    func conversations(_ range: Range<Int>, dayEnds: [Date], kept: Bool = false) -> PartResult {
        let clock = LocalClock(timeZone: settings.timeZone)
        let calendar = BusinessCalendar(hours: settings.businessHours)
        let overall = kept ? Accumulator(customers: 0, layout: .listed, trackBacklog: true)
            : Accumulator(customers: data.tables.customers.count, layout: .dense, trackBacklog: true)
        overall.staffing.track = true
        let part = PartResult(overall: overall, breakdowns: request.by.count, days: dayEnds.count)
        let answerWithin = settings.targets.phoneAnswerWithin
        let convs = data.conversations, fcr = data.fcr
        var unions: [Int64: [Int32]] = [:]
        // The horizon: instants of walked conversations at or after the earlier of `to` and `now` (kept blocks only).
        let edge = kept ? min(to, request.now).timeIntervalSince1970 : .infinity
        var horizon = Double.infinity
        @inline(__always) func watch(_ t: Date) {
            let v = t.timeIntervalSince1970
            if v >= edge && v < horizon { horizon = v }
        }
        defer { part.horizon = horizon }
        for i in range {
            let c = convs[i]
            let owner = c.owner
            var s = subject(c, agent: owner, day: nil, cache: &unions)
            guard filter.isEmpty || filter.passes(s) else { continue }
            // Every instant the walk compares with `from`, `to` or the day ends, and a pending recovery's close.
            if edge < .infinity {
                watch(c.firstAt)
                if let open = c.openedAt { watch(open) }
                for k in 0..<c.transitions.count { watch(c.transitions[k]) }
            }
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
                if open_ { each(part, s) { $0.addBacklog(open: open) } }
            }
            guard open >= from && open < to else { continue }
            let local = clock.localSeconds(open)
            let day = LocalClock.floorDiv(local, 86400), hour = (local - day * 86400) / 3600, weekday = BusinessCalendar.weekday(day)
            let counts = c.counts
            s.day = day
            let hasTopic = c.topicSets.count > 0
            let reached = c.call.map(stages.reached) ?? -1
            let lost = c.call != nil ? recovery[i] : nil
            if case .pending = lost, let end = RecoveryVerdicts.end(c) { watch(end.addingTimeInterval(settings.recoveryWindow)) }
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

    /// Surveys answered in the period, credited to their conversation's last agent (else the survey's actor), into a
    /// fresh part of a walk of `days` days. Conversations are read in place: copying one per survey costs more than the rest.
    func surveys(days: Int) -> PartResult {
        let overall = Accumulator(customers: 0, layout: .sparse, trackBacklog: true)
        overall.staffing.track = true
        let part = PartResult(overall: overall, breakdowns: request.by.count, days: days)
        let clock = LocalClock(timeZone: settings.timeZone)
        data.conversations.withUnsafeBufferPointer { convs in
            for s in data.surveys where s.at >= from && s.at < to {
                let subject: GroupSubject
                if let i = s.conversation {
                    subject = GroupSubject(
                        channel: convs[i].channel, platform: convs[i].platform, source: convs[i].source,
                        agent: convs[i].lastAgent >= 0 ? convs[i].lastAgent : s.actor, queue: convs[i].call?.queue ?? -1,
                        day: clock.day(s.at), topics: readsTopics ? data.topics(of: convs[i]) : [])
                } else {
                    subject = GroupSubject(channel: s.channel, platform: -2, source: s.source, agent: s.actor, queue: -1,
                                           day: clock.day(s.at), topics: [])
                }
                guard filter.isEmpty || filter.passes(subject) else { continue }
                each(part, subject) { $0.addSurvey(s.info) }
            }
        }
        return part
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
