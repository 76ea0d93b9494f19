import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

@Suite("Report contract (DESIGN §6)")
struct ReportContractTests {
    static func sample() -> Scenario {
        var s = Scenario()
        s.message("a", "2026-03-02T10:00:00Z", .customer, customer: "a@x.com")
        s.message("a", "2026-03-02T10:30:00Z", .agent, agent: "anna", customer: "a@x.com")
        s.message("b", "2026-03-03T10:00:00Z", .customer, customer: "b@x.com", channel: .chat, platform: "telegram", source: "tg")
        s.message("b", "2026-03-03T10:02:00Z", .agent, agent: "boris", customer: "b@x.com", channel: .chat, platform: "telegram", source: "tg")
        s.message("c", "2026-03-30T10:00:00Z", .customer, customer: "a@x.com")
        s.call("call", "2026-03-04T09:00:00Z", .answered, wait: 30, talk: 120, agent: "anna")
        s.survey("a", "2026-03-02T12:00:00Z", .csat, 5, scale: 1...5, customer: "a@x.com")
        return s
    }

    static func json(_ r: Report) throws -> [String: Any] {
        let data = Data(JSONReportRenderer.render(r).utf8)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func jsonHasTheDesignShape() async throws {
        let r = try await Self.sample().report(by: [.channel, .agent])
        let j = try Self.json(r)
        #expect(j["schema"] as? String == "switchboard.report/v1")
        let period = try #require(j["period"] as? [String: Any])
        #expect(period["from"] as? String == "2026-03-01T00:00:00.000Z")
        #expect(period["timezone"] as? String == TimeZone(identifier: "UTC")!.identifier)
        let overall = try #require(j["overall"] as? [String: Any])
        #expect(overall["conversations"] as? Int == 4)
        let frt = try #require(overall["frt"] as? [String: Any])
        #expect(frt["count"] as? Int == 3)
        #expect(frt["median"] as? Int == 120)
        #expect((frt["business"] as? [String: Any])?["p90"] as? Int == 1800)
        #expect((frt["buckets"] as? [String: Any])?["<=1h"] as? Int == 3)
        #expect((overall["csat"] as? [String: Any])?["score"] as? Int == 1)
        #expect(overall["nps"] is NSNull)
        #expect((overall["backlog"] as? [String: Any])?["open_at_end"] as? Int == 1)
        #expect(((overall["volume"] as? [String: Any])?["by_channel"] as? [String: Any])?["email"] as? Int == 2)
        #expect(((overall["phone"] as? [String: Any])?["asa"] as? Int) == 30)
        let byChannel = try #require(j["by_channel"] as? [String: Any])
        #expect(Set(byChannel.keys) == ["chat", "email", "phone"])
        let byAgent = try #require(j["by_agent"] as? [String: Any])
        #expect(Set(byAgent.keys) == ["(none)", "anna", "boris"])
        #expect(j["data_quality"] is [String: Any])
    }

    @Test func emptyPeriodGivesNullsNotZeros() async throws {
        let r = try await Self.sample().report(from: "2025-01-01T00:00:00Z", to: "2025-02-01T00:00:00Z")
        let overall = try #require(try Self.json(r)["overall"] as? [String: Any])
        #expect(overall["conversations"] as? Int == 0)
        for key in ["resolution_rate", "frt", "resolution_time", "fcr", "csat", "nps", "ces", "phone", "repeat_contact", "preferred_channels"] {
            #expect(overall[key] is NSNull, "\(key)")
        }
    }

    @Test func sameStoreAndNowGiveByteIdenticalJSON() async throws {
        let s = Self.sample()
        var reversed = Scenario()
        reversed.items = s.items.reversed()
        let a = JSONReportRenderer.render(try await s.report(by: [.channel, .agent, .day, .source]))
        let b = JSONReportRenderer.render(try await s.report(by: [.channel, .agent, .day, .source]))
        let c = JSONReportRenderer.render(try await reversed.report(by: [.channel, .agent, .day, .source]))
        #expect(a == b)
        #expect(a == c)
    }

    @Test func nearestRankPercentiles() {
        let values = (1...10).map(Double.init)
        #expect(DurationStats.nearestRank(values, 0.5) == 5)
        #expect(DurationStats.nearestRank(values, 0.9) == 9)
        #expect(DurationStats.nearestRank([7], 0.9) == 7)
        let stats = DurationStats.make(calendar: [100, 4000, 90000], business: [1, 2, 3], bounds: [3600, 86400])
        #expect(stats?.buckets.map(\.0) == ["<=1h", "1h-24h", ">24h"])
        #expect(stats?.buckets.map(\.1) == [1, 1, 1])
    }

    @Test func backlogAtEndDailySeriesAndAges() async throws {
        var s = Scenario()
        s.message("open-long", "2026-02-20T10:00:00Z", .customer)
        s.message("res", "2026-03-02T10:00:00Z", .customer, customer: "b@x.com")
        s.message("res", "2026-03-02T11:00:00Z", .agent, agent: "anna", customer: "b@x.com")
        s.status("res", "2026-03-03T12:00:00Z", .resolved)
        let r = try await s.report(from: "2026-03-01T00:00:00Z", to: "2026-03-05T00:00:00Z", now: "2026-03-05T00:00:00Z")
        let b = try #require(r.overall.backlog)
        #expect(b.openAtEnd == 1)
        #expect(b.daily.map(\.0) == ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"])
        #expect(b.daily.map(\.1) == [1, 2, 1, 1])
        #expect(b.ageBuckets[">30d"] == 0 && b.ageBuckets["7d-30d"] == 1)
    }

    @Test func filtersSelectConversations() async throws {
        let s = Self.sample()
        let engine = MetricsEngine(settings: MetricsSettings())
        let store = try await s.store()
        let chat = try await engine.report(store: store, request: ReportRequest(
            from: at("2026-03-01T00:00:00Z"), to: at("2026-04-01T00:00:00Z"), now: at("2026-04-15T00:00:00Z"), channels: [.chat]))
        #expect(chat.overall.conversations == 1)
        let anna = try await engine.report(store: store, request: ReportRequest(
            from: at("2026-03-01T00:00:00Z"), to: at("2026-04-01T00:00:00Z"), now: at("2026-04-15T00:00:00Z"), agents: ["anna"]))
        #expect(anna.overall.conversations == 2)
        #expect(anna.overall.csat?.responses == 1)
    }

    @Test func textAndCSVRenderers() async throws {
        let r = try await Self.sample().report(by: [.channel])
        let text = TextReportRenderer.render(r)
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 100 })
        #expect(text.contains("frt_email") && text.contains("met"))
        let csatAnswers = try #require(r.overall.csat?.responses)
        #expect(text.contains(csatAnswers == 1 ? "(1 answer)" : "(\(csatAnswers) answers)"))
        #expect(!text.contains("(1 answers)"))
        let csv = CSVReportRenderer.render(r)
        let lines = csv.split(separator: "\n")
        #expect(lines.first == "breakdown,group,metric,value")
        #expect(lines.contains("overall,,conversations,4"))
        #expect(lines.contains("channel,chat,frt_mean,120"))
        #expect(lines.contains("overall,,nps_score,"))
    }

    @Test func repeatContactAndPreferredChannels() async throws {
        let r = try await Self.sample().report()
        #expect(r.overall.customers == 3)
        #expect(r.overall.repeatCustomers == 1)
        #expect(r.overall.preferredChannel == ["email": 1, "chat": 1, "phone": 1])
        #expect(r.overall.channelShares?["email"] == 0.5)
    }
}
