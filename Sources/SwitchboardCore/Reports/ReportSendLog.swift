import Foundation

/// One delivered scheduled report: which report, for which slot (its scheduled instant), to which
/// destination, covering which period, and when the destination accepted it.
public struct ReportSend: Sendable, Hashable, Codable {
    public var report: String
    public var slot: Date
    public var destination: String
    public var periodFrom: Date
    public var periodTo: Date
    public var sentAt: Date

    public init(report: String, slot: Date, destination: String, periodFrom: Date, periodTo: Date, sentAt: Date) {
        self.report = report
        self.slot = slot
        self.destination = destination
        self.periodFrom = periodFrom
        self.periodTo = periodTo
        self.sentAt = sentAt
    }
}

/// The sent log of scheduled reports (table `report_sends`), so a restart of `serve` neither skips
/// nor repeats a send. Both stores implement it; on PostgreSQL every instance shares it.
public protocol ReportSendLog: Sendable {
    /// Records a delivery; false (and nothing changes) when (report, slot, destination) is already recorded.
    func recordReportSend(_ send: ReportSend) async throws -> Bool
    /// The deliveries of `report`, latest slot first, at most `limit`.
    func reportSends(report: String, limit: Int) async throws -> [ReportSend]
}

extension ReportSendLog {
    /// The destinations `slot` of `report` was delivered to.
    public func destinationsSent(report: String, slot: Date) async throws -> Set<String> {
        let ms = Timestamp.milliseconds(slot)
        return Set(try await reportSends(report: report, limit: 1000)
            .filter { Timestamp.milliseconds($0.slot) == ms }.map(\.destination))
    }
}
