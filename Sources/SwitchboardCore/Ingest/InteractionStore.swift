import Foundation

/// A record that could not become an interaction, kept with why and where from.
public struct DeadLetter: Sendable, Hashable, Codable {
    public var source: String
    public var at: Date
    public var reason: String
    /// `file:Master.csv#L12`, `imap://host/INBOX;UID=4`, `webhook:meta@…`.
    public var provenance: String
    public var raw: Data
    /// What a replay needs besides `raw` (nil for letters written before contexts were kept).
    public var replay: ReplayContext?
    /// When `dead-letters replay` last tried the letter, and how that ended.
    public var replayedAt: Date?
    public var replayOutcome: ReplayOutcome?

    public init(source: String, at: Date = Date(), reason: String, provenance: String, raw: Data,
                replay: ReplayContext? = nil, replayedAt: Date? = nil, replayOutcome: ReplayOutcome? = nil) {
        self.source = source
        self.at = at
        self.reason = reason
        self.provenance = provenance
        self.raw = raw
        self.replay = replay
        self.replayedAt = replayedAt
        self.replayOutcome = replayOutcome
    }
}

/// What one transaction writes: interactions, dead letters and the checkpoint covering them.
public struct IngestBatch: Sendable {
    public var source: String
    public var interactions: [Interaction]
    public var deadLetters: [DeadLetter]
    public var checkpoint: Checkpoint?
    /// Agent activity lines (``AgentEvent``), stored beside the interactions with insert-or-ignore on `id`.
    public var agentEvents: [AgentEvent] = []

    public init(source: String, interactions: [Interaction] = [], deadLetters: [DeadLetter] = [],
                checkpoint: Checkpoint? = nil) {
        self.source = source
        self.interactions = interactions
        self.deadLetters = deadLetters
        self.checkpoint = checkpoint
    }
}

/// What the store did with a batch.
public struct IngestBatchResult: Sendable, Hashable {
    /// Interactions newly stored.
    public var stored: Int
    /// Interactions whose id was already stored (or repeated within the batch).
    public var duplicates: Int
    public init(stored: Int, duplicates: Int) {
        self.stored = stored
        self.duplicates = duplicates
    }
}

/// One ingest run (import, pull pass, webhook session) as recorded in `ingest_runs`.
public struct IngestRun: Sendable, Hashable, Codable {
    public var id: Int64
    public var source: String
    public var mode: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var read: Int
    public var stored: Int
    public var duplicates: Int
    public var rejected: Int
    /// `running`, `ok`, `failed`.
    public var status: String
    public var error: String?

    public init(id: Int64, source: String, mode: String, startedAt: Date, finishedAt: Date? = nil, read: Int = 0,
                stored: Int = 0, duplicates: Int = 0, rejected: Int = 0, status: String = "running", error: String? = nil) {
        self.id = id
        self.source = source
        self.mode = mode
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.read = read
        self.stored = stored
        self.duplicates = duplicates
        self.rejected = rejected
        self.status = status
        self.error = error
    }
}

/// Per-source totals for the report's data-quality section.
public struct SourceStats: Sendable, Hashable, Codable {
    public var stored: Int
    public var duplicates: Int
    public var deadLetters: Int
    public init(stored: Int = 0, duplicates: Int = 0, deadLetters: Int = 0) {
        self.stored = stored
        self.duplicates = duplicates
        self.deadLetters = deadLetters
    }
}

/// Which interactions a scan returns, and in what order.
public struct InteractionQuery: Sendable, Hashable {
    public enum Order: Sendable, Hashable {
        /// (source, conversationKey, occurredAt, storage order): one conversation after another.
        case conversation
        /// (occurredAt, storage order).
        case time
    }
    public var sources: [String]?
    public var from: Date?
    public var to: Date?
    public var order: Order
    /// false: the store may leave `subject`, `text` and `actorName` nil and `provenance` empty
    /// (the metrics read none of them), which makes large scans much cheaper.
    public var content: Bool

    public init(sources: [String]? = nil, from: Date? = nil, to: Date? = nil, order: Order = .conversation,
                content: Bool = true) {
        self.sources = sources
        self.from = from
        self.to = to
        self.order = order
        self.content = content
    }
}

/// Where interactions live. SQLite and PostgreSQL implement it in
/// `SwitchboardStore`; the rest of the code never knows which one it talks to.
public protocol InteractionStore: Sendable {
    /// Writes the batch in one transaction: interactions with insert-or-ignore on
    /// `id`, dead letters, and the checkpoint. All or nothing.
    func write(_ batch: IngestBatch) async throws -> IngestBatchResult
    /// The last committed checkpoint of a source.
    func checkpoint(source: String) async throws -> Checkpoint?
    /// Records the start of a run and returns it with its id.
    func startRun(source: String, mode: String, at: Date) async throws -> IngestRun
    /// Records the end of a run.
    func finishRun(_ run: IngestRun) async throws
    /// Recent runs, newest first.
    func runs(source: String?, limit: Int) async throws -> [IngestRun]
    /// Dead letters, newest first.
    func deadLetters(source: String?, limit: Int) async throws -> [DeadLetter]
    /// Streams interactions matching the query in its order.
    func scan(_ query: InteractionQuery, _ body: @Sendable (Interaction) throws -> Void) async throws
    /// Stored, duplicate and dead-letter totals per source.
    func sourceStats() async throws -> [String: SourceStats]
    /// Number of stored interactions (of one source when given).
    func count(source: String?) async throws -> Int
    /// How many ``write(_:)`` calls gain from running at once (the webhook receiver's group commits overlap up to
    /// this many): 1 for a store with a single writer.
    var concurrentWrites: Int { get }
}

extension InteractionStore {
    public var concurrentWrites: Int { 1 }
}

/// Errors of the storage layer, phrased for users; driver errors never leak raw.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        let raw: String
        public static let unavailable = Code(raw: "unavailable")
        public static let corrupt = Code(raw: "corrupt")
        public static let migration = Code(raw: "migration")
        public static let query = Code(raw: "query")
    }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}
