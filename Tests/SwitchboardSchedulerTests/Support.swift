import Foundation
import SwitchboardCore
import SwitchboardScheduler

/// A clock that moves only when the test says so. `sleep(until:)` suspends until the test
/// advances past the deadline; tests wait for the scheduler's loops to be asleep before
/// advancing, so nothing depends on real time.
final class ManualClock: SchedulerClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    private var sleepers: [UInt64: (deadline: Date, continuation: CheckedContinuation<Void, any Error>)] = [:]
    private var watchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var nextID: UInt64 = 0

    init(_ start: Date) { current = start }

    func now() -> Date { lock.withLock { current } }

    func sleep(until deadline: Date) async throws {
        let id: UInt64 = lock.withLock {
            nextID += 1
            return nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                var outcome: Result<Void, any Error>?
                var woken: [CheckedContinuation<Void, Never>] = []
                lock.withLock {
                    if Task.isCancelled { outcome = .failure(CancellationError()) }
                    else if deadline <= current { outcome = .success(()) }
                    else {
                        sleepers[id] = (deadline, c)
                        woken = takeSatisfiedWatchers()
                    }
                }
                if let outcome { c.resume(with: outcome) }
                for w in woken { w.resume() }
            }
        } onCancel: {
            let s = lock.withLock { sleepers.removeValue(forKey: id) }
            s?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Number of tasks asleep on this clock.
    var sleeping: Int { lock.withLock { sleepers.count } }

    /// The earliest deadline of a sleeper.
    var nextDeadline: Date? { lock.withLock { sleepers.values.map(\.deadline).min() } }

    /// Returns once at least `count` tasks are asleep on this clock.
    func waitForSleepers(_ count: Int) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let ready: Bool = lock.withLock {
                if sleepers.count >= count { return true }
                watchers.append((count, c))
                return false
            }
            if ready { c.resume() }
        }
    }

    /// Moves time to `date`, waking every sleeper whose deadline has come.
    func advance(to date: Date) {
        let due: [CheckedContinuation<Void, any Error>] = lock.withLock {
            current = max(current, date)
            let ids = sleepers.filter { $0.value.deadline <= current }.map(\.key)
            return ids.compactMap { sleepers.removeValue(forKey: $0)?.continuation }
        }
        for c in due { c.resume() }
    }

    func advance(by seconds: Double) { advance(to: now().addingTimeInterval(seconds)) }

    private func takeSatisfiedWatchers() -> [CheckedContinuation<Void, Never>] {
        let ready = watchers.filter { sleepers.count >= $0.count }.map(\.continuation)
        watchers.removeAll { sleepers.count >= $0.count }
        return ready
    }
}

/// Every scheduler event, with a way to wait until they satisfy a condition.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [SchedulerEvent] = []
    private var waiters: [(predicate: @Sendable ([SchedulerEvent]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []

    func append(_ event: SchedulerEvent) {
        let ready: [CheckedContinuation<Void, Never>] = lock.withLock {
            events.append(event)
            let all = events
            let r = waiters.filter { $0.predicate(all) }.map(\.continuation)
            waiters.removeAll { $0.predicate(all) }
            return r
        }
        for c in ready { c.resume() }
    }

    var all: [SchedulerEvent] { lock.withLock { events } }

    /// Returns once the events so far satisfy `predicate`.
    func wait(until predicate: @escaping @Sendable ([SchedulerEvent]) -> Bool) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let ready: Bool = lock.withLock {
                if predicate(events) { return true }
                waiters.append((predicate, c))
                return false
            }
            if ready { c.resume() }
        }
    }

    /// Waits for the `n`-th finished run of `source` and returns it.
    func finished(_ source: String, count n: Int) async -> RunStatus {
        await wait { $0.finishedRuns(source).count >= n }
        return all.finishedRuns(source)[n - 1]
    }

    /// Waits until `source` has been scheduled `n` times and returns the `n`-th due date.
    func scheduled(_ source: String, count n: Int) async -> Date {
        await wait { $0.scheduledTimes(source).count >= n }
        return all.scheduledTimes(source)[n - 1]
    }
}

extension [SchedulerEvent] {
    func finishedRuns(_ source: String) -> [RunStatus] {
        var out: [RunStatus] = []
        for case .finished(let name, let run) in self where name == source { out.append(run) }
        return out
    }

