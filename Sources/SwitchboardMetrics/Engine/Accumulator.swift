import Foundation
import SwitchboardCore
import SwitchboardScan

/// Conversations per channel of one customer (Channel.allCases order).
struct ChannelCounts {
    var n: (Int32, Int32, Int32, Int32, Int32, Int32) = (0, 0, 0, 0, 0, 0)

    subscript(i: Int) -> Int32 {
        get { withUnsafeBytes(of: n) { $0.load(fromByteOffset: i * 4, as: Int32.self) } }
        set { withUnsafeMutableBytes(of: &n) { $0.storeBytes(of: newValue, toByteOffset: i * 4, as: Int32.self) } }
    }

    var total: Int32 { n.0 + n.1 + n.2 + n.3 + n.4 + n.5 }

    mutating func add(_ o: ChannelCounts) { for i in 0..<6 { self[i] += o[i] } }
}

/// Collects one group's raw values while conversations and surveys are walked (text as numbers),
/// then finalises them. Parts of the walk fill their own accumulators, merged in part order.
final class Accumulator {
    static let channels = Channel.allCases
    // Each accumulator is filled by one part of the walk and never lends a property out across calls,
    // so the run-time exclusivity checks (one per property access, a measurable share of the walk) are off.
    @exclusivity(unchecked) var total = 0, conversations = 0, resolved = 0, unresolved = 0, fcrEligible = 0, fcrCount = 0
    @exclusivity(unchecked) var byChannel = [Int](repeating: 0, count: 6), outboundByChannel = [Int](repeating: 0, count: 6)
    /// By ``MetricsScan/names`` number (sparse: names also hold every actor id, groups are many).
    @exclusivity(unchecked) var byPlatform: [Int32: Int] = [:], bySource: [Int32: Int] = [:]
    @exclusivity(unchecked) var byDay: [Int: Int] = [:]
    /// weekday (1…7) × 24 + hour.
    @exclusivity(unchecked) var byWeekdayHour = [Int](repeating: 0, count: 8 * 24)
    @exclusivity(unchecked) var frtCalendar: [Double] = [], frtBusiness: [Double] = []
    @exclusivity(unchecked) var resCalendar: [Double] = [], resBusiness: [Double] = []
    @exclusivity(unchecked) var frtByChannel = [[Double]](repeating: [], count: 6)
    @exclusivity(unchecked) var hasCalls = false
    @exclusivity(unchecked) var calls = CallCounts()
    @exclusivity(unchecked) var shortAbandoned = 0
    @exclusivity(unchecked) var waits: [Double] = [], talks: [Double] = []
    @exclusivity(unchecked) var answeredWithin = 0
    @exclusivity(unchecked) var callsByHour = [CallCounts?](repeating: nil, count: 24), callsByWeekday = [CallCounts?](repeating: nil, count: 8)
    @exclusivity(unchecked) var csatN = 0, csatTop = 0, npsN = 0, npsPromoters = 0, npsDetractors = 0, cesN = 0, cesSum = 0.0
    @exclusivity(unchecked) var cesDistribution: [Double: Int] = [:]
    @exclusivity(unchecked) var channelCounts = [Int](repeating: 0, count: 6)
    /// Dense by customer number (the overall group), else sparse.
    @exclusivity(unchecked) var perCustomerDense: [ChannelCounts]
    @exclusivity(unchecked) var perCustomer: [Int32: ChannelCounts] = [:]
    let dense: Bool
    @exclusivity(unchecked) var trackBacklog = false
    @exclusivity(unchecked) var backlogOpen = 0
    @exclusivity(unchecked) var backlogAges: [Double] = []

