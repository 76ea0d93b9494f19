import Foundation
import SwitchboardCore

/// One pass of one pull source, as `switchboard pull` runs it: from the committed checkpoint,
/// through a ``BatchingSink`` (checkpoints committed with their batches), recorded in the
/// store's `ingest_runs` (mode `scheduled`). Never throws: the outcome is the ``RunStatus``.
struct PullExecution: Sendable {
    let store: any InteractionStore
    let policy: IngestPolicy
    let batchSize: Int
    let redactor: SecretRedactor

    /// What ``closeInterruptedRuns(name:clock:)`` writes into a dead run's `error`.
    static let interruptedMessage = "interrupted: the instance running this pull stopped without finishing it "
        + "(killed, crashed or cut off from the store); what it committed stays, and the next run resumed from its last checkpoint"

    /// Marks the source's scheduled runs still recorded as `running` as `failed` (interrupted), finished now.
    ///
    /// Call it only while holding the source lock: then no other scheduled pull of the source is in
    /// progress anywhere, so such a row belongs to an instance that died mid-pull (its lock went with
    /// its connection) and would otherwise stay `running` forever. Runs of other modes (`switchboard
    /// pull`, imports) are left alone. Returns the runs closed; a store error closes none.
    func closeInterruptedRuns(name: String, clock: any SchedulerClock) async -> [IngestRun] {
        guard let recent = try? await store.runs(source: name, limit: 100) else { return [] }
        var closed: [IngestRun] = []
        for var run in recent where run.mode == "scheduled" && run.status == "running" {
            run.status = "failed"
            run.finishedAt = max(clock.now(), run.startedAt)
            run.error = Self.interruptedMessage
            if (try? await store.finishRun(run)) != nil { closed.append(run) }
        }
        return closed
    }

    func run(name: String, source: any PullSource, stop: StopSignal, clock: any SchedulerClock) async -> RunStatus {
        let started = clock.now()
        var status = RunStatus(startedAt: started)
        var record: IngestRun
        do {
            record = try await store.startRun(source: name, mode: "scheduled", at: started)
        } catch {
            return finished(status, .failed, message: "the store cannot record the run: \(error)", clock: clock)
        }
        let batching = BatchingSink(source: name, store: store, privacy: policy.privacy, topicRules: policy.topicRules,
                                    batchSize: batchSize)
        let sink = StoppableSink(inner: batching, stop: stop)
        var result = RunResult.ok
        var message: String?
        var summary: IngestSummary
        do {
            let checkpoint = try await store.checkpoint(source: name)
            try await source.pull(from: checkpoint, into: sink)
            summary = try await batching.finish()
        } catch {
            // What was committed stays; the rest of the pass is lost (its checkpoint was not committed).
            summary = await batching.current
            do {
                summary = try await batching.finish()
                if error is PullStopped || (stop.isTriggered && error is CancellationError) {
                    result = .stopped
                } else if let throttled = error as? ConnectorError, throttled.code == .throttled {
                    result = .throttled
                    message = "\(error)"
                    status.retryAfter = throttled.retryAfter
                } else {
                    result = .failed
                    message = "\(error)"
                }
            } catch let commit {
                result = .failed
                message = error is PullStopped ? "\(commit)" : "\(error); committing the last batch failed too: \(commit)"
            }
        }
        status.read = summary.read
        status.stored = summary.stored
        status.duplicates = summary.duplicates
        status.rejected = summary.deadLetters
        status = finished(status, result, message: message, clock: clock)
        record.finishedAt = status.finishedAt
        record.read = summary.read
        record.stored = summary.stored
        record.duplicates = summary.duplicates
        record.rejected = summary.deadLetters
        record.status = result == .failed ? "failed" : result == .throttled ? "throttled" : "ok"
        record.error = status.message
        try? await store.finishRun(record)
        return status
    }

    private func finished(_ s: RunStatus, _ result: RunResult, message: String?, clock: any SchedulerClock) -> RunStatus {
        var s = s
        s.finishedAt = clock.now()
        s.result = result
        s.message = message.map(redactor.redact)
        return s
    }
}
