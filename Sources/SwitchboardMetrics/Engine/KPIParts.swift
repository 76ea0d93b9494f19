import Foundation
import SwitchboardCore
import SwitchboardScan

/// One KPI family's raw values of one group, collected while conversations and surveys are walked.
/// Parts of the walk fill their own values; ``merge(_:)`` adds a later part's (lists after this one's),
/// then ``finish(into:_:)`` writes the family's numbers into the group. Each family merges itself, so
/// a new field cannot be forgotten by a merge written elsewhere. Adding a KPI family: a type here, one
/// property and one line each in ``Accumulator``'s `merge` and `finish`, and its JSON in the renderers.
protocol KPIPart {
    mutating func merge(_ other: Self)
    func finish(into g: inout GroupMetrics, _ c: FinishContext)
    /// Gives back the spare capacity of the family's lists (a part kept for later reports, ``WalkMemo``).
    mutating func compact()
    /// Makes room in the family's lists for `others`' values, before they are merged in one after the other (growing a
    /// list of a million values step by step leaves each step's old copy behind as a hole in the heap).
    mutating func reserve(for others: [Self])
}

extension KPIPart {
    mutating func compact() {}
    mutating func reserve(for others: [Self]) {}
}

/// Reserves room in `list` for the values of the same list in `others` (`of`).
func reserve<P, T>(_ list: inout [T], for others: [P], _ of: (P) -> [T]) {
    list.reserveCapacity(list.count + others.reduce(0) { $0 + of($1).count })
}

/// `list` without spare capacity.
func exact<T>(_ list: inout [T]) {
    if list.capacity > list.count + 8 { list = list.withUnsafeBufferPointer { Array($0) } }
}

/// What finishing a group needs besides its own values.
struct FinishContext {
    let settings: MetricsSettings
    /// The overall group's daily backlog series (empty for breakdown groups).
    let daily: [(String, Int)]
    /// Text of a ``MetricsScan/names`` number.
    let name: (Int32) -> String
    /// The end of the report's period (backlog ages are taken there).
    var to: Date = .distantFuture
    /// The report's period (the staffing grid's hours).
    var period: (from: Date, to: Date)? = nil
    /// Agents logged in per local hour (the overall group's staffing grid).
    var loggedIn: (any LoggedInAgents)? = nil
}

/// Volume: customer conversations opened in the period by channel, platform, source, day and weekday × hour;
/// outbound-only conversations by channel.
struct VolumePart: KPIPart {
    var total = 0
    var byChannel = [Int](repeating: 0, count: Channel.count), outboundByChannel = [Int](repeating: 0, count: Channel.count)
    /// By ``MetricsScan/names`` number (sparse: names also hold every actor id, groups are many).
    var byPlatform: [Int32: Int] = [:], bySource: [Int32: Int] = [:]
    var byDay: [Int: Int] = [:]
    /// weekday (1…7) × 24 + hour.
    var byWeekdayHour = [Int](repeating: 0, count: 8 * 24)

    mutating func add(_ c: Conversation, day: Int, hour: Int, weekday: Int) {
        total += 1
        byChannel[c.channel.order] += 1
        if c.platform >= 0 { byPlatform[c.platform, default: 0] += 1 }
        bySource[c.source, default: 0] += 1
        byDay[day, default: 0] += 1
        byWeekdayHour[weekday * 24 + hour] += 1
    }

    mutating func addOutbound(_ c: Conversation) { outboundByChannel[c.channel.order] += 1 }

    mutating func merge(_ o: VolumePart) {
        total += o.total
        for i in 0..<Channel.count { byChannel[i] += o.byChannel[i]; outboundByChannel[i] += o.outboundByChannel[i] }
        for (k, n) in o.byPlatform { byPlatform[k, default: 0] += n }
        for (k, n) in o.bySource { bySource[k, default: 0] += n }
        for (d, n) in o.byDay { byDay[d, default: 0] += n }
        for i in byWeekdayHour.indices { byWeekdayHour[i] += o.byWeekdayHour[i] }
    }