    static let weekdayNames = ["", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    init(customers: Int, dense: Bool) {
        self.dense = dense
        perCustomerDense = dense ? [ChannelCounts](repeating: ChannelCounts(), count: customers) : []
    }

    func addVolume(_ c: Conversation, day: Int, hour: Int, weekday: Int) {
        total += 1
        byChannel[c.channel.order] += 1
        if c.platform >= 0 { byPlatform[c.platform, default: 0] += 1 }
        bySource[c.source, default: 0] += 1
        byDay[day, default: 0] += 1
        byWeekdayHour[weekday * 24 + hour] += 1
    }

    func addOutbound(_ c: Conversation) { outboundByChannel[c.channel.order] += 1 }

    /// A conversation counted in `conversations`.
    func addConversation(_ c: Conversation, fcr: FCRVerdict, calendar: BusinessCalendar) {
        conversations += 1
        let ch = c.channel.order
        channelCounts[ch] += 1
        if c.customer >= 0 {
            if dense { perCustomerDense[Int(c.customer)][ch] += 1 } else { perCustomer[c.customer, default: ChannelCounts()][ch] += 1 }
        }
        guard let open = c.openedAt else { return }
        if let r = c.firstResponseAt {
            let v = r.timeIntervalSince(open)
            frtCalendar.append(v)
            frtBusiness.append(calendar.seconds(from: open, to: r))
            frtByChannel[ch].append(v)
        }
        if let end = c.resolvedAt {
            resolved += 1
            resCalendar.append(end.timeIntervalSince(open))
            resBusiness.append(calendar.seconds(from: open, to: end))
            fcrEligible += 1
            if fcr.isFCR { fcrCount += 1 }
        } else {
            unresolved += 1
        }
    }

    /// An inbound call conversation opened in the period (any outcome).
    func addCall(_ c: Conversation, hour: Int, weekday: Int, answerWithin: Double) {
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
        callsByHour[hour, default: CallCounts()].add(slice)
        callsByWeekday[weekday, default: CallCounts()].add(slice)
    }

    func addSurvey(_ s: SurveyInfo) {
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

    func addBacklog(age: Double) {
        backlogOpen += 1
        backlogAges.append(age)
    }

    /// Adds another part's values after this one's (lists keep part order).
    func merge(_ o: Accumulator) {
        total += o.total; conversations += o.conversations; resolved += o.resolved; unresolved += o.unresolved
        fcrEligible += o.fcrEligible; fcrCount += o.fcrCount
        for i in 0..<6 {
            byChannel[i] += o.byChannel[i]; outboundByChannel[i] += o.outboundByChannel[i]; channelCounts[i] += o.channelCounts[i]
            frtByChannel[i] += o.frtByChannel[i]
        }
        for (k, n) in o.byPlatform { byPlatform[k, default: 0] += n }
        for (k, n) in o.bySource { bySource[k, default: 0] += n }
        for (d, n) in o.byDay { byDay[d, default: 0] += n }
        for i in byWeekdayHour.indices { byWeekdayHour[i] += o.byWeekdayHour[i] }
        frtCalendar += o.frtCalendar; frtBusiness += o.frtBusiness; resCalendar += o.resCalendar; resBusiness += o.resBusiness
        hasCalls = hasCalls || o.hasCalls
        calls.add(o.calls)
        shortAbandoned += o.shortAbandoned
        waits += o.waits; talks += o.talks
        answeredWithin += o.answeredWithin
        for i in 0..<24 where o.callsByHour[i] != nil { callsByHour[i, default: CallCounts()].add(o.callsByHour[i]!) }
        for i in 0..<8 where o.callsByWeekday[i] != nil { callsByWeekday[i, default: CallCounts()].add(o.callsByWeekday[i]!) }
        csatN += o.csatN; csatTop += o.csatTop; npsN += o.npsN; npsPromoters += o.npsPromoters; npsDetractors += o.npsDetractors
        cesN += o.cesN; cesSum += o.cesSum
        for (k, n) in o.cesDistribution { cesDistribution[k, default: 0] += n }
        if dense {
            perCustomerDense.withUnsafeMutableBufferPointer { mine in
                o.perCustomerDense.withUnsafeBufferPointer { theirs in
                    for i in theirs.indices where theirs[i].total > 0 { mine[i].add(theirs[i]) }
                }
            }
        }
        for (k, v) in o.perCustomer { perCustomer[k, default: ChannelCounts()].add(v) }
        trackBacklog = trackBacklog || o.trackBacklog
        backlogOpen += o.backlogOpen
        backlogAges += o.backlogAges
    }

    func finish(settings: MetricsSettings, daily: [(String, Int)], name: (Int32) -> String) -> GroupMetrics {
        var g = GroupMetrics()
        g.conversations = conversations; g.resolved = resolved; g.unresolved = unresolved
        g.fcrEligible = fcrEligible; g.fcrCount = fcrCount
        g.volume.total = total
        for (i, ch) in Self.channels.enumerated() {
            if byChannel[i] > 0 { g.volume.byChannel[ch.rawValue] = byChannel[i] }
            if outboundByChannel[i] > 0 { g.volume.outboundByChannel[ch.rawValue] = outboundByChannel[i] }
        }
        for (k, n) in byPlatform { g.volume.byPlatform[name(k), default: 0] += n }
        for (k, n) in bySource { g.volume.bySource[name(k), default: 0] += n }
        for (d, n) in byDay { g.volume.byDay[LocalClock.dayLabel(d)] = n }
        for w in 1...7 {
            for h in 0..<24 where byWeekdayHour[w * 24 + h] > 0 {
                g.volume.byWeekdayHour[Self.weekdayNames[w], default: [:]][LocalClock.pad(h, 2)] = byWeekdayHour[w * 24 + h]
            }
        }
        g.resolutionRate = g.conversations > 0 ? Double(g.resolved) / Double(g.conversations) : nil
        // The two sorts of each are independent: run them side by side.
        let stats = Parallel.map(frtCalendar.count + resCalendar.count > 100_000 ? 2 : 1) { k in
            k == 0 ? DurationStats.make(calendar: frtCalendar, business: frtBusiness, bounds: settings.frtBuckets)
                : DurationStats.make(calendar: resCalendar, business: resBusiness, bounds: settings.frtBuckets)
        }
        g.frt = stats[0]
        g.resolutionTime = stats.count > 1 ? stats[1]
            : DurationStats.make(calendar: resCalendar, business: resBusiness, bounds: settings.frtBuckets)
        g.fcrRate = g.fcrEligible > 0 ? Double(g.fcrCount) / Double(g.fcrEligible) : nil
        if csatN > 0 { g.csat = SurveyStats(responses: csatN, score: Double(csatTop) / Double(csatN), distribution: [:]) }
        if npsN > 0 {
            g.nps = SurveyStats(responses: npsN, score: 100 * Double(npsPromoters - npsDetractors) / Double(npsN), distribution: [:])
        }
        if cesN > 0 { g.ces = SurveyStats(responses: cesN, score: cesSum / Double(cesN), distribution: cesDistribution) }
        if trackBacklog { g.backlog = backlogStats(settings: settings, daily: daily) }
        if hasCalls {
            let offered = calls.offered
            var byHour: [Int: CallCounts] = [:], byWeekday: [Int: CallCounts] = [:]
            for i in 0..<24 { if let c = callsByHour[i] { byHour[i] = c } }
            for i in 0..<8 { if let c = callsByWeekday[i] { byWeekday[i] = c } }
            g.phone = PhoneStats(
                offered: offered, answered: calls.answered, abandoned: calls.abandoned, shortAbandoned: shortAbandoned,
                abandonmentRate: offered > 0 ? Double(calls.abandoned) / Double(offered) : nil,
                asa: waits.isEmpty ? nil : DurationStats.mean(DoubleSort.sorted(waits)),
                serviceLevel: offered > 0 ? Double(answeredWithin) / Double(offered) : nil,
                aht: talks.isEmpty ? nil : DurationStats.mean(DoubleSort.sorted(talks)),
                byHour: byHour, byWeekday: byWeekday)
        }
        if g.conversations > 0 {
            var shares: [String: Double] = [:]
            for (i, ch) in Self.channels.enumerated() where channelCounts[i] > 0 {
                shares[ch.rawValue] = Double(channelCounts[i]) / Double(g.conversations)
            }
            g.channelShares = shares
        }
        var preferred = [Int](repeating: 0, count: 6)
        var customers = 0, repeats = 0
        func tally(_ counts: ChannelCounts) {
            // Most conversations wins; ties go to the channel listed first in the schema.
            var best = 0
            for i in 1..<6 where counts[i] > counts[best] { best = i }
            preferred[best] += 1
            customers += 1
            if counts.total > 1 { repeats += 1 }
        }
        if dense { for c in perCustomerDense where c.total > 0 { tally(c) } }
        for (_, c) in perCustomer { tally(c) }
        if customers > 0 {
            var out: [String: Int] = [:]
            for (i, ch) in Self.channels.enumerated() where preferred[i] > 0 { out[ch.rawValue] = preferred[i] }
            g.preferredChannel = out
            g.customers = customers
            g.repeatCustomers = repeats
            g.repeatContactRate = Double(repeats) / Double(customers)
        }
        g.targets = targets(g, settings: settings)
        return g
    }

    private func backlogStats(settings: MetricsSettings, daily: [(String, Int)]) -> BacklogStats {
        var ages: [String: Int] = [:]
        let bounds = settings.backlogAgeBuckets
        var order: [String] = []
        for (i, ub) in bounds.enumerated() {
            order.append(i == 0 ? "<=\(DurationStats.label(ub))" : "\(DurationStats.label(bounds[i - 1]))-\(DurationStats.label(ub))")
        }
        order.append(">\(DurationStats.label(bounds.last ?? 0))")
        for label in order { ages[label] = 0 }
        for a in backlogAges { ages[order[bounds.firstIndex { a <= $0 } ?? bounds.count], default: 0] += 1 }
        return BacklogStats(openAtEnd: backlogOpen, ageBuckets: ages, ageOrder: order, daily: daily)
    }

    private func targets(_ g: GroupMetrics, settings: MetricsSettings) -> [TargetResult] {
        var out: [TargetResult] = []
        for (i, ch) in Self.channels.enumerated() {
            let values = frtByChannel[i]
            guard let limit = settings.targets.frt[ch], !values.isEmpty else { continue }
            let within = values.filter { $0 <= limit }.count
            let share = Double(within) / Double(values.count)
            out.append(TargetResult(name: "frt_\(ch.rawValue)", target: limit, within: within, beyond: values.count - within,
                                    value: share, met: share >= settings.attainmentGoal))
        }
        if let p = g.phone, let sl = p.serviceLevel {
            out.append(TargetResult(name: "phone_answer", target: settings.targets.phoneAnswerWithin, within: answeredWithin,
                                    beyond: p.offered - answeredWithin, value: sl, met: sl >= settings.attainmentGoal))
        }
        if let rate = g.fcrRate {
            out.append(TargetResult(name: "fcr", target: settings.targets.fcr, value: rate, met: rate >= settings.targets.fcr))
        }
        if let c = g.csat {
            out.append(TargetResult(name: "csat", target: settings.targets.csat, value: c.score, met: c.score >= settings.targets.csat))
        }
        return out
    }
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

extension Channel {
    /// Position in ``Channel/allCases`` (the schema order).
    var order: Int {
        switch self {
        case .email: return 0
        case .phone: return 1
        case .chat: return 2
        case .social: return 3
        case .sms: return 4
        case .web: return 5
        }
    }
}
