import Foundation
import SwitchboardCore
import SwitchboardScan

/// Which stage of `phone.stages` a call reached, by the ``MetricsScan/names`` numbers of its context, last
/// application and queue: the latest stage listing any of them; `agent` (after every configured stage) when
/// answered; -1 when none matches. Built once per report from the calls' distinct numbers.
struct StageMatcher: Sendable {
    let names: [String]
    /// Per name number: the latest stage listing it as a context / an application / a queue.
    private let byContext: [Int32: Int]
    private let byApp: [Int32: Int]
    private let byQueue: [Int32: Int]
    /// The latest stage whose apps include `Queue`: every call with a queue reaches it.
    private let queueApp: Int

    /// The stages of the calls in `only` (nil: every conversation).
    init(stages: [PhoneStage], data: Dataset, only: [Range<Int>]? = nil) {
        names = stages.map(\.name) + [PhoneStage.agentName]
        var contexts = Set<Int32>(), apps = Set<Int32>(), queues = Set<Int32>()
        // Read in place: copying each conversation costs more than the look.
        data.conversations.withUnsafeBufferPointer { convs in
            var last: (Int32, Int32, Int32) = (-1, -1, -1)
            for i in (only ?? [convs.indices]).joined() {
                guard let call = convs[i].call else { continue }
                if call.context >= 0 && call.context != last.0 { contexts.insert(call.context); last.0 = call.context }
                if call.app >= 0 && call.app != last.1 { apps.insert(call.app); last.1 = call.app }
                if call.queue >= 0 && call.queue != last.2 { queues.insert(call.queue); last.2 = call.queue }
            }
        }
        func latest(_ ids: Set<Int32>, _ listed: (PhoneStage, String) -> Bool) -> [Int32: Int] {
            var out: [Int32: Int] = [:]
            for id in ids {
                let text = data.tables.names.string(id)
                if let i = stages.lastIndex(where: { listed($0, text) }) { out[id] = i }
            }
            return out
        }
        byContext = latest(contexts) { $0.contexts.contains($1) }
        byApp = latest(apps) { s, app in s.apps.contains { $0.caseInsensitiveCompare(app) == .orderedSame } }
        byQueue = latest(queues) { $0.queues.contains($1) }
        queueApp = stages.lastIndex { $0.apps.contains { $0.caseInsensitiveCompare("Queue") == .orderedSame } } ?? -1
    }

    var agent: Int { names.count - 1 }

    /// The index of the stage the call reached (``agent`` when answered), -1 for none.
    func reached(_ call: Conversation.Call) -> Int {
        if call.outcome == .answered { return agent }
        var r = -1
        if call.context >= 0, let i = byContext[call.context] { r = max(r, i) }
        if call.app >= 0, let i = byApp[call.app] { r = max(r, i) }
        if call.queue >= 0 {
            if let i = byQueue[call.queue] { r = max(r, i) }
            r = max(r, queueApp)
        }
        return r
    }

    /// Whether a call that reached a stage hung up there (rather than being sent away by the PBX).
    static func isAbandon(_ o: CallOutcome) -> Bool { o == .abandoned || o == .shortAbandon || o == .ivr }
}

/// The call-stage funnel of a group (``PhoneStageStats``).
struct StagePart: KPIPart {
    /// Per stage (the configured ones, then `agent`); empty until the first call.
    var entered: [Int] = [], abandoned: [Int] = [], shortAbandoned: [Int] = [], ended: [Int] = []
    var waits: [[Double]] = []
    var positions: [[Int: Int]] = []
    /// stage × 24 + hour; stage × 8 + weekday.
    var enteredByHour: [Int] = [], abandonedByHour: [Int] = []
    var enteredByWeekday: [Int] = [], abandonedByWeekday: [Int] = []
    var unstaged = 0, unstagedAbandoned = 0, ivr = 0
    var hasCalls = false

    mutating func size(_ n: Int) {
        guard entered.count != n else { return }
        entered = Array(repeating: 0, count: n); abandoned = entered; shortAbandoned = entered; ended = entered
        waits = Array(repeating: [], count: n); positions = Array(repeating: [:], count: n)
        enteredByHour = Array(repeating: 0, count: n * 24); abandonedByHour = enteredByHour
        enteredByWeekday = Array(repeating: 0, count: n * 8); abandonedByWeekday = enteredByWeekday
    }

