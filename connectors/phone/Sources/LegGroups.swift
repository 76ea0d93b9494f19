import Foundation

/// Rows of calls still being collected, grouped by call key in arrival order.
///
/// A call is complete once the clock (the file's newest leg end on import, the
/// wall clock in pull mode) has passed its last leg's end by the settle window.
struct LegGroups<Leg> {
    private var groups: [String: (seq: Int, lastEnd: Double, legs: [Leg])] = [:]
    private var nextSeq = 0

    var isEmpty: Bool { groups.isEmpty }
    var count: Int { groups.count }

    mutating func add(_ leg: Leg, key: String, end: Double) {
        if var g = groups[key] {
            g.legs.append(leg)
            g.lastEnd = max(g.lastEnd, end)
            groups[key] = g
        } else {
            groups[key] = (nextSeq, end, [leg])
            nextSeq += 1
        }
    }

    func contains(_ key: String) -> Bool { groups[key] != nil }

    /// Removes and returns, in arrival order, the groups whose last leg ended at or before `horizon`.
    mutating func drain(endedBy horizon: Double) -> [[Leg]] {
        let ready = groups.filter { $0.value.lastEnd <= horizon }
        guard !ready.isEmpty else { return [] }
        for k in ready.keys { groups.removeValue(forKey: k) }
        return ready.values.sorted { $0.seq < $1.seq }.map(\.legs)
    }

    /// Removes and returns the groups for which `isDone` holds, in arrival order.
    mutating func drain(where isDone: ([Leg]) -> Bool) -> [[Leg]] {
        let ready = groups.filter { isDone($0.value.legs) }
        guard !ready.isEmpty else { return [] }
        for k in ready.keys { groups.removeValue(forKey: k) }
        return ready.values.sorted { $0.seq < $1.seq }.map(\.legs)
    }

    /// Removes and returns every group, in arrival order.
    mutating func drainAll() -> [[Leg]] { drain(endedBy: .infinity) }

    /// Every leg still held, groups in arrival order (for checkpoints).
    var pendingLegs: [Leg] { groups.values.sorted { $0.seq < $1.seq }.flatMap(\.legs) }
}
