import Foundation
import SwitchboardCore

/// Thrown by ``StoppableSink`` once a stop was requested and the checkpoint just given is
/// queued for commit: the pull unwinds at a clean resume point.
public struct PullStopped: Error, Sendable, CustomStringConvertible {
    public var description: String { "stopped for shutdown after committing its checkpoint" }
}

/// Passes everything to a ``BatchingSink``; after a stop request, the next checkpoint is
/// committed with the records it covers and the pull is ended with ``PullStopped``.
/// Connectors need no cancellation code of their own: they stop at their next checkpoint.
struct StoppableSink: IngestSink {
    let inner: BatchingSink
    let stop: StopSignal

    var source: String { inner.source }

    var preferredBlockSize: Int { inner.preferredBlockSize }

    func accept(_ interaction: Interaction) async throws { try await inner.accept(interaction) }

    func accept(contentsOf interactions: [Interaction]) async throws { try await inner.accept(contentsOf: interactions) }

    func reject(reason: String, provenance: String, raw: Data) async throws {
        try await inner.reject(reason: reason, provenance: provenance, raw: raw)
    }

    func reject(reason: String, provenance: String, raw: Data, replay: ReplayContext?) async throws {
        try await inner.reject(reason: reason, provenance: provenance, raw: raw, replay: replay)
    }

    func checkpoint(_ checkpoint: Checkpoint) async throws {
        try await inner.checkpoint(checkpoint)
        if stop.isTriggered {
            try await inner.flush()
            throw PullStopped()
        }
    }

    func progress(bytes: Int) async { await inner.progress(bytes: bytes) }

    func accept(agentEvents: [AgentEvent]) async throws { try await inner.accept(agentEvents: agentEvents) }
}