    /// An inbound call opened in the period that reached stage `reached` of `stages` (-1: none).
    mutating func add(_ call: Conversation.Call, reached: Int, stages: Int, hour: Int, weekday: Int) {
        hasCalls = true
        size(stages)
        if call.outcome == .ivr { ivr += 1 }
        let gaveUp = StageMatcher.isAbandon(call.outcome)
        guard reached >= 0 else {
            unstaged += 1
            if gaveUp { unstagedAbandoned += 1 }
            return
        }
        for s in 0...reached {
            entered[s] += 1
            enteredByHour[s * 24 + hour] += 1
            enteredByWeekday[s * 8 + weekday] += 1
        }
        ended[reached] += 1
        guard gaveUp else { return }
        abandoned[reached] += 1
        if call.outcome == .shortAbandon { shortAbandoned[reached] += 1 }
        abandonedByHour[reached * 24 + hour] += 1
        abandonedByWeekday[reached * 8 + weekday] += 1
        if let w = call.waitSeconds ?? call.durationSeconds { waits[reached].append(w) }
        if call.exitPosition > 0 { positions[reached][Int(call.exitPosition), default: 0] += 1 }
    }

    mutating func compact() { for i in waits.indices { exact(&waits[i]) } }

    mutating func merge(_ o: StagePart) {
        hasCalls = hasCalls || o.hasCalls
        unstaged += o.unstaged; unstagedAbandoned += o.unstagedAbandoned; ivr += o.ivr
        guard !o.entered.isEmpty else { return }
        size(o.entered.count)
        func add(_ a: inout [Int], _ b: [Int]) { for i in a.indices { a[i] += b[i] } }
        add(&entered, o.entered); add(&abandoned, o.abandoned); add(&shortAbandoned, o.shortAbandoned); add(&ended, o.ended)
        add(&enteredByHour, o.enteredByHour); add(&abandonedByHour, o.abandonedByHour)
        add(&enteredByWeekday, o.enteredByWeekday); add(&abandonedByWeekday, o.abandonedByWeekday)
        for s in waits.indices {
            waits[s] += o.waits[s]
            for (p, n) in o.positions[s] { positions[s][p, default: 0] += n }
        }
    }

    func finish(into g: inout GroupMetrics, _ c: FinishContext) {
        guard hasCalls else { return }
        let names = c.settings.stages.map(\.name) + [PhoneStage.agentName]
        var out: [PhoneStageStats.Stage] = []
        for (s, name) in names.enumerated() {
            var st = PhoneStageStats.Stage(name: name)
            if s < entered.count {
                st.entered = entered[s]; st.abandoned = abandoned[s]; st.shortAbandoned = shortAbandoned[s]; st.ended = ended[s]
                st.abandonRate = entered[s] > 0 ? Double(abandoned[s]) / Double(entered[s]) : nil
                if !waits[s].isEmpty {
                    let sorted = DoubleSort.sorted(waits[s])
                    st.abandonWaitMedian = DurationStats.nearestRank(sorted, 0.5)
                    st.abandonWaitP90 = DurationStats.nearestRank(sorted, 0.9)
                }
                st.abandonedPositions = positions[s]
                for h in 0..<24 {
                    if enteredByHour[s * 24 + h] > 0 { st.enteredByHour[h] = enteredByHour[s * 24 + h] }
                    if abandonedByHour[s * 24 + h] > 0 { st.abandonedByHour[h] = abandonedByHour[s * 24 + h] }
                }
                for w in 1...7 {
                    if enteredByWeekday[s * 8 + w] > 0 { st.enteredByWeekday[w] = enteredByWeekday[s * 8 + w] }
                    if abandonedByWeekday[s * 8 + w] > 0 { st.abandonedByWeekday[w] = abandonedByWeekday[s * 8 + w] }
                }
            }
            out.append(st)
        }
        g.phoneStages = PhoneStageStats(stages: out, unstaged: unstaged, unstagedAbandoned: unstagedAbandoned, ivr: ivr)
    }
}
