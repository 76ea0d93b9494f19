import Foundation

/// Where connectors put what they read (DESIGN §4).
///
/// A sink batches, deduplicates by id, keeps rejected records as dead letters
/// with reason and provenance, applies the privacy settings, and commits
/// checkpoints with the batch they cover.
///
/// ```swift
/// for line in lines {
///     do { try await sink.accept(try parse(line)) }
///     catch { try await sink.reject(reason: "\(error)", provenance: "file:x.jsonl#L\(n)", raw: line) }
/// }
/// try await sink.checkpoint(Checkpoint(source: name, encoding: offset))
/// ```
public protocol IngestSink: Sendable {
    /// The source (connector instance) name records are written under.
    var source: String { get }
    /// Queues one interaction for storage.
    func accept(_ interaction: Interaction) async throws
    /// Queues several interactions in one call (one actor hop for a whole block
    /// of records; connectors reading fast should hand over blocks this way).
    func accept(contentsOf interactions: [Interaction]) async throws
    /// How many interactions a connector reading fast should hand to one ``accept(contentsOf:)``:
    /// a sink may take a whole block of that size over as it is, without copying its records.
    var preferredBlockSize: Int { get }
    /// Queues a rejected record as a dead letter.
    func reject(reason: String, provenance: String, raw: Data) async throws
    /// Queues a rejected record as a dead letter with what replaying it needs (``ReplayContext``).
    func reject(reason: String, provenance: String, raw: Data, replay: ReplayContext?) async throws
    /// Sets the resume point covering everything accepted so far; it is
    /// committed in the same transaction as those records.
    func checkpoint(_ checkpoint: Checkpoint) async throws
    /// Reports bytes consumed, for progress display.
    func progress(bytes: Int) async
    /// Queues agent activity lines (``AgentEvent``) for storage with the next batch; they are not
    /// interactions and are not counted in the run summary.
    func accept(agentEvents: [AgentEvent]) async throws
}

extension IngestSink {
    /// Queues several interactions one by one (for sinks without a block path of their own).
    public func accept(contentsOf interactions: [Interaction]) async throws {
        for i in interactions { try await accept(i) }
    }

    /// Keeps the letter without its replay context (for sinks that do not store letters).
    public func reject(reason: String, provenance: String, raw: Data, replay: ReplayContext?) async throws {
        try await reject(reason: reason, provenance: provenance, raw: raw)
    }

    /// Rejects a record given as text.
    public func reject(reason: String, provenance: String, text: String) async throws {
        try await reject(reason: reason, provenance: provenance, raw: Data(text.utf8))
    }

    public func progress(bytes: Int) async {}

    /// Sinks that store nothing (captures, taggers) drop agent events.
    public func accept(agentEvents: [AgentEvent]) async throws {}

    public var preferredBlockSize: Int { 4096 }
}

/// Totals of one ingest run, printed as the run's one-line summary.
public struct IngestSummary: Sendable, Hashable, Codable {
    public var source: String
    public var read: Int
    public var stored: Int
    public var duplicates: Int
    public var deadLetters: Int
    public var bytes: Int
    public var seconds: Double

    public init(source: String, read: Int = 0, stored: Int = 0, duplicates: Int = 0, deadLetters: Int = 0,
                bytes: Int = 0, seconds: Double = 0) {
        self.source = source
        self.read = read
        self.stored = stored
        self.duplicates = duplicates
        self.deadLetters = deadLetters
        self.bytes = bytes
        self.seconds = seconds
    }

    /// `support-mailbox: read 120, stored 118, duplicates 2, dead letters 0, 0.4 s`.
    public var line: String {
        "\(source): read \(read), stored \(stored), duplicates \(duplicates), dead letters \(deadLetters), "
            + String(format: "%.2f s", seconds)
    }

    /// Adds another summary's counts (several sources in one command).
    public mutating func add(_ other: IngestSummary) {
        read += other.read
        stored += other.stored
        duplicates += other.duplicates
        deadLetters += other.deadLetters
        bytes += other.bytes
        seconds += other.seconds
    }
}