    func scheduledTimes(_ source: String) -> [Date] {
        var out: [Date] = []
        for case .scheduled(let name, let at) in self where name == source { out.append(at) }
        return out
    }

    func starts(_ source: String) -> Int {
        var n = 0
        for case .started(let name) in self where name == source { n += 1 }
        return n
    }
}

/// A latch a pull waits on until the test opens it; `reached` tells the test the pull got there.
final class Gate: @unchecked Sendable {
    let opened = StopSignal()
    let reached = StopSignal()

    func pass() async {
        reached.trigger()
        await opened.wait()
    }

    func open() { opened.trigger() }
}

/// What a ``ScriptedSource`` does on each pull, in order (the last step repeats).
enum Step: Sendable {
    /// Stores `records` new interactions, one checkpoint after each `perCheckpoint`.
    case succeed(records: Int, perCheckpoint: Int = 1000)
    /// Throws a network error.
    case fail(String)
    /// Stores `records` (committed), then the origin throttles: a `.throttled` error asking for `retryAfter` seconds.
    case throttle(records: Int, retryAfter: Double?)
    /// Stores `before` records with a checkpoint, waits at the gate, then stores `after` more in
    /// chunks of 3 with a checkpoint after each chunk.
    case hold(Gate, before: Int, after: Int)
}

/// A pull source that follows a script: the scheduler's real pull path runs it against a
/// real (in-memory) store. Its checkpoint counts records delivered so far.
struct ScriptedSource: PullSource {
    struct Settings: Decodable, Sendable {}
    static let kind = "scripted"
    static let summary = "test source following a script"
    static let settings: [SettingSpec] = []

    final class Script: @unchecked Sendable {
        private let lock = NSLock()
        private var steps: [Step]
        private(set) var calls = 0
        private(set) var running = 0
        private(set) var maxConcurrent = 0
        init(_ steps: [Step]) { self.steps = steps }

        func begin() -> Step {
            lock.withLock {
                calls += 1
                running += 1
                maxConcurrent = max(maxConcurrent, running)
                return steps.count > 1 ? steps.removeFirst() : steps[0]
            }
        }

        func end() { lock.withLock { running -= 1 } }

        func replace(_ new: [Step]) { lock.withLock { steps = new } }
    }

    let name: String
    let script: Script

    init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        script = Script([.succeed(records: 0)])
    }

    init(name: String, _ steps: [Step]) {
        self.name = name
        script = Script(steps)
    }

    func pull(from checkpoint: Checkpoint?, into sink: any IngestSink) async throws {
        let step = script.begin()
        defer { script.end() }
        var position = try checkpoint?.decode(Int.self) ?? 0
        /// `n` records, a checkpoint after every `per` of them and after the last.
        func deliver(_ n: Int, per: Int) async throws {
            var sinceCheckpoint = 0
            for _ in 0..<n {
                try await sink.accept(record(position))
                position += 1
                sinceCheckpoint += 1
                if sinceCheckpoint == per {
                    try await sink.checkpoint(Checkpoint(source: name, encoding: position))
                    sinceCheckpoint = 0
                }
            }
            if sinceCheckpoint > 0 || n == 0 { try await sink.checkpoint(Checkpoint(source: name, encoding: position)) }
        }
        switch step {
        case .succeed(let n, let per): try await deliver(n, per: per)
        case .fail(let message): throw ConnectorError(.network, "\(name): \(message)")
        case .throttle(let n, let wait):
            try await deliver(n, per: max(n, 1))
            var e = ConnectorError(.throttled, "\(name): too many simultaneous connections")
            e.retryAfter = wait
            throw e
        case .hold(let gate, let before, let after):
            try await deliver(before, per: max(before, 1))
            await gate.pass()
            try await deliver(after, per: 3)
        }
    }

    func record(_ n: Int) -> Interaction {
        Interaction(source: name, externalId: "\(name)-\(n)", channel: .chat, platform: "test", conversationKey: "c\(n / 5)",
                    kind: .message, direction: .inbound, actorRole: .customer, customerKey: "cust-\(n % 7)",
                    occurredAt: Date(timeIntervalSince1970: 1_772_000_000 + Double(n) * 60), text: "message \(n)",
                    provenance: "test:\(name)#\(n)")
    }
}
