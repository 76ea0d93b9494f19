import Foundation

/// The Erlang A queueing model (M/M/N+M): Erlang C plus callers who give up after an exponentially
/// distributed patience, as callers really do. With short patience fewer agents reach a target than
/// Erlang C says, because some callers leave the queue (they count as not answered in time).
///
/// ```swift
/// let model = ErlangA(callsPerHour: 200, aht: 180, patience: 120)
/// model.serviceLevel(agents: 13, answerWithin: 20)    // answered within 20 s ÷ offered
/// model.abandonment(agents: 13)                        // share of callers who give up
/// ```
public struct ErlangA: Sendable, Hashable {
    public var callsPerHour: Double
    /// Average handling time in seconds.
    public var aht: Double
    /// Mean patience in seconds (how long callers wait before giving up, on average).
    public var patience: Double

    public init(callsPerHour: Double, aht: Double, patience: Double) {
        self.callsPerHour = callsPerHour
        self.aht = aht
        self.patience = patience
    }

    /// The mean patience estimated from calls: total time callers spent waiting (answered, abandoned and
    /// timed-out calls alike) ÷ callers who gave up — the maximum-likelihood estimate of an exponential
    /// patience when answered calls only say "patient at least this long". nil without an abandon.
    public static func patience(abandoned: Int, waited: Double) -> Double? {
        abandoned > 0 && waited > 0 ? waited / Double(abandoned) : nil
    }

    /// What an arriving caller finds with `agents` agents: the probability that an agent is free, and
    /// per number of callers already queued ahead (0, 1, …) its probability.
    func arrival(agents n: Int) -> (free: Double, queued: [Double]) {
        let lambda = callsPerHour / 3600, mu = 1 / aht, theta = 1 / patience
        // Birth-death chain: up at λ, down at min(k, N)·μ + max(k − N, 0)·θ. Terms relative to state 0;
        // π(N + j) = π(N) · Π λ / (N·μ + i·θ). The queue is followed until what is left is negligible
        // (at most 2,000 places: beyond, nobody is answered within any sensible target).
        // Terms reach Aᴺ/N!, which overflows a Double from about 700 Erlangs: every term kept so far is scaled
        // down together whenever one grows large (only their ratios matter).
        let big = 1e200
        var freeSum = 0.0
        var term = 1.0
        for k in 0..<n {
            freeSum += term
            term *= lambda / (Double(k + 1) * mu)
            if term > big { term /= big; freeSum /= big }
        }
        var ahead = [term]
        var total = freeSum + term
        var j = 0
        while j < 2_000 {
            term *= lambda / (Double(n) * mu + Double(j + 1) * theta)
            j += 1
            if term > big {
                term /= big; freeSum /= big; total /= big
                for i in ahead.indices { ahead[i] /= big }
            }
            ahead.append(term)
            total += term
            if term < 1e-13 * total && Double(n) * mu + Double(j) * theta > lambda { break }
        }
        // States 0…N−1: an agent is free; state N + j: j callers queued ahead of the newcomer.
        return (freeSum / total, ahead.map { $0 / total })
    }

    /// The share of callers answered within `t` seconds: those who find an agent free, plus those who reach
    /// an agent within `t` before their patience runs out. A caller with j callers ahead moves up at
    /// N·μ + j·θ (an answer or a give-up ahead) and leaves at θ; the probabilities of the callers still
    /// waiting are integrated over [0, t] (fourth-order Runge–Kutta, steps well inside its stability).
    public func serviceLevel(agents n: Int, answerWithin t: Double) -> Double {
        guard callsPerHour > 0 else { return 1 }
        guard n > 0, aht > 0 else { return 0 }
        guard patience > 0 else { return arrival(agents: n).free }
        let (free, ahead) = arrival(agents: n)
        let mu = 1 / aht, theta = 1 / patience, nm = Double(n) * mu
        let count = ahead.count
        let fastest = nm + Double(count) * theta + theta
        let steps = max(100, Int((t * fastest).rounded(.up)))
        let h = t / Double(steps)
        func derivative(_ q: [Double]) -> (dq: [Double], served: Double) {
            var d = [Double](repeating: 0, count: count)
            for j in 0..<count {
                // Leaves stage j at its move-up rate (nm + jθ) plus its own give-up (θ); stage j + 1 moves into it.
                d[j] = -(nm + Double(j) * theta + theta) * q[j]
                if j + 1 < count { d[j] += (nm + Double(j + 1) * theta) * q[j + 1] }
            }
            return (d, nm * q[0])
        }
        var q = ahead
        var served = 0.0
        for _ in 0..<steps {
            let k1 = derivative(q)
            let k2 = derivative(zip(q, k1.dq).map { $0 + h / 2 * $1 })
            let k3 = derivative(zip(q, k2.dq).map { $0 + h / 2 * $1 })
            let k4 = derivative(zip(q, k3.dq).map { $0 + h * $1 })
            for j in 0..<count { q[j] += h / 6 * (k1.dq[j] + 2 * k2.dq[j] + 2 * k3.dq[j] + k4.dq[j]) }
            served += h / 6 * (k1.served + 2 * k2.served + 2 * k3.served + k4.served)
        }
        return min(1, free + served)
    }

    /// The share of callers who give up: the rate of give-ups (θ × mean queue length) ÷ the arrival rate.
    public func abandonment(agents n: Int) -> Double {
        guard callsPerHour > 0, patience > 0 else { return 0 }
        let (_, ahead) = arrival(agents: n)
        // In state N + j, j callers wait; arrivals see time averages (PASTA): mean queue = Σ j·P(N + j).
        var queue = 0.0
        for (j, p) in ahead.enumerated() { queue += Double(j) * p }
        return queue / patience / (callsPerHour / 3600)
    }

    /// The fewest agents whose service level reaches `target` (0 without load). The level rises with
    /// every agent; the search starts at Erlang C's answer (callers giving up only make the queue shorter)
    /// and moves down while one fewer still reaches the target, up while it is not reached.
    public func agents(for target: Double, answerWithin t: Double) -> Int {
        guard callsPerHour > 0, aht > 0 else { return 0 }
        var n = max(1, ErlangC(callsPerHour: callsPerHour, aht: aht).agents(for: target, answerWithin: t))
        while n < 10_000 && serviceLevel(agents: n, answerWithin: t) < target { n += 1 }
        while n > 1 && serviceLevel(agents: n - 1, answerWithin: t) >= target { n -= 1 }
        return n
    }
}
