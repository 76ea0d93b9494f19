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
    private let policy: IngestPolicy
    private let batchSize: Int
    private let maxBatchBytes: Int
    private let started = Date()
    private let onProgress: (@Sendable (IngestProgress) -> Void)?
    private var lastProgress = Date.distantPast

    private var buffer: [Interaction] = []
    private var bufferedBytes = 0
    private var dead: [DeadLetter] = []
    private var agentEvents: [AgentEvent] = []
    private var pendingCheckpoint: Checkpoint?
    private var inFlight: Task<IngestBatchResult, any Error>?
    private var summary: IngestSummary

    /// - Parameters:
    ///   - batchSize: interactions per transaction.
    ///   - maxBatchBytes: a batch is also committed once its text reaches this many bytes (roughly), so
    ///     big records (mail bodies) do not make a batch of `batchSize` records hold hundreds of megabytes.
    ///   - onProgress: called at most a few times a second while records arrive.
    ///   - topicRules: the config's `topics:` rules, matched before privacy drops any text (``IngestPolicy``).
    public init(source: String, store: any InteractionStore, privacy: PrivacySettings = PrivacySettings(),
                topicRules: TopicRules = .empty, batchSize: Int = 5000, maxBatchBytes: Int = 32 << 20,
                onProgress: (@Sendable (IngestProgress) -> Void)? = nil) {
        self.source = source
        self.store = store
        self.policy = IngestPolicy(privacy: privacy, topicRules: topicRules)
        self.batchSize = max(1, batchSize)
        self.maxBatchBytes = max(1, maxBatchBytes)
        self.onProgress = onProgress
        self.summary = IngestSummary(source: source)
        buffer.reserveCapacity(self.batchSize)
    }

    public func accept(_ interaction: Interaction) async throws {
        buffer.append(policy.apply(to: interaction))
        bufferedBytes += Self.approximateBytes(of: interaction)
        summary.read += 1
        if isFull { try await flush() }
        reportProgress()
    }

    /// The batch size: a block of at most that many arriving while nothing is buffered
    /// becomes the buffer itself (no record is copied).
    public nonisolated var preferredBlockSize: Int { batchSize }

    public func accept(contentsOf interactions: [Interaction]) async throws {
        if buffer.isEmpty, policy.isIdentity, interactions.count <= batchSize {
            buffer = interactions
            bufferedBytes = Self.approximateBytes(of: interactions[...])
            summary.read += interactions.count
            if isFull { try await flush() }
            reportProgress()
            return
        }
        var rest = interactions[...]
        while !rest.isEmpty {
            let take = min(rest.count, batchSize - buffer.count)
            if buffer.isEmpty { buffer.reserveCapacity(batchSize) }
            if policy.isIdentity {
                buffer.append(contentsOf: rest.prefix(take))
            } else {
                for i in rest.prefix(take) { buffer.append(policy.apply(to: i)) }
            }
            bufferedBytes += Self.approximateBytes(of: rest.prefix(take))
            rest = rest.dropFirst(take)
            summary.read += take
            if isFull { try await flush() }
        }
        reportProgress()
    }

    public func reject(reason: String, provenance: String, raw: Data) async throws {
        try await reject(reason: reason, provenance: provenance, raw: raw, replay: nil)
    }

    public func reject(reason: String, provenance: String, raw: Data, replay: ReplayContext?) async throws {
        dead.append(DeadLetter(source: source, reason: reason, provenance: provenance, raw: raw, replay: replay))
        summary.read += 1
        summary.deadLetters += 1
        if dead.count >= batchSize { try await flush() }
    }

    public func checkpoint(_ checkpoint: Checkpoint) async throws {
        pendingCheckpoint = checkpoint
    }

    public func accept(agentEvents events: [AgentEvent]) async throws {
        agentEvents += events
        if agentEvents.count >= batchSize { try await flush() }
    }

    public func progress(bytes: Int) async {
        summary.bytes += bytes
    }

    /// Hands the buffered records to the store; waits for the previous write first.
    public func flush() async throws {
        try await awaitInFlight()
        guard !buffer.isEmpty || !dead.isEmpty || !agentEvents.isEmpty || pendingCheckpoint != nil else { return }
        var batch = IngestBatch(source: source, interactions: buffer, deadLetters: dead, checkpoint: pendingCheckpoint)
        batch.agentEvents = agentEvents
        agentEvents = []
        buffer = []
        bufferedBytes = 0
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

    private var isFull: Bool { buffer.count >= batchSize || bufferedBytes >= maxBatchBytes }

    /// The bytes a record's variable-length fields take, plus a fixed allowance for the rest.
    static func approximateBytes(of i: Interaction) -> Int {
        256 + i.externalId.utf8.count + i.conversationKey.utf8.count + i.provenance.utf8.count
            + (i.subject?.utf8.count ?? 0) + (i.text?.utf8.count ?? 0)
    }

    /// ``approximateBytes(of:)`` of every record, read in place (no record is copied).
    static func approximateBytes(of records: ArraySlice<Interaction>) -> Int {
        records.withUnsafeBufferPointer { p in
            var total = 0
            for k in p.indices {
                total += 256 + p[k].externalId.utf8.count + p[k].conversationKey.utf8.count + p[k].provenance.utf8.count
                    + (p[k].subject?.utf8.count ?? 0) + (p[k].text?.utf8.count ?? 0)
            }
            return total
        }
    }
}
