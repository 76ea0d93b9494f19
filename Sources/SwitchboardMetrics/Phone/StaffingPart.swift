import Foundation
import SwitchboardCore
import SwitchboardScan

/// Agents logged in per local hour of the business timezone, from whatever records log-ins (the PBX's
/// queue_log agent events). The staffing grid and its back-test read it; without one they leave
/// `logged_in_agents` empty and skip the back-test.
///
/// ```swift
/// struct Roster: LoggedInAgents {
///     func agents(slot: Int) -> Double? { 4 }   // four agents logged in every hour
/// }
/// ```
public protocol LoggedInAgents: Sendable {
    /// The mean number of agents logged in during one local hour: `slot` = local day number × 24 + hour
    /// (``LocalClock``'s day numbers). nil when nothing is known about that hour.
    func agents(slot: Int) -> Double?
}

/// One weekday × hour cell of the staffing grid (docs/metrics.md "Staffing").
public struct StaffingCell: Sendable, Hashable {
    /// 1 = Monday … 7 = Sunday.
    public var weekday: Int
    public var hour: Int
    /// How many times this weekday-hour occurs in the period.
    public var hours: Int
    public var offered: Int
    /// offered ÷ hours.
    public var offeredPerHour: Double
    /// Mean talk time of the cell's answered calls (the group's AHT when none was answered).
    public var aht: Double?
    /// offeredPerHour × aht ÷ 3600.
    public var erlangs: Double
    /// Agents on the phones Erlang C needs for the service-level target.
    public var onPhones: Int?
    /// ``onPhones`` with `phone.shrinkage`: agents to roster.
    public var requiredAgents: Int?
    /// Mean agents logged in over the cell's hours (nil when unknown).
    public var loggedInAgents: Double?
    /// Achieved: answered within `targets.phone.answer_within` ÷ offered.
    public var serviceLevel: Double?
    /// What Erlang C predicts for the logged-in agents (the level the back-test checks).
    public var predictedServiceLevel: Double?
    /// Mean |actual − predicted| ÷ actual over the weeks tested, and how many weeks were tested.
    public var backtestMAPE: Double?
    public var backtestWeeks = 0
    /// Erlang A with the callers' observed patience (``StaffingStats/patience``): agents to roster (with
    /// shrinkage) and the share of callers expected to give up with that many on the phones.
    public var erlangARequiredAgents: Int?
    public var erlangAAbandonment: Double?
}

/// The staffing grid of one group with its back-test.
public struct StaffingStats: Sendable, Hashable {
    public var cells: [StaffingCell]
    /// The back-test over every tested hour: mean absolute percentage error and the hours tested.
    public var backtestMAPE: Double?
    public var backtestHours = 0
    /// Hours left out of the back-test because no call of them was answered in time (actual level 0).
    public var backtestZeroHours = 0
    /// Callers' mean patience in seconds, estimated from the group's waits and abandons (Erlang A); nil
    /// without an abandoned call.
    public var patience: Double?
}

/// Calls of one concrete local hour.
struct SlotCalls {
    var offered = 0, answered = 0, answeredWithin = 0, abandoned = 0
    /// Talk of the answered calls and the time offered callers waited (answered, abandoned, missed, timeout:
    /// the patience estimate's exposure), in whole milliseconds: integer sums do not depend on the order the
    /// parts of the walk are merged in, so neither does any figure of the grid.
    var talkMs: Int64 = 0, waitedMs: Int64 = 0

    var talk: Double { Double(talkMs) / 1000 }
    var waited: Double { Double(waitedMs) / 1000 }

    static func ms(_ seconds: Double?) -> Int64 { Int64((max(0, seconds ?? 0) * 1000).rounded()) }

    mutating func add(_ o: SlotCalls) {
        offered += o.offered; answered += o.answered; answeredWithin += o.answeredWithin; abandoned += o.abandoned
        talkMs += o.talkMs; waitedMs += o.waitedMs
    }
}

