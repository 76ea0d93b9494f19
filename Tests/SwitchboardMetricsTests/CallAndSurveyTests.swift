import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

@Suite("Calls and surveys")
struct CallAndSurveyTests {
    /// One call of every outcome, 10:00–10:08 on a Monday.
    static func calls() -> Scenario {
        var s = Scenario()
        s.call("answered-fast", "2026-03-02T10:00:00Z", .answered, wait: 20, talk: 300, agent: "anna", customer: "+15550011")
        s.call("answered-slow", "2026-03-02T10:01:00Z", .answered, wait: 100, talk: 100, agent: "boris", customer: "+15550012")
        s.call("abandoned", "2026-03-02T10:02:00Z", .abandoned, wait: 40, customer: "+15550013")
        s.call("abandoned-short", "2026-03-02T10:03:00Z", .abandoned, wait: 3, customer: "+15550014")
        s.call("short", "2026-03-02T10:04:00Z", .shortAbandon, wait: 2, customer: "+15550015")
        s.call("missed", "2026-03-02T10:05:00Z", .missed, wait: 25, customer: "+15550016")
        s.call("timeout", "2026-03-02T10:06:00Z", .timeout, wait: 60, customer: "+15550017")
        s.call("busy", "2026-03-02T10:07:00Z", .busy, customer: "+15550018")
        s.call("failed", "2026-03-02T10:07:30Z", .failed, customer: "+15550019")
        s.call("ivr", "2026-03-02T10:08:00Z", .ivr, customer: "+15550020")
        return s
    }

    @Test func everyCallOutcomeFollowsTheRules() async throws {
        let data = try await Self.calls().dataset()
        let fast = try #require(data.conversation("answered-fast"))
        #expect(fast.firstResponseAt == at("2026-03-02T10:00:20Z"))
        #expect(fast.resolvedAt == at("2026-03-02T10:05:20Z"))
        #expect(data.agentNames(fast) == ["anna"])
        #expect(fast.backlogIntervals.isEmpty)
        for key in ["abandoned", "missed", "timeout", "busy", "failed"] {
            let c = try #require(data.conversation(key))
            #expect(c.firstResponseAt == nil && !c.resolved && c.counts, "\(key)")
        }
        #expect(data.conversation("abandoned-short")?.call?.outcome == .shortAbandon)
        #expect(data.conversation("short")?.counts == false)
        #expect(data.conversation("ivr")?.counts == false)
    }

    @Test func phoneMetrics() async throws {
        let r = try await Self.calls().report()
        let p = try #require(r.overall.phone)
        #expect(p.offered == 5)             // answered ×2, abandoned, missed, timeout
        #expect(p.answered == 2)
        #expect(p.abandoned == 1)
        #expect(p.shortAbandoned == 2)
        #expect(p.abandonmentRate == 0.2)
        #expect(p.asa == 60)
        #expect(p.aht == 200)
        #expect(p.serviceLevel == 0.2)     // only the 20 s answer is within 60 s
        #expect(p.byHour[10]?.offered == 5)
        #expect(p.byWeekday[1]?.answered == 2)
        // conversations: 10 calls minus ivr and the two short abandons; volume keeps them all.
        #expect(r.overall.conversations == 7)
        #expect(r.overall.volume.total == 10)
        #expect(r.overall.resolved == 2)
        #expect(r.overall.frt?.mean == 60)
        #expect(r.overall.backlog?.openAtEnd == 0)
        let target = try #require(r.overall.targets.first { $0.name == "phone_answer" })
        #expect(target.within == 1 && target.beyond == 4 && !target.met)
    }

    @Test func csatOnFivePointAndTenPointScales() async throws {
        var s = Scenario()
        s.message("t1", "2026-03-02T10:00:00Z", .customer)
        s.message("t1", "2026-03-02T10:30:00Z", .agent, agent: "anna")
        s.message("t1", "2026-03-02T11:00:00Z", .agent, agent: "boris")
        s.survey("t1", "2026-03-03T09:00:00Z", .csat, 4, scale: 1...5)
        s.survey("t1", "2026-03-03T09:01:00Z", .csat, 3, scale: 1...5)
        s.survey("t1", "2026-03-03T09:02:00Z", .csat, 9, scale: 0...10)
        s.survey("t1", "2026-03-03T09:03:00Z", .csat, 8, scale: 1...10)
        let r = try await s.report(by: [.agent])
        let csat = try #require(r.overall.csat)
        #expect(csat.responses == 4)
        #expect(csat.score == 0.5)
        // Credited to the conversation's last agent, although anna owns the conversation.
        let agents = Dictionary(uniqueKeysWithValues: try #require(r.breakdowns.first?.1))
        #expect(agents["boris"]?.csat?.responses == 4)
        #expect(agents["anna"]?.csat == nil)
        #expect(agents["anna"]?.conversations == 1)
    }

    @Test func npsAndCES() async throws {
        var s = Scenario()
        for (i, score) in [10.0, 9, 8, 7, 6, 0].enumerated() {
            s.survey("x\(i)", "2026-03-05T10:0\(i):00Z", .nps, score, scale: 0...10, customer: nil)
        }
        s.survey("y1", "2026-03-05T11:00:00Z", .ces, 2, scale: 1...7, customer: nil)
        s.survey("y2", "2026-03-05T11:00:00Z", .ces, 5, scale: 1...7, customer: nil)
        s.survey("y3", "2026-03-05T11:00:00Z", .ces, 5, scale: 1...7, customer: nil)
        let r = try await s.report()
        let nps = try #require(r.overall.nps)
        #expect(nps.responses == 6)
        #expect(abs(nps.score - 0) < 1e-9)            // 2 promoters, 2 detractors
        let ces = try #require(r.overall.ces)
        #expect(ces.score == 4)
        #expect(ces.distribution == [2: 1, 5: 2])
    }

    @Test func surveyAttachesByKeyElseToTheCustomersLatestConversationWithinSevenDays() async throws {
        var s = Scenario()
        s.message("old", "2026-03-01T10:00:00Z", .customer)
        s.message("old", "2026-03-01T10:10:00Z", .agent, agent: "anna")
        s.message("new", "2026-03-03T10:00:00Z", .customer)
        s.message("new", "2026-03-03T10:10:00Z", .agent, agent: "boris")
        s.survey("unknown-key", "2026-03-04T10:00:00Z", .csat, 5, scale: 1...5)
        s.survey("old", "2026-03-04T10:00:00Z", .csat, 5, scale: 1...5)
        s.survey("unknown-key-2", "2026-03-20T10:00:00Z", .csat, 5, scale: 1...5)
        let data = try await s.dataset()
        let attached = Dictionary(uniqueKeysWithValues: data.surveys.map {
            (data.tables.keys.string($0.key), $0.conversation.map { data.key(of: data.conversations[$0]) } ?? "-")
        })
        #expect(attached == ["unknown-key": "new", "old": "old", "unknown-key-2": "-"])
    }
}