    func finish(into g: inout GroupMetrics, _ c: FinishContext) {
        g.volume.total = total
        for (i, ch) in Channel.allCases.enumerated() {
            if byChannel[i] > 0 { g.volume.byChannel[ch.rawValue] = byChannel[i] }
            if outboundByChannel[i] > 0 { g.volume.outboundByChannel[ch.rawValue] = outboundByChannel[i] }
        }
        for (k, n) in byPlatform { g.volume.byPlatform[c.name(k), default: 0] += n }
        for (k, n) in bySource { g.volume.bySource[c.name(k), default: 0] += n }
        for (d, n) in byDay { g.volume.byDay[LocalClock.dayLabel(d)] = n }
        for w in 1...7 {
            for h in 0..<24 where byWeekdayHour[w * 24 + h] > 0 {
                g.volume.byWeekdayHour[GroupMetrics.weekdayNames[w], default: [:]][LocalClock.pad(h, 2)] = byWeekdayHour[w * 24 + h]
            }
        }
    }
}

/// Counted conversations, resolved/unresolved and resolution time (calendar and business).
struct ResolutionPart: KPIPart {
    var conversations = 0, resolved = 0, unresolved = 0
    var calendar: [Double] = [], business: [Double] = []

    mutating func add(_ c: Conversation, open: Date, calendar cal: BusinessCalendar) {
        conversations += 1
        if let end = c.resolvedAt {
            resolved += 1
            calendar.append(end.timeIntervalSince(open))
            business.append(cal.seconds(from: open, to: end))
        } else {
            unresolved += 1
        }
    }

    mutating func compact() { exact(&calendar); exact(&business) }

    mutating func reserve(for others: [ResolutionPart]) {
        SwitchboardMetrics.reserve(&calendar, for: others, \.calendar)
        SwitchboardMetrics.reserve(&business, for: others, \.business)
    }

    mutating func merge(_ o: ResolutionPart) {
        conversations += o.conversations; resolved += o.resolved; unresolved += o.unresolved
        calendar += o.calendar; business += o.business
    }

    func finish(into g: inout GroupMetrics, _ c: FinishContext) {
        g.conversations = conversations; g.resolved = resolved; g.unresolved = unresolved
        g.resolutionRate = conversations > 0 ? Double(resolved) / Double(conversations) : nil
        g.resolutionTime = DurationStats.make(calendar: calendar, business: business, bounds: c.settings.frtBuckets)
    }
}

/// First response time (calendar and business), per channel for the FRT targets.
struct FRTPart: KPIPart {
    var calendar: [Double] = [], business: [Double] = []
    var byChannel = [[Double]](repeating: [], count: Channel.count)

    mutating func add(_ c: Conversation, open: Date, calendar cal: BusinessCalendar) {
        guard let r = c.firstResponseAt else { return }
        let v = r.timeIntervalSince(open)
        calendar.append(v)
        business.append(cal.seconds(from: open, to: r))
        byChannel[c.channel.order].append(v)
    }

    mutating func compact() {
        exact(&calendar); exact(&business)
        for i in byChannel.indices { exact(&byChannel[i]) }
    }

    mutating func reserve(for others: [FRTPart]) {
        SwitchboardMetrics.reserve(&calendar, for: others, \.calendar)
        SwitchboardMetrics.reserve(&business, for: others, \.business)
        for i in byChannel.indices { SwitchboardMetrics.reserve(&byChannel[i], for: others) { $0.byChannel[i] } }
    }

    mutating func merge(_ o: FRTPart) {
        calendar += o.calendar; business += o.business
        for i in 0..<Channel.count { byChannel[i] += o.byChannel[i] }
    }

    func finish(into g: inout GroupMetrics, _ c: FinishContext) {
        g.frt = DurationStats.make(calendar: calendar, business: business, bounds: c.settings.frtBuckets)
        for (i, ch) in Channel.allCases.enumerated() {
            let values = byChannel[i]
            guard let limit = c.settings.targets.frt[ch], !values.isEmpty else { continue }
            let within = values.filter { $0 <= limit }.count
            let share = Double(within) / Double(values.count)
            g.targets.append(TargetResult(name: "frt_\(ch.rawValue)", target: limit, within: within, beyond: values.count - within,
                                          value: share, met: share >= c.settings.attainmentGoal))
        }
    }
}

/// FCR of resolved conversations.
struct FCRPart: KPIPart {
    var eligible = 0, count = 0

    mutating func add(_ c: Conversation, verdict: FCRVerdict) {
        guard c.resolvedAt != nil else { return }
        eligible += 1
        if verdict.isFCR { count += 1 }
    }

    mutating func merge(_ o: FCRPart) { eligible += o.eligible; count += o.count }

