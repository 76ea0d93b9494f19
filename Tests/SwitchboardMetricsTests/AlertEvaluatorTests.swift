import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

/// The alert rules on a rebuilt dataset (docs/alerts.md): FRT warning and breach moments per channel target,
/// who waits, the backlog filters, the abandonment window, failing sources, dead letters, business hours.
@Suite struct AlertEvaluatorTests {
    static func rule(_ name: String, _ kind: AlertRuleKind, channels: [Channel] = [], threshold: Double = 0, topic: String? = nil,
                     businessHoursOnly: Bool = false) -> AlertRule {
        AlertRule(name: name, rule: kind, channels: channels, topic: topic, threshold: threshold, minOffered: 2, window: 3600,
                  failures: 2, notify: ["ops"], businessHoursOnly: businessHoursOnly)
    }

    /// Chat c-1 opened 10:00 and waits; c-2 opened 10:00 and was answered 10:03; e-1 (e-mail) opened 10:00 and waits.
    static func scenario() -> Scenario {
        var s = Scenario()
        s.message("c-1", "2026-03-09T10:00:00Z", .customer, customer: "olga@example.org", channel: .chat, source: "chats")
        s.message("c-2", "2026-03-09T10:00:00Z", .customer, channel: .chat, source: "chats")
        s.message("c-2", "2026-03-09T10:03:00Z", .agent, agent: "anna", channel: .chat, source: "chats")
        s.message("e-1", "2026-03-09T10:00:00Z", .customer)
        return s
    }

    func evaluate(_ rules: [AlertRule], now: String, settings: MetricsSettings = MetricsSettings(), facts: AlertStoreFacts = AlertStoreFacts(),
                  scenario: Scenario = scenario()) async throws -> AlertEvaluation {
        let data = try await scenario.dataset(settings, now: now)
        return AlertEvaluator(rules: rules, settings: settings).evaluate(data, facts: facts, now: at(now))
    }

    @Test func aWaitingChatIsAtRiskAtWarnAtAndBreachedAfterItsTarget() async throws {
        let rules = [Self.rule("risk", .frtAtRisk, channels: [.chat]), Self.rule("late", .frtBreached)]
        #expect(try await evaluate(rules, now: "2026-03-09T10:03:59Z").findings.isEmpty, "before 80 % of 5 minutes")
        let warning = try await evaluate(rules, now: "2026-03-09T10:04:00Z").findings
        #expect(warning.map { "\($0.alert) \($0.subject) \($0.state.rawValue)" } == ["risk chats/c-1 warning"])
        let f = try #require(warning.first)
        #expect(f.episode == at("2026-03-09T10:00:00Z") && f.facts.customer == "olga@example.org" && f.facts.channel == "chat")
        #expect(f.facts.waitingSince == at("2026-03-09T10:00:00Z") && f.facts.targetSeconds == 300 && f.facts.agent == nil)
        #expect(try await evaluate(rules, now: "2026-03-09T10:05:00Z").findings.map(\.state) == [.warning], "exactly at the target is within")
        let breached = try await evaluate(rules, now: "2026-03-09T10:05:01Z").findings
        #expect(breached.map { "\($0.alert) \($0.state.rawValue)" } == ["risk breached", "late breached"])
        // The e-mail (24 h target) is breached by `late`, which watches every channel with a target, a day later.
        let nextDay = try await evaluate(rules, now: "2026-03-10T10:00:01Z").findings
        #expect(nextDay.filter { $0.alert == "late" }.map(\.subject).sorted() == ["chats/c-1", "mail/e-1"])
        // After resolution.idle_after (72 h) the chat is no longer watched; its open alert closes silently.
        let settings = MetricsSettings()
        let data = try await Self.scenario().dataset(settings, now: "2026-03-12T10:00:01Z")
        let open = AlertRecord(alert: "late", rule: "frt_breached", subject: "chats/c-1", episode: at("2026-03-09T10:00:00Z"), state: .breached,
                               openedAt: at("2026-03-09T10:05:01Z"), changedAt: at("2026-03-09T10:05:01Z"),
                               facts: AlertFacts(source: "chats", conversationKey: "c-1"))
        let aged = AlertEvaluator(rules: rules, settings: settings).evaluate(data, facts: AlertStoreFacts(), now: at("2026-03-12T10:00:01Z"), open: [open])
        #expect(!aged.findings.contains { $0.subject == "chats/c-1" } && aged.silent == [AlertEvaluation.key("late", "chats/c-1")])
    }

