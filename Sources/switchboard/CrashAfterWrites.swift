import Foundation
import SwitchboardCore
import SwitchboardScan

/// Crash-recovery test hooks, set in the environment and never in normal use:
///
/// - `SWITCHBOARD_TEST_CRASH_AFTER_BATCHES=N`: the process kills itself with SIGKILL right after the store
///   committed its N-th batch, while the connector has already read ahead. It makes "killed in the middle
///   of an ingest" reproducible whatever the machine's speed.
/// - `SWITCHBOARD_TEST_SIGTERM_AFTER_BATCHES=N` (scheduled pulls of `serve`) sends SIGTERM once instead, so a
///   graceful shutdown lands in the middle of a pull.
/// - `SWITCHBOARD_TEST_CRASH_TOKEN=PATH` (scheduled pulls of `serve`): after committing a batch that holds
///   interactions, the process deletes PATH and, when it was the one that deleted it, kills itself with
///   SIGKILL. Several instances sharing a store can all carry the variable: exactly one of them — the one
///   pulling when the test creates the file — dies, in the middle of its pull.
final class CrashAfterWrites: MetricsStore, @unchecked Sendable {
    static let variable = "SWITCHBOARD_TEST_CRASH_AFTER_BATCHES"
    static let termVariable = "SWITCHBOARD_TEST_SIGTERM_AFTER_BATCHES"
    static let tokenVariable = "SWITCHBOARD_TEST_CRASH_TOKEN"

    enum Trigger {
        /// `signal` after the `limit`-th batch (SIGKILL: also after any later one).
        case count(limit: Int, signal: Int32)
        /// SIGKILL after a batch with interactions, when this process removed the file at `path`.
        case token(path: String)
    }

    /// The store itself, or the store wrapped when the variable is set to a positive number.
    static func wrap(_ store: any MetricsStore, variable: String = variable) -> any MetricsStore {
        guard let value = ProcessInfo.processInfo.environment[variable], let limit = Int(value), limit > 0 else {
            return store
        }
        return CrashAfterWrites(inner: store, trigger: .count(limit: limit, signal: variable == termVariable ? SIGTERM : SIGKILL))
    }

    /// The store of `serve`'s scheduled pulls, with the SIGTERM and crash-token hooks when they are set.
    static func wrapScheduled(_ store: any MetricsStore) -> any MetricsStore {
        let wrapped = wrap(store, variable: termVariable)
        guard let path = ProcessInfo.processInfo.environment[tokenVariable], !path.isEmpty else { return wrapped }
        return CrashAfterWrites(inner: wrapped, trigger: .token(path: path))
    }

    private let inner: any MetricsStore
    private let trigger: Trigger
    private let lock = NSLock()
    private var writes = 0

    private init(inner: any MetricsStore, trigger: Trigger) {
        self.inner = inner
        self.trigger = trigger
    }

    func write(_ batch: IngestBatch) async throws -> IngestBatchResult {
        let result = try await inner.write(batch)
        let count = lock.withLock { writes += 1; return writes }
        switch trigger {
        case .count(let limit, let signal):
            if count == limit || (count > limit && signal == SIGKILL) { kill(getpid(), signal) }
        case .token(let path):
            if !batch.interactions.isEmpty && unlink(path) == 0 { kill(getpid(), SIGKILL) }
        }
        return result
    }

    func checkpoint(source: String) async throws -> Checkpoint? { try await inner.checkpoint(source: source) }
    func startRun(source: String, mode: String, at: Date) async throws -> IngestRun {
        try await inner.startRun(source: source, mode: mode, at: at)
    }
    func finishRun(_ run: IngestRun) async throws { try await inner.finishRun(run) }
    func runs(source: String?, limit: Int) async throws -> [IngestRun] { try await inner.runs(source: source, limit: limit) }
    func deadLetters(source: String?, limit: Int) async throws -> [DeadLetter] {
        try await inner.deadLetters(source: source, limit: limit)
    }
    func scan(_ query: InteractionQuery, _ body: @Sendable (Interaction) throws -> Void) async throws {
        try await inner.scan(query, body)
    }
    func sourceStats() async throws -> [String: SourceStats] { try await inner.sourceStats() }
    func sourceStats(countingStored: Bool) async throws -> [String: SourceStats] {
        try await inner.sourceStats(countingStored: countingStored)
    }
    func scanMetrics() async throws -> MetricsScan { try await inner.scanMetrics() }
    func count(source: String?) async throws -> Int { try await inner.count(source: source) }
}