    func finish(into g: inout GroupMetrics, _ c: FinishContext) {
        g.fcrEligible = eligible; g.fcrCount = count
        g.fcrRate = eligible > 0 ? Double(count) / Double(eligible) : nil
        if let rate = g.fcrRate {
            g.targets.append(TargetResult(name: "fcr", target: c.settings.targets.fcr, value: rate, met: rate >= c.settings.targets.fcr))
        }
    }
}

/// Inbound calls opened in the period: offered, answered, abandoned, ASA, AHT, service level, by hour and weekday.
struct PhonePart: KPIPart {
    var hasCalls = false
    var calls = CallCounts()
    var shortAbandoned = 0
    var waits: [Double] = [], talks: [Double] = []
    var answeredWithin = 0
    var byHour = [CallCounts?](repeating: nil, count: 24), byWeekday = [CallCounts?](repeating: nil, count: 8)

    mutating func add(_ c: Conversation, hour: Int, weekday: Int, answerWithin: Double) {
        guard let call = c.call else { return }
        hasCalls = true
        var slice = CallCounts()
        switch call.outcome {
        case .answered:
            slice.offered = 1
            slice.answered = 1
            let w = call.waitSeconds ?? 0
            waits.append(w)
            talks.append(call.talkSeconds ?? 0)
            if w <= answerWithin {
                answeredWithin += 1
                slice.answeredWithin = 1
            }
        case .abandoned:
            slice.offered = 1
            slice.abandoned = 1
        case .missed, .timeout:
            slice.offered = 1
        case .shortAbandon:
            shortAbandoned += 1
        default: break
        }
        calls.offered += slice.offered
        calls.answered += slice.answered
        calls.abandoned += slice.abandoned
        byHour[hour, default: CallCounts()].add(slice)
        byWeekday[weekday, default: CallCounts()].add(slice)
    }

    mutating func compact() { exact(&waits); exact(&talks) }

    mutating func reserve(for others: [PhonePart]) {
        SwitchboardMetrics.reserve(&waits, for: others, \.waits)
        SwitchboardMetrics.reserve(&talks, for: others, \.talks)
    }

    mutating func merge(_ o: PhonePart) {
        hasCalls = hasCalls || o.hasCalls
        calls.add(o.calls)
        shortAbandoned += o.shortAbandoned
        waits += o.waits; talks += o.talks
        answeredWithin += o.answeredWithin
        for i in 0..<24 where o.byHour[i] != nil { byHour[i, default: CallCounts()].add(o.byHour[i]!) }
        for i in 0..<8 where o.byWeekday[i] != nil { byWeekday[i, default: CallCounts()].add(o.byWeekday[i]!) }
    }

    func finish(into g: inout GroupMetrics, _ c: FinishContext) {
        guard hasCalls else { return }
        let offered = calls.offered
        var hours: [Int: CallCounts] = [:], weekdays: [Int: CallCounts] = [:]
        for i in 0..<24 { if let x = byHour[i] { hours[i] = x } }
        for i in 0..<8 { if let x = byWeekday[i] { weekdays[i] = x } }
        let phone = PhoneStats(
            offered: offered, answered: calls.answered, abandoned: calls.abandoned, shortAbandoned: shortAbandoned,
            abandonmentRate: offered > 0 ? Double(calls.abandoned) / Double(offered) : nil,
            asa: waits.isEmpty ? nil : DurationStats.mean(DoubleSort.sorted(waits)),
            serviceLevel: offered > 0 ? Double(answeredWithin) / Double(offered) : nil,
            aht: talks.isEmpty ? nil : DurationStats.mean(DoubleSort.sorted(talks)),
            byHour: hours, byWeekday: weekdays)
        g.phone = phone
        if let sl = phone.serviceLevel {
            g.targets.append(TargetResult(name: "phone_answer", target: c.settings.targets.phoneAnswerWithin, within: answeredWithin,
                                          beyond: offered - answeredWithin, value: sl, met: sl >= c.settings.targets.phoneServiceLevel))
        }
    }
}

/// CSAT, NPS and CES answers.
struct SurveyPart: KPIPart {
    var csatN = 0, csatTop = 0, npsN = 0, npsPromoters = 0, npsDetractors = 0, cesN = 0, cesSum = 0.0
    var cesDistribution: [Double: Int] = [:]

