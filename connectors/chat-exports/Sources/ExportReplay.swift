import Foundation
import SwitchboardCore

/// Dead-letter replay of the chat export kinds. A record of an export belongs to a conversation assembled
/// from its neighbours (sessions split by idle time, the chat's participants), so it is not read alone: its
/// letter keeps the export it came from (`export`: the file or folder given to the import), and a replay
/// reads that export again with the current settings. The records stored before are duplicates; a record
/// that decodes now joins its conversation; one that still fails is rejected again with its new reason.
enum ExportReplay {
    /// The sink an export is imported into: rejected records carry their export as replay context.
    static func tagging(_ sink: any IngestSink, kind: String, export: URL) -> any IngestSink {
        TaggingSink(inner: sink, replay: ReplayContext(kind: kind, values: [ReplayContext.exportKey: export.standardizedFileURL.path]))
    }

    private struct TaggingSink: IngestSink {
        let inner: any IngestSink
        let replay: ReplayContext

        var source: String { inner.source }
        var preferredBlockSize: Int { inner.preferredBlockSize }
        func accept(_ interaction: Interaction) async throws { try await inner.accept(interaction) }
        func accept(contentsOf interactions: [Interaction]) async throws { try await inner.accept(contentsOf: interactions) }
        func reject(reason: String, provenance: String, raw: Data) async throws {
            try await inner.reject(reason: reason, provenance: provenance, raw: raw, replay: replay)
        }
        func reject(reason: String, provenance: String, raw: Data, replay: ReplayContext?) async throws {
            try await inner.reject(reason: reason, provenance: provenance, raw: raw, replay: replay ?? self.replay)
        }
        func checkpoint(_ checkpoint: Checkpoint) async throws { try await inner.checkpoint(checkpoint) }
        func progress(bytes: Int) async { await inner.progress(bytes: bytes) }
    }
}
