import Foundation

/// The Erlang C queueing model (M/M/N: Poisson arrivals, exponential handling times, callers wait
/// without giving up) for staffing a phone queue.
///
/// ```swift
/// let load = ErlangC(callsPerHour: 200, aht: 180)          // 10 Erlangs
/// load.serviceLevel(agents: 14, answerWithin: 20)           // ≈ 0.888
/// load.agents(for: 0.80, answerWithin: 20)                  // 14
/// ```
public struct ErlangC: Sendable, Hashable {
    /// Offered load in Erlangs: arrival rate × average handling time.
    public var erlangs: Double
    /// Average handling time in seconds.
    public var aht: Double

    /// - Parameters:
    ///   - callsPerHour: arrival rate (calls offered per hour).
    ///   - aht: average handling time in seconds.
    public init(callsPerHour: Double, aht: Double) {
        self.aht = aht
        erlangs = callsPerHour * aht / 3600
    }

    /// The probability that a caller waits at all with `agents` agents (1 when agents ≤ load: the queue grows).
    /// Computed from the Erlang B recursion B(n) = A·B(n−1) / (n + A·B(n−1)), which stays exact for large
    /// loads where powers and factorials overflow; then C = N·B / (N − A·(1 − B)).
    public func waitProbability(agents: Int) -> Double {
        let a = erlangs
        guard a > 0 else { return 0 }
        guard Double(agents) > a else { return 1 }
        var b = 1.0
        for n in 1...agents { b = a * b / (Double(n) + a * b) }
        let n = Double(agents)
        return n * b / (n - a * (1 - b))
    }

    /// The share of callers answered within `answerWithin` seconds: 1 − C · e^(−(N − A)·t / AHT).
    public func serviceLevel(agents: Int, answerWithin t: Double) -> Double {
        guard erlangs > 0 else { return 1 }
        guard Double(agents) > erlangs, aht > 0 else { return 0 }
        return 1 - waitProbability(agents: agents) * exp(-(Double(agents) - erlangs) * t / aht)
    }

    /// Average speed of answer in seconds: C · AHT / (N − A); nil when the queue grows without bound.
    public func asa(agents: Int) -> Double? {
        guard Double(agents) > erlangs else { return erlangs > 0 ? nil : 0 }
        return waitProbability(agents: agents) * aht / (Double(agents) - erlangs)
    }

    /// The fewest agents on the phones whose service level reaches `target` (0 without load).
    public func agents(for target: Double, answerWithin t: Double) -> Int {
        guard erlangs > 0, aht > 0 else { return 0 }
        var n = max(1, Int(erlangs.rounded(.down)) + 1)
        // The service level rises with every agent towards 1; a target of 1 is met only in the limit,
        // so the search stops where the level no longer changes in double precision.
        while serviceLevel(agents: n, answerWithin: t) < min(target, 1 - 1e-12) && n < 100_000 { n += 1 }
        return n
    }

    /// Agents to roster when a share `shrinkage` of their time is lost to breaks, meetings and absence:
    /// ⌈on-phone agents ÷ (1 − shrinkage)⌉.
    public static func rostered(_ onPhones: Int, shrinkage: Double) -> Int {
        guard onPhones > 0 else { return 0 }
        let available = max(1e-9, 1 - shrinkage)
        return Int((Double(onPhones) / available - 1e-9).rounded(.up))
    }
}
