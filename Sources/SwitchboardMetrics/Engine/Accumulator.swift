import Foundation
import SwitchboardCore

/// Collects one group's raw values while conversations and surveys are walked, then finalises them.
final class Accumulator {
    var m = GroupMetrics()
    var frtCalendar: [Double] = [], frtBusiness: [Double] = []
    var resCalendar: [Double] = [], resBusiness: [Double] = []
    var frtByChannel: [Channel: [Double]] = [:]
    var hasCalls = false
    var calls = CallCounts()
    var shortAbandoned = 0
    var waits: [Double] = [], talks: [Double] = []
    var answeredWithin = 0
    var callsByHour: [Int: CallCounts] = [:], callsByWeekday: [Int: CallCounts] = [:]
    var csatN = 0, csatTop = 0, npsN = 0, npsPromoters = 0, npsDetractors = 0, cesN = 0, cesSum = 0.0
    var cesDistribution: [Double: Int] = [:]
    var channelCounts: [Channel: Int] = [:]
    var perCustomer: [String: [Channel: Int]] = [:]
    var trackBacklog = false
    var backlogOpen = 0
    var backlogAges: [Double] = []

    static let weekdayNames = ["", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    func addVolume(_ c: Conversation, day: Int, hour: Int, weekday: Int) {
        m.volume.total += 1
        m.volume.byChannel[c.channel.rawValue, default: 0] += 1
        m.volume.byPlatform[c.platform, default: 0] += 1
        m.volume.bySource[c.source, default: 0] += 1
        m.volume.byDay[LocalClock.dayLabel(day), default: 0] += 1
        m.volume.byWeekdayHour[Self.weekdayNames[weekday], default: [:]][LocalClock.pad(hour, 2), default: 0] += 1
    }

    func addOutbound(_ c: Conversation) {
        m.volume.outboundByChannel[c.channel.rawValue, default: 0] += 1
    }

    /// A conversation counted in `conversations`.
    func addConversation(_ c: Conversation, fcr: FCRVerdict, calendar: BusinessCalendar) {
        m.conversations += 1
        channelCounts[c.channel, default: 0] += 1
        if let k = c.customerKey { perCustomer[k, default: [:]][c.channel, default: 0] += 1 }
        guard let open = c.openedAt else { return }
        if let r = c.firstResponseAt {
            let v = r.timeIntervalSince(open)
            frtCalendar.append(v)
            frtBusiness.append(calendar.seconds(from: open, to: r))
            frtByChannel[c.channel, default: []].append(v)
        }
        if let end = c.resolvedAt {
            m.resolved += 1
            resCalendar.append(end.timeIntervalSince(open))
            resBusiness.append(calendar.seconds(from: open, to: end))
            m.fcrEligible += 1
            if fcr.isFCR { m.fcrCount += 1 }
        } else {
            m.unresolved += 1
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

    func finish(settings: MetricsSettings, daily: [(String, Int)]) -> GroupMetrics {
        var g = m
        g.resolutionRate = g.conversations > 0 ? Double(g.resolved) / Double(g.conversations) : nil
        g.frt = DurationStats.make(calendar: frtCalendar, business: frtBusiness, bounds: settings.frtBuckets)
        g.resolutionTime = DurationStats.make(calendar: resCalendar, business: resBusiness, bounds: settings.frtBuckets)
        g.fcrRate = g.fcrEligible > 0 ? Double(g.fcrCount) / Double(g.fcrEligible) : nil
        if csatN > 0 { g.csat = SurveyStats(responses: csatN, score: Double(csatTop) / Double(csatN), distribution: [:]) }
        if npsN > 0 {
            g.nps = SurveyStats(responses: npsN, score: 100 * Double(npsPromoters - npsDetractors) / Double(npsN), distribution: [:])
        }
        if cesN > 0 { g.ces = SurveyStats(responses: cesN, score: cesSum / Double(cesN), distribution: cesDistribution) }
        if trackBacklog {
            var ages: [String: Int] = [:]
            let bounds = settings.backlogAgeBuckets
            var order: [String] = []
            for (i, ub) in bounds.enumerated() {
                order.append(i == 0 ? "<=\(DurationStats.label(ub))" : "\(DurationStats.label(bounds[i - 1]))-\(DurationStats.label(ub))")
            }
            order.append(">\(DurationStats.label(bounds.last ?? 0))")
            for label in order { ages[label] = 0 }
            for a in backlogAges { ages[order[bounds.firstIndex { a <= $0 } ?? bounds.count], default: 0] += 1 }
            g.backlog = BacklogStats(openAtEnd: backlogOpen, ageBuckets: ages, ageOrder: order, daily: daily)
        }
        if hasCalls {
            let offered = calls.offered
            g.phone = PhoneStats(
                offered: offered, answered: calls.answered, abandoned: calls.abandoned, shortAbandoned: shortAbandoned,
                abandonmentRate: offered > 0 ? Double(calls.abandoned) / Double(offered) : nil,
                asa: waits.isEmpty ? nil : DurationStats.mean(waits),
                serviceLevel: offered > 0 ? Double(answeredWithin) / Double(offered) : nil,
                aht: talks.isEmpty ? nil : DurationStats.mean(talks),
                byHour: callsByHour, byWeekday: callsByWeekday)
        }
        if g.conversations > 0 {
            var shares: [String: Double] = [:]
            for (ch, n) in channelCounts { shares[ch.rawValue] = Double(n) / Double(g.conversations) }
            g.channelShares = shares
        }
        if !perCustomer.isEmpty {
            var preferred: [String: Int] = [:]
            for (_, counts) in perCustomer {
                // Most conversations wins; ties go to the channel listed first in the schema.
                let best = Channel.allCases.filter { counts[$0] != nil }.max { counts[$0]! < counts[$1]! || (counts[$0]! == counts[$1]! && $0.order > $1.order) }!
                preferred[best.rawValue, default: 0] += 1
            }
            g.preferredChannel = preferred
            g.customers = perCustomer.count
            g.repeatCustomers = perCustomer.values.filter { $0.values.reduce(0, +) > 1 }.count
            g.repeatContactRate = Double(g.repeatCustomers) / Double(g.customers)
        }
        g.targets = targets(g, settings: settings)
        return g
    }

    private func targets(_ g: GroupMetrics, settings: MetricsSettings) -> [TargetResult] {
        var out: [TargetResult] = []
        for ch in Channel.allCases {
            guard let limit = settings.targets.frt[ch], let values = frtByChannel[ch], !values.isEmpty else { continue }
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

extension Channel {
    var order: Int { Channel.allCases.firstIndex(of: self)! }
}
