import Foundation
import SwitchboardCore
import SwitchboardScan
import SwitchboardMetrics
import Testing

/// The kept report walk of the live state (``WalkMemo``): what changes with time alone, without new rows.
@Suite("Kept report walk")
struct WalkMemoTests {
    static let t0 = at("2026-03-03T10:00:00Z")

    static func message(_ key: String, _ customer: String, _ role: ActorRole, _ minutes: Double, _ n: Int) -> Interaction {
        Interaction(source: "mail", externalId: "m\(n)", channel: .email, platform: "imap", conversationKey: key, kind: .message,
                    direction: role == .customer ? .inbound : .outbound, actorRole: role, actorId: role == .agent ? "anna" : nil,
                    customerKey: customer, occurredAt: t0.addingTimeInterval(minutes * 60), provenance: "t:\(n)")
    }

    /// A lost call (its recovery window of 24 h closes a day later), an open mail growing older, a mail that opens
    /// after the first `to` below, and a callback attempt.
    static var items: [Interaction] {
        var lost = message("call-1", "+15550001", .customer, 0, 1)
        lost.source = "pbx"; lost.channel = .phone; lost.platform = "asterisk"; lost.kind = .call
        lost.call = CallInfo(queue: "support", waitSeconds: 40, outcome: .abandoned)
        var attempt = message("call-2", "+15550001", .agent, 90, 2)
        attempt.source = "pbx"; attempt.channel = .phone; attempt.platform = "asterisk"; attempt.kind = .call
        attempt.call = CallInfo(queue: "support", agentId: "anna", waitSeconds: 0, outcome: .missed)
        return [lost, attempt, message("a", "c2@example.com", .customer, 5, 3), message("b", "c3@example.com", .customer, 150, 4),
                message("b", "c3@example.com", .agent, 170, 5)]
    }

    static func reports(_ data: Dataset, now: Date) -> [String] {
        let engine = MetricsEngine(settings: LiveDatasetTests.settings)
        let day = at("2026-03-03T00:00:00Z")
        return [ReportRequest(now: now), ReportRequest(now: now, by: [.channel, .queue]),
                ReportRequest(from: day, to: t0.addingTimeInterval(60 * 60), now: now),
                ReportRequest(from: day, to: t0.addingTimeInterval(160 * 60), now: now)]
            .map { JSONReportRenderer.render(engine.compute(data, request: $0)) }
    }

    @Test("with no new rows, a later moment or a later period end gives a fresh walk's report: recovery windows close, backlog ages grow")
    func timeAlone() throws {
        let scan = LiveDatasetTests.scan(Array(Self.items.enumerated()))
        var live = LiveDataset(scan: scan, settings: LiveDatasetTests.settings, now: Self.t0.addingTimeInterval(3 * 3600), walkBlock: 1)
        var pending: [Int] = []
        for hours in [3.0, 3.5, 20, 24.5, 26, 60] {
            let now = Self.t0.addingTimeInterval(hours * 3600)
            let moved = live.advance(to: now)
            #expect(moved)
            let fresh = Dataset(scan: LiveDatasetTests.scan(Array(Self.items.enumerated())), settings: LiveDatasetTests.settings, now: now)
            let kept = Self.reports(live.data, now: now), walked = Self.reports(fresh, now: now)
            #expect(LiveDatasetTests.difference(kept, walked) == nil, "at +\(hours) h")
            pending.append(MetricsEngine(settings: LiveDatasetTests.settings).compute(live.data, request: ReportRequest(now: now))
                .overall.phone?.recovery?.pending ?? -1)
        }
        // The lost call is pending until its window closes 24 h after the caller gave up, then never reached.
        #expect(pending == [1, 1, 1, 0, 0, 0])
        let counts = try #require(live.data.walkMemo).counts
        #expect(counts.kept > 0 && counts.walked > 0, "\(counts)")
    }
}
