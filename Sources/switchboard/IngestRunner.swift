import Foundation
import SwitchboardCore
import SwitchboardScan

/// Runs one ingest (import or pull pass) of one source: records the run,
/// feeds a ``BatchingSink``, commits, and returns the summary.
struct IngestRunner {
    let store: any MetricsStore
    let policy: IngestPolicy
    let quiet: Bool

    init(store: any MetricsStore, policy: IngestPolicy, quiet: Bool) {
        self.store = CrashAfterWrites.wrap(store)
        self.policy = policy
        self.quiet = quiet
    }

    /// Interactions per transaction of `switchboard import`.
    static let importBatchSize = 20_000

    func run(source: String, mode: String, _ body: @Sendable (any IngestSink) async throws -> Void) async throws -> IngestSummary {
        var run = try await store.startRun(source: source, mode: mode, at: Date())
        // A file import commits bigger batches (fewer commits and fsyncs); a pull keeps
        // the default, so its checkpoints stay frequent.
        let sink = BatchingSink(source: source, store: store, privacy: policy.privacy, topicRules: policy.topicRules,
                                batchSize: mode == "import" ? Self.importBatchSize : 5_000,
                                onProgress: Terminal.progress(label: source, quiet: quiet))
        do {
            try await body(sink)
            let summary = try await sink.finish()
            Terminal.clearProgress(quiet: quiet)
            run.finishedAt = Date()
            run.read = summary.read
            run.stored = summary.stored
            run.duplicates = summary.duplicates
            run.rejected = summary.deadLetters
            run.status = "ok"
            try await store.finishRun(run)
            return summary
        } catch {
            Terminal.clearProgress(quiet: quiet)
            // Keep what was committed, record the failure, then report it.
            var partial = await sink.current
            if let finished = try? await sink.finish() { partial = finished }
            run.finishedAt = Date()
            run.read = partial.read
            run.stored = partial.stored
            run.duplicates = partial.duplicates
            run.rejected = partial.deadLetters
            run.status = "failed"
            run.error = "\(error)"
            try? await store.finishRun(run)
            throw RunFailure(Terminal.named(source, "\(error)"))
        }
    }
}

/// Prints summaries the way every ingest command does.
enum SummaryOutput {
    static func print(_ summaries: [IngestSummary], json: Bool) {
        if json {
            Swift.print(Terminal.json(summaries.count == 1 ? AnyEncodable(summaries[0]) : AnyEncodable(summaries)))
            return
        }
        for s in summaries { Swift.print(s.line) }
        if summaries.count > 1 {
            var total = IngestSummary(source: "total")
            for s in summaries { total.add(s) }
            Swift.print(total.line)
        }
    }
}

/// Type-erased `Encodable`, for printing one value or a list the same way.
struct AnyEncodable: Encodable {
    let encodeValue: (any Encoder) throws -> Void
    init<T: Encodable>(_ value: T) { encodeValue = value.encode }
    func encode(to encoder: any Encoder) throws { try encodeValue(encoder) }
}
