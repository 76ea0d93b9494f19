import Foundation

/// Rows of calls still being collected, grouped by call key in arrival order.
///
/// A call is complete once the clock (the file's newest leg end on import, the
/// wall clock in pull mode) has passed its last leg's end by the settle window.
struct LegGroups<Key: Hashable, Leg> {
    private var groups: [Key: (seq: Int, lastEnd: Double, legs: [Leg])] = [:]
    private var nextSeq = 0

    var isEmpty: Bool { groups.isEmpty }
    var count: Int { groups.count }

    mutating func add(_ leg: Leg, key: Key, end: Double) {
        if let i = groups.index(forKey: key) {
            // In place: no copy of the group's legs.
            groups.values[i].legs.append(leg)
            groups.values[i].lastEnd = max(groups.values[i].lastEnd, end)
        } else {
            groups[key] = (nextSeq, end, [leg])
            nextSeq += 1
        }
    }

    func contains(_ key: Key) -> Bool { groups[key] != nil }

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
