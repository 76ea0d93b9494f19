import Foundation
import Logging
import ServiceLifecycle
import SwitchboardCore

/// Writes webhook deliveries durably with group commit: every delivery waiting
/// when a write starts goes into the same store transaction (one per source),
/// and each waiting request resumes only after that transaction committed.
/// A store that takes several writes at once (``InteractionStore/concurrentWrites``,
/// PostgreSQL) gets that many writer loops, so one group is written while another
/// waits for its commit.
///
/// Run it as a `Service`; on graceful shutdown it commits what is queued, then
/// returns. Deliveries submitted after that fail with ``StoreError`` (the server answers 503).
public final class GroupCommitter: Service, @unchecked Sendable {
    /// One request's share of a group.
    struct Job {
        var source: String
        var interactions: [Interaction]
        var deadLetters: [DeadLetter]
        var continuation: CheckedContinuation<Void, any Error>
    }

    /// Totals of one source in one committed group.
    public struct SourceResult: Sendable {
        public var source: String
        public var requests: Int
        public var stored: Int
        public var duplicates: Int
        public var deadLetters: Int
    }

    private let store: any InteractionStore
    private let maxGroup: Int
    private let logger: Logger
    private let onCommit: @Sendable (SourceResult) -> Void
    private let lock = NSLock()
    private var pending: [Job] = []
    /// Writer loops waiting for work (one per ``InteractionStore/concurrentWrites``).
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var closed = false

    /// - Parameters:
    ///   - maxGroup: the most requests one transaction takes; the rest wait for the next one.
    ///   - onCommit: called after each committed source group (metrics).
    public init(store: any InteractionStore, maxGroup: Int = 2048, logger: Logger = Logger(label: "switchboard.commit"),
                onCommit: @escaping @Sendable (SourceResult) -> Void = { _ in }) {
        self.store = store
        self.maxGroup = maxGroup
        self.logger = logger
        self.onCommit = onCommit
    }

    /// Requests waiting for the next transaction.
    public var queued: Int { lock.withLock { pending.count } }

    /// Queues a delivery's records and returns once they are durably committed.
    /// - Throws: ``StoreError`` when the store failed or the committer has stopped.
    public func commit(source: String, interactions: [Interaction], deadLetters: [DeadLetter]) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            let job = Job(source: source, interactions: interactions, deadLetters: deadLetters, continuation: c)
            let (accepted, wake) = lock.withLock { () -> (Bool, CheckedContinuation<Void, Never>?) in
                if closed { return (false, nil) }
                pending.append(job)
                return (true, waiters.isEmpty ? nil : waiters.removeFirst())
            }
            if !accepted { c.resume(throwing: StoreError(.unavailable, "the server is shutting down")) }
            wake?.resume()
        }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            // One writer loop per write the store can take at once; each takes what is queued when it is free.
            await withDiscardingTaskGroup { loops in
                for _ in 0..<max(1, store.concurrentWrites) {
                    loops.addTask {
                        while let jobs = await self.nextGroup() {
                            await self.write(jobs)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            self.close()
        }
    }

    private func close() {
        let wake = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            closed = true
            defer { waiters = [] }
            return waiters
        }
        for w in wake { w.resume() }
    }

    /// The jobs queued now (waiting for at least one); nil once closed and drained.
    private func nextGroup() async -> [Job]? {
        while true {
            let taken = lock.withLock { () -> [Job]?? in
                if !pending.isEmpty {
                    let n = min(pending.count, maxGroup)
                    defer { pending.removeFirst(n) }
                    return .some(Array(pending.prefix(n)))
                }
                return closed ? .some(nil) : nil
            }
            if let taken { return taken }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let ready = lock.withLock { () -> Bool in
                    if !pending.isEmpty || closed { return true }
                    waiters.append(c)
                    return false
                }
                if ready { c.resume() }
            }
        }
    }

    private func write(_ jobs: [Job]) async {
        var order: [String] = []
        var bySource: [String: [Job]] = [:]
        for j in jobs {
            if bySource[j.source] == nil { order.append(j.source) }
            bySource[j.source, default: []].append(j)
        }
        for source in order {
            let group = bySource[source]!
            let batch = IngestBatch(source: source, interactions: group.flatMap(\.interactions),
                                    deadLetters: group.flatMap(\.deadLetters))
            do {
                let result = try await store.write(batch)
                onCommit(SourceResult(source: source, requests: group.count, stored: result.stored,
                                      duplicates: result.duplicates, deadLetters: batch.deadLetters.count))
                for j in group { j.continuation.resume() }
            } catch {
                logger.error("webhook commit failed", metadata: ["connector.source": "\(source)", "error": "\(error)"])
                for j in group { j.continuation.resume(throwing: error) }
            }
        }
    }
}
