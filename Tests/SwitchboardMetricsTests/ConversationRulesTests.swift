import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

@Suite("Conversation rules of DESIGN §5")
struct ConversationRulesTests {
    @Test func customerInitiatedConversationHasFRTAndAgentInitiatedHasNone() async throws {
        var s = Scenario()
        s.message("in", "2026-03-02T10:00:00Z", .customer)
        s.message("in", "2026-03-02T10:30:00Z", .agent, agent: "anna")
        s.message("out", "2026-03-02T09:00:00Z", .agent, agent: "boris", customer: "bob@example.com")
        s.message("out", "2026-03-02T09:30:00Z", .customer, customer: "bob@example.com")
        s.message("out", "2026-03-02T09:40:00Z", .agent, agent: "boris", customer: "bob@example.com")
        let data = try await s.dataset()
        let inbound = try #require(data.conversation("in"))
        #expect(inbound.customerInitiated)
        #expect(inbound.firstResponseAt == at("2026-03-02T10:30:00Z"))
        let outbound = try #require(data.conversation("out"))
        #expect(!outbound.customerInitiated)
        #expect(outbound.openedAt == at("2026-03-02T09:30:00Z"))
        #expect(outbound.firstResponseAt == nil)
        let r = try await s.report()
        #expect(r.overall.conversations == 2)
        #expect(r.overall.frt?.count == 1)
        #expect(r.overall.frt?.mean == 1800)
    }

    @Test func botsAutoRepliesAndSystemMessagesNeverRespond() async throws {
        var s = Scenario()
        s.message("c", "2026-03-02T10:00:00Z", .customer)
        s.message("c", "2026-03-02T10:00:05Z", .bot)
        s.message("c", "2026-03-02T10:01:00Z", .system)
        s.message("c", "2026-03-02T10:20:00Z", .agent, direction: .internal, agent: "anna")
        s.message("c", "2026-03-02T11:00:00Z", .agent, agent: "anna")
        let r = try await s.report()
        #expect(r.overall.frt?.median == 3600)
    }

    @Test func outboundOnlyConversationsAppearOnlyInOutboundVolume() async throws {
        var s = Scenario()
        s.message("campaign", "2026-03-03T08:00:00Z", .agent, agent: "anna", channel: .sms, platform: "sms")
        let r = try await s.report()
        #expect(r.overall.conversations == 0)
        #expect(r.overall.volume.total == 0)
        #expect(r.overall.volume.outboundByChannel == ["sms": 1])
    }

    @Test func explicitStatusResolvesAndReopens() async throws {
        var s = Scenario()
        s.message("t", "2026-03-02T10:00:00Z", .customer)
        s.message("t", "2026-03-02T11:00:00Z", .agent, agent: "anna")
        s.status("t", "2026-03-02T12:00:00Z", .resolved)
        s.message("t", "2026-03-03T09:00:00Z", .customer)
        s.message("t", "2026-03-03T10:00:00Z", .agent, agent: "anna")
        s.status("t", "2026-03-03T11:00:00Z", .resolved)
        let data = try await s.dataset()
        let c = try #require(data.conversation("t"))
        #expect(c.explicitStatus)
        #expect(c.resolutions == [at("2026-03-02T12:00:00Z"), at("2026-03-03T11:00:00Z")])
        #expect(c.reopens == [at("2026-03-03T09:00:00Z")])
        #expect(c.resolved)
        #expect(data.verdict("t") == .reopened(1))
        let r = try await s.report()
        #expect(r.overall.resolutionTime?.mean == 90_000)
        #expect(r.overall.fcrCount == 0)
    }

    @Test func statusReopenedLeavesConversationUnresolvedEvenAfterIdleTime() async throws {
        var s = Scenario()
        s.message("t", "2026-03-02T10:00:00Z", .customer)
        s.message("t", "2026-03-02T11:00:00Z", .agent, agent: "anna")
        s.status("t", "2026-03-02T12:00:00Z", .resolved)
        s.status("t", "2026-03-02T13:00:00Z", .reopened)
        let c = try #require(try await s.dataset().conversation("t"))
        #expect(!c.resolved)
        #expect(c.reopens.count == 1)
    }

    @Test func inferredResolutionNeedsIdleTimeBeforeNow() async throws {
        var s = Scenario()
        s.message("q", "2026-03-02T10:00:00Z", .customer)
        s.message("q", "2026-03-02T10:10:00Z", .agent, agent: "anna")
        s.message("q", "2026-03-02T10:20:00Z", .customer)
        s.message("q", "2026-03-02T11:00:00Z", .agent, agent: "anna")
        // 71h after the last reply: not yet resolved.
        let early = try #require(try await s.dataset(now: "2026-03-05T10:00:00Z").conversation("q"))
        #expect(!early.resolved)
        // 72h after: resolved at the last agent reply (the customer's answer 10 min later does not count as idle).
        let late = try #require(try await s.dataset(now: "2026-03-05T11:00:00Z").conversation("q"))
        #expect(late.resolved)
        #expect(late.resolutions == [at("2026-03-02T11:00:00Z")])
        #expect(late.reopens.isEmpty)
        #expect(!late.explicitStatus)
    }

