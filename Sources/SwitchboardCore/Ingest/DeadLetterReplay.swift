import Foundation

/// What replaying a dead letter needs besides its raw payload, kept when the letter is written.
///
/// `kind` is the connector kind that rejected the record: a replay refuses letters whose source has
/// changed kind since. `values` holds what the kind needs to read the payload alone again — the header
/// line of the CSV file a row came from, a mail's envelope date and folder topics, the non-secret
/// headers of a webhook delivery. Each connector's README names the values it keeps.
public struct ReplayContext: Sendable, Hashable, Codable {
    public var kind: String
    public var values: [String: String]

    public init(kind: String, values: [String: String] = [:]) {
        self.kind = kind
        self.values = values
    }

    /// The value naming the file or folder a record was imported from, kept by kinds whose records are
    /// replayed by reading that whole export again (a record alone lacks its conversation): chat exports.
    public static let exportKey = "export"

    /// `values` as stored (a JSON object, keys sorted); nil when there are none.
    public var encodedValues: String? {
        guard !values.isEmpty else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(values)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The context of a stored letter from its `kind` and `context` columns; nil for letters written
    /// before contexts were kept (no kind).
    public static func stored(kind: String?, values: String?) -> ReplayContext? {
        guard let kind else { return nil }
        let decoded = values.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }
        return ReplayContext(kind: kind, values: decoded ?? [:])
    }
}

/// How the last replay of a dead letter ended (`dead-letters list` shows it).
public enum ReplayOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    /// The payload decoded; its interactions went to the store (new or already there).
    case stored
    /// The payload decoded to nothing the connector stores (an event it now ignores).
    case empty
    /// The payload still does not decode; the letter's reason is the new one.
    case failed
}

/// A dead letter as the replay reads it: its row id in the store, then the letter.
public struct StoredDeadLetter: Sendable, Hashable {
    public var id: Int64
    public var letter: DeadLetter

    public init(id: Int64, letter: DeadLetter) {
        self.id = id
        self.letter = letter
    }
}

/// Which letters a replay takes: those of one source not yet replayed with success (no mark, or `failed`),
/// optionally only those whose reason contains a text (case-insensitive) or written since a time.
public struct DeadLetterSelection: Sendable, Hashable {
    public var source: String
    /// Only letters whose reason contains this text (case-insensitive).
    public var reason: String?
    /// Only letters written at or after this time.
    public var since: Date?

    public init(source: String, reason: String? = nil, since: Date? = nil) {
        self.source = source
        self.reason = reason
        self.since = since
    }
}

/// The mark a replay leaves on a letter.
public struct DeadLetterReplayMark: Sendable, Hashable {
    public var id: Int64
    public var at: Date
    public var outcome: ReplayOutcome
    /// The new reason when the letter still fails; nil keeps the reason.
    public var reason: String?

    public init(id: Int64, at: Date, outcome: ReplayOutcome, reason: String? = nil) {
        self.id = id
        self.at = at
        self.outcome = outcome
        self.reason = reason
    }
}

/// A store whose dead letters can be replayed (`switchboard dead-letters replay`).
public protocol DeadLetterReplayStore: InteractionStore {
    /// Up to `limit` selected letters with an id above `after`, oldest first.
    func deadLettersToReplay(_ selection: DeadLetterSelection, after id: Int64, limit: Int) async throws -> [StoredDeadLetter]
    /// The distinct connector kinds recorded on the selected letters (nil: letters without a context).
    func deadLetterKinds(_ selection: DeadLetterSelection) async throws -> [String?]
    /// Writes the marks in one transaction.
    func markReplayed(_ marks: [DeadLetterReplayMark]) async throws
}

/// What decoding one dead letter again gave.
public struct ReplayDecoding: Sendable {
    public var interactions: [Interaction]
    /// Why parts of the payload still fail; empty when all of it decoded.
    public var failures: [String]

    public init(interactions: [Interaction] = [], failures: [String] = []) {
        self.interactions = interactions
        self.failures = failures
    }
}

/// A connector that can read one of its dead letters again, with its current settings.
///
/// The payload is decoded exactly as it would be at import, pull or delivery, with the provenance the
/// letter records, so a record that now decodes gets the id it would have had.
///
/// ```swift
/// func replay(_ letter: DeadLetter) throws -> ReplayDecoding {
///     ReplayDecoding(interactions: [try parse(letter.raw, provenance: letter.provenance)])
/// }
/// ```
public protocol DeadLetterReplaying: Connector {
    /// Decodes the letter's payload again.
    /// - Throws: ``ConnectorError`` (or any error) when it still fails; the message becomes the letter's reason.
    func replay(_ letter: DeadLetter) throws -> ReplayDecoding
}

extension ConnectorError {
    /// The letter holds no payload that can be read alone (a whole file was refused, or the payload was cut).
    public static func notReplayable(_ why: String) -> ConnectorError {
        ConnectorError(.format, "not replayable: \(why)")
    }
}
