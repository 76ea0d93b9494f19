import Foundation
@testable import SwitchboardMetrics
import Testing

/// Erlang A (callers who give up) against Erlang C in its limit and against a simulation of the queue.
@Suite("Erlang A")
struct ErlangATests {
    /// SplitMix64: a small seeded generator, so the simulation is the same on every run.
    struct Random {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return (Double(z >> 11) + 0.5) / Double(1 << 53)
        }
        mutating func exponential(mean: Double) -> Double { -log(next()) * mean }
    }

    /// An independent reading of the model: callers arrive (Poisson), are served first come first served by
    /// `agents` agents (exponential handling) and give up when their own exponential patience runs out
    /// before an agent is free for them. Each caller, in arrival order, takes the agent free first; the
    /// time until then is the wait they would need, compared with their patience. Returns the share
    /// answered within `t` and the share who gave up.
    static func simulate(agents: Int, callsPerHour: Double, aht: Double, patience: Double, within t: Double,
                         callers: Int, seed: UInt64) -> (level: Double, abandoned: Double) {
        var random = Random(state: seed)
        var free = [Double](repeating: 0, count: agents)
        var clock = 0.0
        var inTime = 0, gaveUp = 0
        for _ in 0..<callers {
            clock += random.exponential(mean: 3600 / callsPerHour)
            let patient = random.exponential(mean: patience)
            var first = 0
            for k in 1..<agents where free[k] < free[first] { first = k }
            let wait = max(0, free[first] - clock)
            if wait > patient {
                gaveUp += 1
                continue
            }
            if wait <= t { inTime += 1 }
            free[first] = clock + wait + random.exponential(mean: aht)
        }
        return (Double(inTime) / Double(callers), Double(gaveUp) / Double(callers))
    }

    @Test func withEndlessPatienceItIsErlangC() {
        // The textbook case of ErlangCTests (10 Erlangs, 20 s): patience of 10⁷ s is no patience limit at all.
        let a = ErlangA(callsPerHour: 200, aht: 180, patience: 1e7)
        #expect(abs(a.serviceLevel(agents: 14, answerWithin: 20) - 0.888) < 0.001)
        #expect(abs(a.serviceLevel(agents: 13, answerWithin: 20) - 0.796) < 0.001)
        #expect(a.agents(for: 0.8, answerWithin: 20) == 14)
        #expect(a.abandonment(agents: 14) < 1e-4)
    }

    @Test(arguments: [(13, 120.0), (11, 60.0), (9, 300.0)])
    func agreesWithASimulationOfTheQueue(agents: Int, patience: Double) {
        let model = ErlangA(callsPerHour: 200, aht: 180, patience: patience)
        let sim = Self.simulate(agents: agents, callsPerHour: 200, aht: 180, patience: patience, within: 20, callers: 300_000, seed: 7)
        #expect(abs(model.serviceLevel(agents: agents, answerWithin: 20) - sim.level) < 0.01, "model vs simulation, N=\(agents)")
        #expect(abs(model.abandonment(agents: agents) - sim.abandoned) < 0.01, "N=\(agents)")
    }

    @Test func largeLoadsStayFinite() {
        // 800 Erlangs (16,000 calls an hour, AHT 180 s): Aᴺ/N! is near e^780, beyond a Double. With near-endless
        // patience the model is Erlang C again (which uses the overflow-free Erlang B recursion).
        let a = ErlangA(callsPerHour: 16_000, aht: 180, patience: 1e7)
        let c = ErlangC(callsPerHour: 16_000, aht: 180)
        for n in [805, 820, 840] {
            let level = a.serviceLevel(agents: n, answerWithin: 20)
            #expect(level.isFinite && abs(level - c.serviceLevel(agents: n, answerWithin: 20)) < 0.002, "N=\(n)")
            #expect(a.abandonment(agents: n).isFinite, "N=\(n)")
        }
        #expect(abs(a.agents(for: 0.8, answerWithin: 20) - c.agents(for: 0.8, answerWithin: 20)) <= 1)
    }

    @Test func impatientCallersNeedFewerAgentsThanErlangCSays() {
        // 10 Erlangs again, callers giving up after 60 s on average: the queue empties itself, so fewer than
        // Erlang C's 14 agents reach 80 % in 20 s; and even 9 agents (below the load) keep a finite queue.
        let a = ErlangA(callsPerHour: 200, aht: 180, patience: 60)
        let n = a.agents(for: 0.8, answerWithin: 20)
        #expect(n <= 14 && n >= 11)
        #expect(a.serviceLevel(agents: n, answerWithin: 20) >= 0.8 && a.serviceLevel(agents: n - 1, answerWithin: 20) < 0.8)
        #expect(a.abandonment(agents: 9) > 0.1 && a.abandonment(agents: 9) < 1)
        #expect(ErlangA.patience(abandoned: 4, waited: 480) == 120)
        #expect(ErlangA.patience(abandoned: 0, waited: 480) == nil)
    }
}
