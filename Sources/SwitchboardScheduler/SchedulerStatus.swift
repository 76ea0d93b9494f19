import Foundation
import SwitchboardCore

/// How one scheduled run ended.
public enum RunResult: String, Sendable, Codable, Hashable {
    /// The pass completed and everything was committed.
    case ok
    /// The pass failed; what it committed before the failure stays.
    case failed
    /// Another instance holds the source's lock; the run was not started.
    case skipped
    /// Shutdown stopped the pass at a committed checkpoint.
    case stopped
    /// The origin asked to slow down (a connection or rate limit): what the pass committed stays,
    /// and the next run waits for the back-off. Not a failure of the source.
    case throttled
}

/// One run of a scheduled pull, as `GET /status` shows it.
public struct RunStatus: Sendable, Codable, Hashable {
    public var startedAt: Date
    public var finishedAt: Date?
    public var result: RunResult?
    public var read: Int
    public var stored: Int
    public var duplicates: Int
    public var rejected: Int
    /// Why it failed, was skipped or throttled (secrets removed).
    public var message: String?
    /// For `throttled`: the wait the origin asked for, in seconds (not part of the JSON).
    public var retryAfter: Double? = nil

    public init(startedAt: Date, finishedAt: Date? = nil, result: RunResult? = nil, read: Int = 0, stored: Int = 0,
                duplicates: Int = 0, rejected: Int = 0, message: String? = nil) {
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.result = result
        self.read = read
        self.stored = stored
        self.duplicates = duplicates
        self.rejected = rejected
        self.message = message
    }
}

extension RunStatus {
    enum CodingKeys: String, CodingKey {
        case startedAt, finishedAt, result, read, stored, duplicates, rejected, message
    }

    /// Every key always present; absent values are `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(result, forKey: .result)
        try c.encode(read, forKey: .read)
        try c.encode(stored, forKey: .stored)
        try c.encode(duplicates, forKey: .duplicates)
        try c.encode(rejected, forKey: .rejected)
        try c.encode(message, forKey: .message)
    }
}

/// The state of one scheduled pull source.
public struct SourceStatus: Sendable, Codable, Hashable {
    public var source: String
    public var kind: String
    public var schedule: String
    /// A run is in progress.
    public var running: Bool
    /// The run in progress, or the last one.
    public var lastRun: RunStatus?
    /// When the last successful (`ok`) run finished.
    public var lastSuccessAt: Date?
    /// When the next run is due; nil while running or after shutdown.
    public var nextRunAt: Date?
    /// Failed runs since the last success (drives the back-off).
    public var consecutiveFailures: Int
    /// The message of the most recent failure (secrets removed), kept after later successes.
    public var lastError: String?

    public init(source: String, kind: String, schedule: String) {
        self.source = source
        self.kind = kind
        self.schedule = schedule
        running = false
        consecutiveFailures = 0
    }
}

extension SourceStatus {
    enum CodingKeys: String, CodingKey {
        case source, kind, schedule, running, lastRun, lastSuccessAt, nextRunAt, consecutiveFailures, lastError
    }

    /// Every key always present; absent values are `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(kind, forKey: .kind)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(running, forKey: .running)
        try c.encode(lastRun, forKey: .lastRun)
        try c.encode(lastSuccessAt, forKey: .lastSuccessAt)
        try c.encode(nextRunAt, forKey: .nextRunAt)
        try c.encode(consecutiveFailures, forKey: .consecutiveFailures)
        try c.encode(lastError, forKey: .lastError)
    }
}

/// The body of `GET /status`.
public struct SchedulerStatus: Sendable, Codable, Hashable {
    public var generatedAt: Date
    public var timezone: String
    public var sources: [SourceStatus]
    /// The scheduled reports (`reports:`), when the config has any.
    public var reports: [ReportStatus]?
    /// The alert monitor (`alerts:`), when the config has alerts.
    public var alerts: AlertsStatus?

    public init(generatedAt: Date, timezone: String, sources: [SourceStatus], reports: [ReportStatus]? = nil) {
        self.generatedAt = generatedAt
        self.timezone = timezone
        self.sources = sources
        self.reports = reports
    }

    /// snake_case keys, ISO 8601 UTC times with milliseconds, sorted keys.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(Timestamp.formatISO8601(date))
        }
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }

    /// Reads what ``json()`` wrote (`switchboard status`).
    public static func decode(_ data: Data) throws -> SchedulerStatus {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            guard let date = Timestamp.parseISO8601(text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is not an ISO 8601 time")
            }
            return date
        }
        return try decoder.decode(SchedulerStatus.self, from: data)
    }
}