    @Test func inferredResolutionThenCustomerReturnReopens() async throws {
        var s = Scenario()
        s.message("q", "2026-03-02T10:00:00Z", .customer)
        s.message("q", "2026-03-02T11:00:00Z", .agent, agent: "anna")
        s.message("q", "2026-03-06T09:00:00Z", .customer)
        let data = try await s.dataset()
        let c = try #require(data.conversation("q"))
        #expect(c.resolutions == [at("2026-03-02T11:00:00Z")])
        #expect(c.reopens == [at("2026-03-06T09:00:00Z")])
        #expect(!c.resolved)
        #expect(data.verdict("q") == .notResolved)
    }

    @Test func fcrNeedsOneAgent() async throws {
        var s = Scenario()
        s.message("one", "2026-03-02T10:00:00Z", .customer, customer: "a@x.com")
        s.message("one", "2026-03-02T11:00:00Z", .agent, agent: "anna", customer: "a@x.com")
        s.message("two", "2026-03-02T10:00:00Z", .customer, customer: "b@x.com")
        s.message("two", "2026-03-02T11:00:00Z", .agent, agent: "anna", customer: "b@x.com")
        s.message("two", "2026-03-02T12:00:00Z", .agent, agent: "boris", customer: "b@x.com")
        let data = try await s.dataset()
        #expect(data.verdict("one") == .resolvedFirstContact)
        #expect(data.verdict("two") == .agents(2))
        let r = try await s.report()
        #expect(r.overall.fcrEligible == 2)
        #expect(r.overall.fcrRate == 0.5)
    }

    @Test func fcrBrokenByContactOnAnotherChannelWithinWindowOfLinkedIdentity() async throws {
        var s = Scenario()
        s.message("mail-1", "2026-03-02T10:00:00Z", .customer, customer: "ann@example.com")
        s.message("mail-1", "2026-03-02T11:00:00Z", .agent, agent: "anna", customer: "ann@example.com")
        s.message("tg-1", "2026-03-05T10:00:00Z", .customer, customer: "telegram:42", channel: .chat, platform: "telegram", source: "tg")
        s.message("tg-1", "2026-03-05T10:05:00Z", .agent, agent: "anna", customer: "telegram:42", channel: .chat, platform: "telegram", source: "tg")
        // Unlinked: two different customers, so FCR holds.
        let unlinked = try await s.dataset()
        #expect(unlinked.verdict("mail-1") == .resolvedFirstContact)
        var settings = MetricsSettings()
        settings.links = CustomerLinks(rows: [["Ann@Example.com", "telegram:42", "+1 555 000 1234"]])
        let linked = try await s.dataset(settings)
        #expect(linked.verdict("mail-1") == .repeated(source: "tg", key: "tg-1", at: at("2026-03-05T10:00:00Z")))
        #expect(linked.verdict("tg-1") == .resolvedFirstContact)
        // Outside the window the second contact is not a repeat.
        settings.repeatWindow = 2 * 86400
        #expect(try await s.dataset(settings).verdict("mail-1") == .resolvedFirstContact)
    }

    @Test func aCallOfAnyCountedOutcomeBreaksFCRButIVRDoesNot() async throws {
        var s = Scenario()
        s.message("m", "2026-03-02T10:00:00Z", .customer, customer: "+15550001")
        s.message("m", "2026-03-02T10:30:00Z", .agent, agent: "anna", customer: "+15550001")
        s.call("ivr-only", "2026-03-03T10:00:00Z", .ivr)
        #expect(try await s.dataset().verdict("m") == .resolvedFirstContact)
        s.call("missed", "2026-03-04T10:00:00Z", .missed, wait: 30)
        #expect(try await s.dataset().verdict("m") == .repeated(source: "pbx", key: "missed", at: at("2026-03-04T10:00:00Z")))
    }

    @Test func conversationWithoutCustomerKeyCannotRepeat() async throws {
        var s = Scenario()
        s.message("a", "2026-03-02T10:00:00Z", .customer, customer: nil)
        s.message("a", "2026-03-02T10:30:00Z", .agent, agent: "anna", customer: nil)
        s.message("b", "2026-03-03T10:00:00Z", .customer, customer: nil)
        #expect(try await s.dataset().verdict("a") == .resolvedFirstContact)
    }
}