    mutating func add(_ s: SurveyInfo) {
        switch s.metric {
        case .csat:
            csatN += 1
            if s.score >= s.scaleMax - 1 { csatTop += 1 }
        case .nps:
            npsN += 1
            if s.score >= 9 { npsPromoters += 1 } else if s.score <= 6 { npsDetractors += 1 }
        case .ces:
            cesN += 1
            cesSum += s.score
            cesDistribution[s.score, default: 0] += 1
        }
    }

    mutating func merge(_ o: SurveyPart) {
        csatN += o.csatN; csatTop += o.csatTop; npsN += o.npsN; npsPromoters += o.npsPromoters; npsDetractors += o.npsDetractors
        cesN += o.cesN; cesSum += o.cesSum
        for (k, n) in o.cesDistribution { cesDistribution[k, default: 0] += n }
    }

    func finish(into g: inout GroupMetrics, _ c: FinishContext) {
        if csatN > 0 { g.csat = SurveyStats(responses: csatN, score: Double(csatTop) / Double(csatN), distribution: [:]) }
        if npsN > 0 {
            g.nps = SurveyStats(responses: npsN, score: 100 * Double(npsPromoters - npsDetractors) / Double(npsN), distribution: [:])
        }
        if cesN > 0 { g.ces = SurveyStats(responses: cesN, score: cesSum / Double(cesN), distribution: cesDistribution) }
        if let s = g.csat {
            g.targets.append(TargetResult(name: "csat", target: c.settings.targets.csat, value: s.score, met: s.score >= c.settings.targets.csat))
        }
    }
}

/// Message conversations open at the period's end, with their ages.
struct BacklogPart: KPIPart {
    /// False for day/week/month groups: backlog is null there.
    var track = false
    var open = 0
    /// When each conversation open at the period's end was opened: ages are taken at finishing, from the period's
    /// end, so a walk kept between reports (``WalkMemo``) holds nothing that changes with the clock.
    var opens: [Date] = []

    mutating func add(open at: Date) {
        open += 1
        opens.append(at)
    }

    mutating func compact() { exact(&opens) }

    mutating func reserve(for others: [BacklogPart]) { SwitchboardMetrics.reserve(&opens, for: others, \.opens) }

    mutating func merge(_ o: BacklogPart) {
        track = track || o.track
        open += o.open
        opens += o.opens
    }

    func finish(into g: inout GroupMetrics, _ c: FinishContext) {
        guard track else { return }
        var buckets: [String: Int] = [:]
        let bounds = c.settings.backlogAgeBuckets
        var order: [String] = []
        for (i, ub) in bounds.enumerated() {
            order.append(i == 0 ? "<=\(DurationStats.label(ub))" : "\(DurationStats.label(bounds[i - 1]))-\(DurationStats.label(ub))")
        }
        order.append(">\(DurationStats.label(bounds.last ?? 0))")
        for label in order { buckets[label] = 0 }
        for o in opens {
            let a = c.to.timeIntervalSince(o)
            buckets[order[bounds.firstIndex { a <= $0 } ?? bounds.count], default: 0] += 1
        }
        g.backlog = BacklogStats(openAtEnd: open, ageBuckets: buckets, ageOrder: order, daily: c.daily)
    }
}

/// Conversations per channel of each customer: channel shares, each customer's most-used channel and repeat contacts.
struct CustomerPart: KPIPart {
    /// How the counts per customer are held: by customer number (the overall group of a whole walk), in a
    /// dictionary (breakdown groups), or as a list of (customer, channel) entries (a block of a kept walk,
    /// ``WalkMemo``: small to keep, added to a dense part when merged).
    enum Layout { case dense, sparse, listed }

    var channelCounts = [Int](repeating: 0, count: Channel.count)
    var dense: [ChannelCounts]
    var sparse: [Int32: ChannelCounts] = [:]
    /// customer << 3 | channel order, one per counted conversation with a customer.
    var listed: [Int64] = []
    let layout: Layout

    init(customers: Int, layout: Layout) {
        precondition(Channel.count == 6, "ChannelCounts holds one slot per channel")
        self.layout = layout
        dense = layout == .dense ? [ChannelCounts](repeating: ChannelCounts(), count: customers) : []
    }

