import Foundation

/// Progress of a running ingest, for terminal display.
public struct IngestProgress: Sendable {
    public var records: Int
    public var bytes: Int
    public var seconds: Double
}

/// The standard ``IngestSink``: batches records, writes each batch in one store
/// transaction while the connector goes on parsing the next (one write in
/// flight), and counts everything for the run summary.
public actor BatchingSink: IngestSink {
    public nonisolated let source: String
    private let store: any InteractionStore
    private let privacy: PrivacySettings
    private let batchSize: Int
    private let started = Date()
    private let onProgress: (@Sendable (IngestProgress) -> Void)?
    private var lastProgress = Date.distantPast

    private var buffer: [Interaction] = []
    private var dead: [DeadLetter] = []
    private var pendingCheckpoint: Checkpoint?
    private var inFlight: Task<IngestBatchResult, any Error>?
    private var summary: IngestSummary

    /// - Parameters:
    ///   - batchSize: interactions per transaction.
    ///   - onProgress: called at most a few times a second while records arrive.
    public init(source: String, store: any InteractionStore, privacy: PrivacySettings = PrivacySettings(),
                batchSize: Int = 5000, onProgress: (@Sendable (IngestProgress) -> Void)? = nil) {
        self.source = source
        self.store = store
        self.privacy = privacy
        self.batchSize = max(1, batchSize)
        self.onProgress = onProgress
        self.summary = IngestSummary(source: source)
        buffer.reserveCapacity(self.batchSize)
    }

    public func accept(_ interaction: Interaction) async throws {
        buffer.append(privacy.apply(to: interaction))
        summary.read += 1
        if buffer.count >= batchSize { try await flush() }
        reportProgress()
    }

    public func accept(contentsOf interactions: [Interaction]) async throws {
        var rest = interactions[...]
        while !rest.isEmpty {
            let take = min(rest.count, batchSize - buffer.count)
            if privacy.isIdentity {
                buffer.append(contentsOf: rest.prefix(take))
            } else {
                for i in rest.prefix(take) { buffer.append(privacy.apply(to: i)) }
            }
            rest = rest.dropFirst(take)
            summary.read += take
            if buffer.count >= batchSize { try await flush() }
        }
        reportProgress()
    }

    public func reject(reason: String, provenance: String, raw: Data) async throws {
        dead.append(DeadLetter(source: source, reason: reason, provenance: provenance, raw: raw))
        summary.read += 1
        summary.deadLetters += 1
        if dead.count >= batchSize { try await flush() }
    }

    public func checkpoint(_ checkpoint: Checkpoint) async throws {
        pendingCheckpoint = checkpoint
    }

    public func progress(bytes: Int) async {
        summary.bytes += bytes
    }

    /// Hands the buffered records to the store; waits for the previous write first.
    public func flush() async throws {
        try await awaitInFlight()
        guard !buffer.isEmpty || !dead.isEmpty || pendingCheckpoint != nil else { return }
        let batch = IngestBatch(source: source, interactions: buffer, deadLetters: dead, checkpoint: pendingCheckpoint)
        buffer = []
        buffer.reserveCapacity(batchSize)
        dead = []
        pendingCheckpoint = nil
        let store = self.store
        inFlight = Task { try await store.write(batch) }
    }

    /// Commits everything and returns the run's totals.
    public func finish() async throws -> IngestSummary {
        try await flush()
        try await awaitInFlight()
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Totals so far (stored counts only cover committed batches).
    public var current: IngestSummary { summary }

    private func awaitInFlight() async throws {
        guard let task = inFlight else { return }
        inFlight = nil
        let result = try await task.value
        summary.stored += result.stored
        summary.duplicates += result.duplicates
    }

    private func reportProgress() {
        guard let onProgress else { return }
        let now = Date()
        guard now.timeIntervalSince(lastProgress) >= 0.25 else { return }
        lastProgress = now
        onProgress(IngestProgress(records: summary.read, bytes: summary.bytes, seconds: now.timeIntervalSince(started)))
    }
}
