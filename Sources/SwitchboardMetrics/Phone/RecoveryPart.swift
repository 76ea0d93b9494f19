import Foundation
import SwitchboardCore
import SwitchboardScan

/// Lost calls of one local day and what became of them.
public struct RecoveryDay: Sendable, Hashable {
    public var lost = 0
    public var recovered = 0
    public var pending = 0
    /// Distinct identified callers with a lost call of this day never reached.
    public var neverReached = 0
}

/// Lost calls (`abandoned`, `missed`, `timeout`) opened in the period and their recovery
/// (docs/metrics.md "Lost callers and recovery").
public struct RecoveryStats: Sendable, Hashable {
    /// `phone.recovery_window` in seconds.
    public var window: Double
    public var lost = 0
    public var recovered = 0
    /// Window still open at now, not reached yet (left out of the rate).
    public var pending = 0
    /// Lost calls of identified callers whose window closed without reaching them.
    public var neverReachedCalls = 0
    /// Distinct identified callers with at least one such call.
    public var neverReached = 0
    /// Lost calls without a customer key.
    public var anonymous = 0
    /// Reached only after the window (counted in ``neverReachedCalls``).
    public var late = 0
    /// Recovered by the team's answered outbound call / by the customer's own return.
    public var byCallback = 0
    public var byReturn = 0
    /// recovered ÷ (lost − pending); nil when nothing is decided.
    public var rate: Double?
    /// Seconds from the end of the lost call to its recovery.
    public var medianTimeToRecovery: Double?
    public var p90TimeToRecovery: Double?
    public var meanTimeToRecovery: Double?
    /// Channel / platform of the recovering contact → recovered calls.
    public var byChannel: [String: Int] = [:]
    public var byPlatform: [String: Int] = [:]
    /// Local day of the lost call → counts.
    public var byDay: [String: RecoveryDay] = [:]
}

/// The recovery KPI family: each lost call of the group with its ``RecoveryVerdict``.
struct RecoveryPart: KPIPart {
    var lost = 0, recovered = 0, pending = 0, neverReachedCalls = 0, anonymous = 0, late = 0, byCallback = 0
    var after: [Double] = []
    var byChannel = [Int](repeating: 0, count: Channel.count)
    var byPlatform: [Int32: Int] = [:]
    var days: [Int: (lost: Int, recovered: Int, pending: Int)] = [:]
    /// Day → identified callers never reached.
    var neverReachedByDay: [Int: Set<Int32>] = [:]

    mutating func add(_ c: Conversation, _ v: RecoveryVerdict, day: Int) {
        lost += 1
        var d = days[day] ?? (0, 0, 0)
        d.lost += 1
        switch v {
        case .recovered(_, let a, let channel, let platform, let callback):
            recovered += 1
            d.recovered += 1
            after.append(a)
            byChannel[channel.order] += 1
            byPlatform[platform, default: 0] += 1
            if callback { byCallback += 1 }
        case .pending:
            pending += 1
            d.pending += 1
        case .neverReached(_, _, let lateAt):
            neverReachedCalls += 1
            if lateAt != nil { late += 1 }
            neverReachedByDay[day, default: []].insert(c.customer)
        case .anonymous:
            anonymous += 1
        }
        days[day] = d
    }

    mutating func compact() { exact(&after) }

    mutating func merge(_ o: RecoveryPart) {
        lost += o.lost; recovered += o.recovered; pending += o.pending; neverReachedCalls += o.neverReachedCalls
        anonymous += o.anonymous; late += o.late; byCallback += o.byCallback
        after += o.after
        for i in 0..<Channel.count { byChannel[i] += o.byChannel[i] }
        for (k, n) in o.byPlatform { byPlatform[k, default: 0] += n }
        for (k, d) in o.days {
            let m = days[k] ?? (0, 0, 0)
            days[k] = (m.lost + d.lost, m.recovered + d.recovered, m.pending + d.pending)
        }
        for (k, s) in o.neverReachedByDay { neverReachedByDay[k, default: []].formUnion(s) }
    }

    func finish(into g: inout GroupMetrics, _ c: FinishContext) {
        guard lost > 0, g.phone != nil else { return }
        var r = RecoveryStats(window: c.settings.recoveryWindow)
        r.lost = lost; r.recovered = recovered; r.pending = pending; r.neverReachedCalls = neverReachedCalls
        r.anonymous = anonymous; r.late = late; r.byCallback = byCallback; r.byReturn = recovered - byCallback
        r.rate = lost - pending > 0 ? Double(recovered) / Double(lost - pending) : nil
        if !after.isEmpty {
            let sorted = DoubleSort.sorted(after)
            r.medianTimeToRecovery = DurationStats.nearestRank(sorted, 0.5)
            r.p90TimeToRecovery = DurationStats.nearestRank(sorted, 0.9)
            r.meanTimeToRecovery = DurationStats.mean(sorted)
        }
        for (i, ch) in Channel.allCases.enumerated() where byChannel[i] > 0 { r.byChannel[ch.rawValue] = byChannel[i] }
        for (k, n) in byPlatform { r.byPlatform[k >= 0 ? c.name(k) : "", default: 0] += n }
        var callers = Set<Int32>()
        for (day, d) in days {
            let never = neverReachedByDay[day] ?? []
            callers.formUnion(never)
            r.byDay[LocalClock.dayLabel(day)] = RecoveryDay(lost: d.lost, recovered: d.recovered, pending: d.pending, neverReached: never.count)
        }
        r.neverReached = callers.count
        g.phone?.recovery = r
    }
}