    mutating func add(_ c: Conversation) {
        let ch = c.channel.order
        channelCounts[ch] += 1
        guard c.customer >= 0 else { return }
        switch layout {
        case .dense: dense[Int(c.customer)][ch] += 1
        case .sparse: sparse[c.customer, default: ChannelCounts()][ch] += 1
        case .listed: listed.append(Int64(c.customer) << 3 | Int64(ch))
        }
    }

    mutating func compact() { exact(&listed) }

    mutating func merge(_ o: CustomerPart) {
        for i in 0..<Channel.count { channelCounts[i] += o.channelCounts[i] }
        switch layout {
        case .dense:
            dense.withUnsafeMutableBufferPointer { mine in
                o.dense.withUnsafeBufferPointer { theirs in
                    for i in theirs.indices where theirs[i].total > 0 { mine[i].add(theirs[i]) }
                }
                for (k, v) in o.sparse { mine[Int(k)].add(v) }
                for e in o.listed { mine[Int(e >> 3)][Int(e & 7)] += 1 }
            }
        case .sparse:
            precondition(o.layout != .dense, "a dense customer part merged into a sparse one")
            for (k, v) in o.sparse { sparse[k, default: ChannelCounts()].add(v) }
            for e in o.listed { sparse[Int32(e >> 3), default: ChannelCounts()][Int(e & 7)] += 1 }
        case .listed:
            precondition(o.layout == .listed, "only listed customer parts merge into a listed one")
            listed += o.listed
        }
    }

    func finish(into g: inout GroupMetrics, _ c: FinishContext) {
        let total = channelCounts.reduce(0, +)
        if total > 0 {
            var shares: [String: Double] = [:]
            for (i, ch) in Channel.allCases.enumerated() where channelCounts[i] > 0 {
                shares[ch.rawValue] = Double(channelCounts[i]) / Double(total)
            }
            g.channelShares = shares
        }
        var preferred = [Int](repeating: 0, count: Channel.count)
        var customers = 0, repeats = 0
        func tally(_ counts: ChannelCounts) {
            // Most conversations wins; ties go to the channel listed first in the schema.
            var best = 0
            for i in 1..<Channel.count where counts[i] > counts[best] { best = i }
            preferred[best] += 1
            customers += 1
            if counts.total > 1 { repeats += 1 }
        }
        precondition(layout != .listed, "a listed customer part is merged into a dense one before finishing")
        for x in dense where x.total > 0 { tally(x) }
        for (_, x) in sparse { tally(x) }
        guard customers > 0 else { return }
        var out: [String: Int] = [:]
        for (i, ch) in Channel.allCases.enumerated() where preferred[i] > 0 { out[ch.rawValue] = preferred[i] }
        g.preferredChannel = out
        g.customers = customers
        g.repeatCustomers = repeats
        g.repeatContactRate = Double(repeats) / Double(customers)
    }
}

/// Counted conversations without any topic (the share the report gives beside `by_topic`).
struct TopicPart: KPIPart {
    var withoutTopic = 0

    mutating func add(hasTopic: Bool) { if !hasTopic { withoutTopic += 1 } }
    mutating func merge(_ o: TopicPart) { withoutTopic += o.withoutTopic }

    func finish(into g: inout GroupMetrics, _ c: FinishContext) {
        g.withoutTopic = withoutTopic
    }
}

/// Conversations per channel of one customer (Channel.allCases order), inline: one slot per channel
/// (a new channel needs a slot here; ``CustomerPart`` checks the count at start).
struct ChannelCounts {
    var n: (Int32, Int32, Int32, Int32, Int32, Int32) = (0, 0, 0, 0, 0, 0)

    subscript(i: Int) -> Int32 {
        get { withUnsafeBytes(of: n) { $0.load(fromByteOffset: i * 4, as: Int32.self) } }
        set { withUnsafeMutableBytes(of: &n) { $0.storeBytes(of: newValue, toByteOffset: i * 4, as: Int32.self) } }
    }

    var total: Int32 { n.0 + n.1 + n.2 + n.3 + n.4 + n.5 }

    mutating func add(_ o: ChannelCounts) { for i in 0..<Channel.count { self[i] += o[i] } }
}

extension CallCounts {
    mutating func add(_ o: CallCounts) {
        offered += o.offered
        answered += o.answered
        abandoned += o.abandoned
        answeredWithin += o.answeredWithin
    }
}

extension Array where Element == CallCounts? {
    subscript(i: Int, default d: CallCounts) -> CallCounts {
        get { self[i] ?? d }
        set { self[i] = newValue }
    }
}
