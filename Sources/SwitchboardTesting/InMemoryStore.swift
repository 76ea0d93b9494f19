import Foundation
import SwitchboardCore
import SwitchboardScan

/// An ``InteractionStore`` in memory with the same semantics as the real ones
/// (insert-or-ignore on id, checkpoint with its batch), for tests.
public actor InMemoryStore: MetricsStore {
    public private(set) var interactions: [Interaction] = []
    private var ids: Set<String> = []
    private var checkpoints: [String: Checkpoint] = [:]
    public private(set) var deadLetterList: [DeadLetter] = []
    /// (source, provenance, digest) of the stored dead letters: each is stored once, as in the real stores.
    private var deadLetterKeys: Set<[String]> = []
    private var runList: [IngestRun] = []
    private var duplicateTotals: [String: Int] = [:]
    /// How many batches ``write(_:)`` received (one per transaction of a real store).
    public private(set) var batchesWritten = 0

    public init() {}

    public func write(_ batch: IngestBatch) async throws -> IngestBatchResult {
        var result = IngestBatchResult(stored: 0, duplicates: 0)
        batchesWritten += 1
        for var i in batch.interactions {
            if ids.insert(i.id).inserted {
                // Topic lists as a real store keeps them (normal form).
                i.topics = Topics.normalize(i.topics)
                i.ruleTopics = Topics.normalize(i.ruleTopics)
                interactions.append(i)
                result.stored += 1
            } else {
                result.duplicates += 1
            }
        }
        duplicateTotals[batch.source, default: 0] += result.duplicates
        for d in batch.deadLetters where deadLetterKeys.insert([d.source, d.provenance, d.digest]).inserted {
            deadLetterList.append(d)
        }
        for e in batch.agentEvents where ids.insert("agent-event:" + e.id).inserted { agentEventList.append(e) }
        if let cp = batch.checkpoint { checkpoints[cp.source] = cp }
        return result
    }

    /// Stored agent events in storage order (insert-or-ignore on id, as in the real stores).
    public private(set) var agentEventList: [AgentEvent] = []

    public func checkpoint(source: String) async throws -> Checkpoint? { checkpoints[source] }

    public func startRun(source: String, mode: String, at: Date) async throws -> IngestRun {
        let run = IngestRun(id: Int64(runList.count + 1), source: source, mode: mode, startedAt: at)
        runList.append(run)
        return run
    }

    public func finishRun(_ run: IngestRun) async throws {
        if let i = runList.firstIndex(where: { $0.id == run.id }) { runList[i] = run }
    }

    public func runs(source: String?, limit: Int) async throws -> [IngestRun] {
        Array(runList.filter { source == nil || $0.source == source }.reversed().prefix(limit))
    }

    public func deadLetters(source: String?, limit: Int) async throws -> [DeadLetter] {
        Array(deadLetterList.filter { source == nil || $0.source == source }.reversed().prefix(limit))
    }

    public func scan(_ query: InteractionQuery, _ body: @Sendable (Interaction) throws -> Void) async throws {
        let order = Dictionary(uniqueKeysWithValues: interactions.enumerated().map { ($1.id, $0) })
        var rows = interactions.filter { i in
            (query.sources == nil || query.sources!.contains(i.source))
                && (query.from == nil || i.occurredAt >= query.from!) && (query.to == nil || i.occurredAt < query.to!)
        }
        rows.sort { a, b in
            switch query.order {
            case .conversation:
                if a.source != b.source { return a.source < b.source }
                if a.conversationKey != b.conversationKey { return a.conversationKey < b.conversationKey }
            case .time: break
            }
            if a.occurredAt != b.occurredAt { return a.occurredAt < b.occurredAt }
            return order[a.id]! < order[b.id]!
        }
        for r in rows { try body(r) }
    }

    public func sourceStats() async throws -> [String: SourceStats] {
        var stats: [String: SourceStats] = [:]
        for i in interactions { stats[i.source, default: SourceStats()].stored += 1 }
        for (s, d) in duplicateTotals { stats[s, default: SourceStats()].duplicates += d }
        for d in deadLetterList { stats[d.source, default: SourceStats()].deadLetters += 1 }
        return stats
    }

    /// The generic scan: this store has no faster one.
    public func scanMetrics() async throws -> MetricsScan { try await scanMetricsGeneric() }

    public func sourceStats(countingStored: Bool) async throws -> [String: SourceStats] {
        try await sourceStatsGeneric(countingStored: countingStored)
    }

    public func count(source: String?) async throws -> Int {
        interactions.filter { source == nil || $0.source == source }.count
    }
}

extension InMemoryStore: AgentEventSource {
    public func agentEvents(sources: [String]?, before to: Date?) async throws -> [AgentEvent] {
        let kept = agentEventList.enumerated().filter { _, e in
            (sources == nil || sources!.contains(e.source)) && (to == nil || e.at < to!)
        }
        return kept.sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }
}