/// The staffing KPI family: offered calls per concrete local hour (local day × 24 + hour), kept only
/// for the groups that show a grid (overall and queues).
struct StaffingPart: KPIPart {
    var track = false
    /// Hours already left behind; the hour being filled is kept apart (calls of one hour mostly follow each
    /// other in storage order, so most calls touch no dictionary).
    private var done: [Int: SlotCalls] = [:]
    private var currentSlot = Int.min
    private var current = SlotCalls()

    var slots: [Int: SlotCalls] {
        var all = done
        if currentSlot != Int.min { all[currentSlot, default: SlotCalls()].add(current) }
        return all
    }

    mutating func add(_ c: Conversation, day: Int, hour: Int, answerWithin: Double) {
        guard track, let call = c.call else { return }
        var s = SlotCalls()
        switch call.outcome {
        case .answered:
            s.offered = 1
            s.answered = 1
            s.talkMs = SlotCalls.ms(call.talkSeconds)
            if (call.waitSeconds ?? 0) <= answerWithin { s.answeredWithin = 1 }
        case .abandoned:
            s.offered = 1
            s.abandoned = 1
        case .missed, .timeout: s.offered = 1
        default: return
        }
        s.waitedMs = SlotCalls.ms(call.waitSeconds)
        let slot = day * 24 + hour
        if slot != currentSlot {
            if currentSlot != Int.min { done[currentSlot, default: SlotCalls()].add(current) }
            currentSlot = slot
            current = SlotCalls()
        }
        current.add(s)
    }

    mutating func merge(_ o: StaffingPart) {
        track = track || o.track
        for (k, s) in o.slots { done[k, default: SlotCalls()].add(s) }
    }

    func finish(into g: inout GroupMetrics, _ c: FinishContext) {
        let slots = self.slots
        guard track, !slots.isEmpty, g.phone != nil, let period = c.period else { return }
        let grid = Staffing(settings: c.settings, loggedIn: c.loggedIn, groupAHT: g.phone?.aht).grid(slots, from: period.from, to: period.to)
        g.phone?.staffing = grid
    }
}

/// Erlang C staffing over a period's hours, and its back-test.
struct Staffing {
    let settings: MetricsSettings
    let loggedIn: (any LoggedInAgents)?
    let groupAHT: Double?

    var target: Double { settings.targets.phoneServiceLevel }
    var within: Double { settings.targets.phoneAnswerWithin }

    /// The local hours of [from, to): every hour whose span overlaps the period, in time order.
    static func hours(from: Date, to: Date, clock: LocalClock) -> [Int] {
        guard to > from else { return [] }
        var out: [Int] = []
        let first = clock.day(from), last = clock.day(to.addingTimeInterval(-0.001))
        guard last - first < 3660 else { return [] }
        for day in first...last {
            let midnight = clock.midnight(day: day)
            for h in 0..<24 {
                let start = midnight.addingTimeInterval(Double(h) * 3600)
                if start.addingTimeInterval(3600) > from && start < to { out.append(day * 24 + h) }
            }
        }
        return out
    }

    /// Monday-based week number of a local day (day 0, 1970-01-01, was a Thursday).
    static func week(_ day: Int) -> Int { LocalClock.floorDiv(day + 3, 7) }

    /// Erlang C's service level for a fractional number of agents: linear between the whole numbers around it.
    static func level(_ load: ErlangC, agents: Double, within: Double) -> Double {
        let lo = Int(agents.rounded(.down))
        let a = load.serviceLevel(agents: lo, answerWithin: within)
        let frac = agents - Double(lo)
        guard frac > 0 else { return a }
        return a + frac * (load.serviceLevel(agents: lo + 1, answerWithin: within) - a)
    }

