import Foundation
import SwitchboardCore

/// A crash-recovery test hook: with `SWITCHBOARD_TEST_CRASH_AFTER_BATCHES=N` in the environment, the process
/// kills itself with SIGKILL right after the store committed its N-th batch, while the connector has already
/// read ahead. It makes "killed in the middle of an ingest" reproducible whatever the machine's speed.
/// `SWITCHBOARD_TEST_SIGTERM_AFTER_BATCHES=N` (scheduled pulls of `serve`) sends SIGTERM once instead, so a
/// graceful shutdown lands in the middle of a pull. Never set in normal use.
final class CrashAfterWrites: InteractionStore, @unchecked Sendable {
    static let variable = "SWITCHBOARD_TEST_CRASH_AFTER_BATCHES"
    static let termVariable = "SWITCHBOARD_TEST_SIGTERM_AFTER_BATCHES"

    /// The store itself, or the store wrapped when the variable is set to a positive number.
    static func wrap(_ store: any InteractionStore, variable: String = variable) -> any InteractionStore {
        guard let value = ProcessInfo.processInfo.environment[variable], let limit = Int(value), limit > 0 else {
            return store
        }
        return CrashAfterWrites(inner: store, limit: limit, signal: variable == termVariable ? SIGTERM : SIGKILL)
    }

    private let inner: any InteractionStore
    private let limit: Int
    private let signal: Int32
    private let lock = NSLock()
    private var writes = 0

    private init(inner: any InteractionStore, limit: Int, signal: Int32) {
        self.inner = inner
        self.limit = limit
        self.signal = signal
    }

    func write(_ batch: IngestBatch) async throws -> IngestBatchResult {
        let result = try await inner.write(batch)
        let count = lock.withLock { writes += 1; return writes }
        if count == limit || (count > limit && signal == SIGKILL) { kill(getpid(), signal) }
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
    func count(source: String?) async throws -> Int { try await inner.count(source: source) }
}
