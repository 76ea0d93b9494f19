import Foundation
import SwitchboardCore

/// What one scheduled report's sender renders and delivers for a slot (the CLI implements it with the
/// report engine and the `notifications:` destinations).
public protocol ReportSending: Sendable {
    /// Renders `report` for `slot` and delivers it to each of `destinations`.
    func send(_ report: ScheduledReport, slot: Date, to destinations: [String]) async -> ReportDelivery
}

/// The outcome of one ``ReportSending/send(_:slot:to:)``.
public struct ReportDelivery: Sendable {
    /// The period the mail covered.
    public var periodFrom: Date
    public var periodTo: Date
    /// The destinations that accepted the message.
    public var delivered: [String]
    /// Destination → why it was not delivered (secrets already removed).
    public var failures: [(destination: String, reason: String)]

    public init(periodFrom: Date, periodTo: Date, delivered: [String] = [], failures: [(destination: String, reason: String)] = []) {
        self.periodFrom = periodFrom
        self.periodTo = periodTo
        self.delivered = delivered
        self.failures = failures
    }
}

/// The state of one scheduled report in `GET /status` (under `reports`).
public struct ReportStatus: Sendable, Codable, Hashable {
    public var report: String
    public var schedule: String
    public var period: String
    public var notify: [String]
    /// The latest slot delivered to every destination, and when that finished.
    public var lastSlot: Date?
    public var lastSentAt: Date?
    /// When the last attempt was made (a send, or finding the slot already sent).
    public var lastAttemptAt: Date?
    /// When the report is next looked at: its next slot, or the retry after a failure.
    public var nextRunAt: Date?
    /// Failed attempts since the last success (drive the back-off).
    public var consecutiveFailures: Int
    /// Why the most recent failed attempt failed (secrets removed), kept after later successes.
    public var lastError: String?

    public init(report: ScheduledReport) {
        self.report = report.name
        schedule = report.schedule.description
        period = report.period.rawValue
        notify = report.notify
        consecutiveFailures = 0
    }

    enum CodingKeys: String, CodingKey {
        case report, schedule, period, notify, lastSlot, lastSentAt, lastAttemptAt, nextRunAt, consecutiveFailures, lastError
    }

    /// Every key always present; absent values are `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(report, forKey: .report)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(period, forKey: .period)
        try c.encode(notify, forKey: .notify)
        try c.encode(lastSlot, forKey: .lastSlot)
        try c.encode(lastSentAt, forKey: .lastSentAt)
        try c.encode(lastAttemptAt, forKey: .lastAttemptAt)
        try c.encode(nextRunAt, forKey: .nextRunAt)
        try c.encode(consecutiveFailures, forKey: .consecutiveFailures)
        try c.encode(lastError, forKey: .lastError)
    }
}
