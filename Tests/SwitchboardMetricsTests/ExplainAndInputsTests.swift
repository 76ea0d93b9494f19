import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

@Suite("explain, customer links and report arguments")
struct ExplainAndInputsTests {
    @Test func explainShowsInteractionsClocksAndFCRVerdict() async throws {
        var s = Scenario()
        s.message("T-1", "2026-03-02T10:00:00Z", .customer)
        s.message("T-1", "2026-03-02T10:00:05Z", .bot)
        s.message("T-1", "2026-03-02T11:00:00Z", .agent, agent: "anna")
        s.status("T-1", "2026-03-02T12:00:00Z", .resolved)
        s.message("T-2", "2026-03-04T10:00:00Z", .customer)
        s.survey("T-1", "2026-03-02T13:00:00Z", .csat, 5, scale: 1...5)
        let text = try await Explainer(settings: MetricsSettings())
            .explain(store: try await s.store(), key: "mail/T-1", now: at("2026-04-01T00:00:00Z"))
        #expect(text.contains("Conversation mail/T-1"))
        #expect(text.contains("2026-03-02T10:00:05.000Z  message outbound bot"))
        #expect(text.contains("first response by anna"))
        #expect(text.contains("FRT: 3600s (1h 00m) calendar"))
        #expect(text.contains("resolved (status)"))
        #expect(text.contains("resolution time: 7200s"))
        #expect(text.contains("not FCR: the customer came back in mail/T-2"))
        await #expect(throws: MetricsError.self) {
            try await Explainer(settings: MetricsSettings()).explain(store: try await s.store(), key: "nope", now: Date())
        }
    }

    @Test func customerLinksFileWithCommentHeaderAndMergedRows() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("links-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try """
            # identities of one person per row
            email,phone,other
            Olga@Example.org, +7 916 765-43-21 ,vk:9
            telegram:77,vk:9

            bob@example.com
            """.write(to: url, atomically: true, encoding: .utf8)
        let links = try CustomerLinks(contentsOf: url, defaultCountry: "RU")
        #expect(links.customer("vk:9") == "olga@example.org")
        #expect(links.customer("+79167654321") == "olga@example.org")
        #expect(links.customer("telegram:77") == "olga@example.org")
        #expect(links.customer("email") == "email")
        #expect(links.customer("carol@example.com") == "carol@example.com")
        #expect(throws: MetricsError.self) { try CustomerLinks(contentsOf: url.appendingPathExtension("missing")) }
    }

    @Test func reportTimesAndBreakdowns() throws {
        let moscow = TimeZone(identifier: "Europe/Moscow")!
        #expect(ReportTime.parse("2026-03-01", timeZone: moscow) == at("2026-02-28T21:00:00Z"))
        #expect(ReportTime.parse("2026-03-01T12:00:00+03:00", timeZone: moscow) == at("2026-03-01T09:00:00Z"))
        #expect(ReportTime.parse("March 1st", timeZone: moscow) == nil)
        #expect(try ReportTime.breakdowns(["channel,agent", "day", "channel"]) == [.channel, .agent, .day])
        #expect(throws: MetricsError.self) { try ReportTime.breakdowns(["colour"]) }
    }

    @Test func weeksAndMonthsInTheBusinessTimezone() async throws {
        var s = Scenario()
        // Sunday 23:30 UTC is Monday 02:30 in Moscow: ISO week 10, March.
        s.message("late", "2026-03-01T23:30:00Z", .customer)
        var settings = MetricsSettings(timeZone: TimeZone(identifier: "Europe/Moscow")!)
        settings.idleAfter = 3600
        let r = try await s.report(settings, from: "2026-02-01T00:00:00Z", by: [.day, .week, .month])
        let keys = r.breakdowns.map { $0.1.map(\.0) }
        #expect(keys == [["2026-03-02"], ["2026-W10"], ["2026-03"]])
        #expect(r.overall.volume.byWeekdayHour["mon"]?["02"] == 1)
    }
}