    @Test func aClearingConversationNamesWhoReplied() async throws {
        var s = Self.scenario()
        s.message("c-1", "2026-03-09T10:06:00Z", .agent, agent: "boris", channel: .chat, source: "chats")
        let data = try await s.dataset(MetricsSettings(), now: "2026-03-09T10:07:00Z")
        let open = AlertRecord(alert: "late", rule: "frt_breached", subject: "chats/c-1", episode: at("2026-03-09T10:00:00Z"), state: .breached,
                               openedAt: at("2026-03-09T10:05:01Z"), changedAt: at("2026-03-09T10:05:01Z"),
                               facts: AlertFacts(source: "chats", conversationKey: "c-1", customer: "olga@example.org"))
        let e = AlertEvaluator(rules: [Self.rule("late", .frtBreached)], settings: MetricsSettings())
            .evaluate(data, facts: AlertStoreFacts(), now: at("2026-03-09T10:07:00Z"), open: [open])
        #expect(e.findings.isEmpty && e.silent.isEmpty)
        let facts = try #require(e.clearing[AlertEvaluation.key("late", "chats/c-1")])
        #expect(facts.agent == "boris" && facts.customer == "olga@example.org" && facts.detail == "first response at 2026-03-09T10:06:00.000Z")
        // A warning still open when the reply came after the target (no instance ran at the breach): the
        // resolved notice says the target was missed, so the breach is not lost.
        let warned = AlertRecord(alert: "risk", rule: "frt_at_risk", subject: "chats/c-1", episode: at("2026-03-09T10:00:00Z"), state: .warning,
                                 openedAt: at("2026-03-09T10:04:00Z"), changedAt: at("2026-03-09T10:04:00Z"),
                                 facts: AlertFacts(source: "chats", conversationKey: "c-1", waitingSince: at("2026-03-09T10:00:00Z"), targetSeconds: 300))
        let late = AlertEvaluator(rules: [Self.rule("risk", .frtAtRisk, channels: [.chat])], settings: MetricsSettings())
            .evaluate(data, facts: AlertStoreFacts(), now: at("2026-03-09T10:07:00Z"), open: [warned])
        #expect(late.clearing[AlertEvaluation.key("risk", "chats/c-1")]?.detail
                == "first response at 2026-03-09T10:06:00.000Z, after the first-response target of 5m (breached)")
    }

    @Test func businessHoursOnlyRulesAreLookedAtOnlyWhileOpen() async throws {
        var settings = MetricsSettings(businessHours: BusinessHoursSettings(
            timeZone: TimeZone(identifier: "UTC")!, weekly: [1: [BusinessInterval(start: 9 * 60, end: 18 * 60)]], holidays: []))
        settings.targets.frt = [.chat: 300]
        let rules = [Self.rule("hours", .frtBreached, businessHoursOnly: true), Self.rule("always", .frtBreached)]
        let monday = try await evaluate(rules, now: "2026-03-09T10:30:00Z", settings: settings)
        #expect(monday.evaluated == ["hours", "always"] && monday.findings.map(\.alert) == ["hours", "always"])
        let evening = try await evaluate(rules, now: "2026-03-09T18:30:00Z", settings: settings)
        #expect(evening.evaluated == ["always"] && evening.findings.map(\.alert) == ["always"])
    }

    @Test func conditionsCountBacklogCallsFailuresAndDeadLetters() async throws {
        var s = Self.scenario()
        s.call("k1", "2026-03-09T10:10:00Z", .abandoned, wait: 30)
        s.call("k2", "2026-03-09T10:20:00Z", .answered, wait: 10, talk: 60, agent: "anna")
        s.call("k3", "2026-03-09T08:00:00Z", .abandoned, wait: 30)   // outside the hour
        s.call("k4", "2026-03-09T10:25:00Z", .ivr)                    // not offered
        let runs = ["pbx": [IngestRun(id: 3, source: "pbx", mode: "scheduled", startedAt: at("2026-03-09T10:29:00Z"), status: "failed", error: "no Master.csv"),
                            IngestRun(id: 2, source: "pbx", mode: "scheduled", startedAt: at("2026-03-09T10:28:00Z"), status: "throttled"),
                            IngestRun(id: 1, source: "pbx", mode: "scheduled", startedAt: at("2026-03-09T10:27:00Z"), status: "failed")],
                    "imap": [IngestRun(id: 5, source: "imap", mode: "scheduled", startedAt: at("2026-03-09T10:29:00Z"), status: "failed"),
                             IngestRun(id: 4, source: "imap", mode: "scheduled", startedAt: at("2026-03-09T10:28:00Z"), status: "ok")]]
        let letters = ["": [at("2026-03-09T10:29:00Z"), at("2026-03-09T10:00:00Z"), at("2026-03-09T09:00:00Z")]]
        let rules = [Self.rule("backlog", .backlogAbove, threshold: 2), Self.rule("chat-backlog", .backlogAbove, channels: [.chat], threshold: 2),
                     Self.rule("abandon", .abandonmentAbove, threshold: 0.4), Self.rule("failing", .sourceFailing),
                     Self.rule("letters", .deadLettersAbove, threshold: 1)]
        let e = try await evaluate(rules, now: "2026-03-09T10:30:00Z", facts: AlertStoreFacts(runs: runs, deadLetters: letters), scenario: s)
        let by = Dictionary(grouping: e.findings, by: \.alert)
        #expect(by["backlog"]?.first?.facts.value == 3, "c-1, c-2 (answered, not resolved) and e-1 are open")
        #expect(by["chat-backlog"] == nil, "two chats are not above 2")
        #expect(by["abandon"]?.first?.facts.value == 0.5 && by["abandon"]?.first?.facts.channel == "phone")
        #expect(by["failing"]?.map(\.subject) == ["pbx"] && by["failing"]?.first?.facts.detail == "no Master.csv",
                "throttled runs are skipped; imap failed only once")
        #expect(by["letters"]?.first?.facts.value == 2, "two within the hour")
    }

    @Test func aBreachedConditionHoldsUntilItsValueFallsToClearBelow() async throws {
        // The scenario's backlog is 3 (c-1, c-2, e-1). Threshold 3, clear_below 1: 3 is not above 3, so nothing new fires;
        // an alert already breached stays breached (3 > 1) and clears only at 1 or less.
        var rule = Self.rule("backlog", .backlogAbove, threshold: 3)
        rule.clearBelow = 1
        let now = "2026-03-09T10:30:00Z"
        let data = try await Self.scenario().dataset(MetricsSettings(), now: now)
        let evaluator = AlertEvaluator(rules: [rule], settings: MetricsSettings())
        let breached = AlertRecord(alert: "backlog", rule: "backlog_above", subject: "all", episode: at("2026-03-09T10:10:00Z"), state: .breached,
                                   openedAt: at("2026-03-09T10:10:00Z"), changedAt: at("2026-03-09T10:10:00Z"), facts: AlertFacts(value: 4, threshold: 3))
        let fresh = evaluator.evaluate(data, facts: AlertStoreFacts(), now: at(now))
        #expect(fresh.findings.isEmpty, "3 is not above the threshold 3")
        let open = evaluator.evaluate(data, facts: AlertStoreFacts(), now: at(now), open: [breached])
        #expect(open.findings.map(\.alert) == ["backlog"] && open.findings.first?.facts.value == 3, "still above clear_below: stays breached")
        #expect(open.clearing.isEmpty)
        // At clear_below 3 (the threshold's default) the same open alert clears, described as measured now.
        rule.clearBelow = nil
        let plain = AlertEvaluator(rules: [rule], settings: MetricsSettings()).evaluate(data, facts: AlertStoreFacts(), now: at(now), open: [breached])
        #expect(plain.findings.isEmpty && plain.clearing[AlertEvaluation.key("backlog", "all")]?.value == 3)
    }
}