    func grid(_ slots: [Int: SlotCalls], from: Date, to: Date) -> StaffingStats {
        let clock = LocalClock(timeZone: settings.timeZone)
        // Per weekday × hour (index weekday × 24 + hour), its hours in time order.
        var cellHours = [[Int]](repeating: [], count: 8 * 24)
        for slot in Self.hours(from: from, to: to, clock: clock) {
            let day = LocalClock.floorDiv(slot, 24)
            cellHours[BusinessCalendar.weekday(day) * 24 + (slot - day * 24)].append(slot)
        }
        var all = SlotCalls()
        for s in slots.values { all.add(s) }
        let patience = ErlangA.patience(abandoned: all.abandoned, waited: all.waited)
        var cells: [StaffingCell] = []
        var errors: [Double] = []
        var zeroHours = 0
        for w in 1...7 {
            for h in 0..<24 {
                let list = cellHours[w * 24 + h]
                guard !list.isEmpty else { continue }
                var sum = SlotCalls()
                var agentSum = 0.0, agentHours = 0
                for slot in list {
                    if let s = slots[slot] { sum.add(s) }
                    if let a = loggedIn?.agents(slot: slot) { agentSum += a; agentHours += 1 }
                }
                let logged = agentHours > 0 ? agentSum / Double(list.count) : nil
                guard sum.offered > 0 || (logged ?? 0) > 0 else { continue }
                let rate = Double(sum.offered) / Double(list.count)
                let aht = sum.answered > 0 ? sum.talk / Double(sum.answered) : groupAHT
                var cell = StaffingCell(weekday: w, hour: h, hours: list.count, offered: sum.offered, offeredPerHour: rate, aht: aht,
                                        erlangs: 0, loggedInAgents: logged,
                                        serviceLevel: sum.offered > 0 ? Double(sum.answeredWithin) / Double(sum.offered) : nil)
                if let aht {
                    let load = ErlangC(callsPerHour: rate, aht: aht)
                    cell.erlangs = load.erlangs
                    let n = load.agents(for: target, answerWithin: within)
                    cell.onPhones = n
                    cell.requiredAgents = ErlangC.rostered(n, shrinkage: settings.shrinkage)
                    if let logged, sum.offered > 0 { cell.predictedServiceLevel = Self.level(load, agents: logged, within: within) }
                    if let patience, sum.offered > 0 {
                        let impatient = ErlangA(callsPerHour: rate, aht: aht, patience: patience)
                        let na = impatient.agents(for: target, answerWithin: within)
                        cell.erlangARequiredAgents = ErlangC.rostered(na, shrinkage: settings.shrinkage)
                        cell.erlangAAbandonment = impatient.abandonment(agents: na)
                    }
                }
                let (cellErrors, zeros) = backtest(list, slots)
                zeroHours += zeros
                if !cellErrors.isEmpty {
                    cell.backtestMAPE = cellErrors.reduce(0, +) / Double(cellErrors.count)
                    cell.backtestWeeks = cellErrors.count
                    errors += cellErrors
                }
                cells.append(cell)
            }
        }
        return StaffingStats(cells: cells, backtestMAPE: errors.isEmpty ? nil : errors.reduce(0, +) / Double(errors.count),
                             backtestHours: errors.count, backtestZeroHours: zeroHours, patience: patience)
    }

    /// For each hour of a cell with calls and known logged-in agents: the forecast from the same cell's
    /// hours of earlier weeks (mean offered per hour, their AHT), Erlang C's level for the agents logged
    /// in that hour, and |actual − predicted| ÷ actual. Hours whose actual level is 0 are counted apart.
    func backtest(_ list: [Int], _ slots: [Int: SlotCalls]) -> (errors: [Double], zeros: Int) {
        var errors: [Double] = []
        var zeros = 0
        for (k, slot) in list.enumerated() {
            guard let actual = slots[slot], actual.offered > 0, let agents = loggedIn?.agents(slot: slot) else { continue }
            let week = Self.week(LocalClock.floorDiv(slot, 24))
            var prior = SlotCalls()
            var priorHours = 0
            for earlier in list[..<k] where Self.week(LocalClock.floorDiv(earlier, 24)) < week {
                priorHours += 1
                if let s = slots[earlier] { prior.add(s) }
            }
            guard priorHours > 0 else { continue }
            let level = Double(actual.answeredWithin) / Double(actual.offered)
            guard level > 0 else { zeros += 1; continue }
            guard let aht = prior.answered > 0 ? prior.talk / Double(prior.answered) : groupAHT else { continue }
            let load = ErlangC(callsPerHour: Double(prior.offered) / Double(priorHours), aht: aht)
            errors.append(abs(level - Self.level(load, agents: agents, within: within)) / level)
        }
        return (errors, zeros)
    }
}
