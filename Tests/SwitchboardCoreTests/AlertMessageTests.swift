import Foundation
import SwitchboardCore
import Testing

/// The text and event of alert notices (docs/alerts.md "Notices").
@Suite struct AlertMessageTests {
    static let moscow = TimeZone(identifier: "Europe/Moscow")!

    static func notice(_ rule: AlertRuleKind, _ state: AlertState, subject: String, facts: AlertFacts) -> AlertNotice {
        AlertNotice(id: 1, alert: "a-\(rule.rawValue)", rule: rule.rawValue, subject: subject, episode: Timestamp.parseISO8601("2026-03-09T10:00:00Z")!,
                    state: state, destination: "ops", createdAt: Timestamp.parseISO8601("2026-03-09T10:04:10Z")!, facts: facts,
                    nextAttemptAt: Date())
    }

    @Test func aConversationNoticeNamesTheConversationAndItsWait() throws {
        let facts = AlertFacts(source: "chats", conversationKey: "chat-1", customer: "olga@example.org", channel: "chat",
                               waitingSince: Timestamp.parseISO8601("2026-03-09T10:00:00Z"), targetSeconds: 300)
        let m = AlertMessage.make(Self.notice(.frtAtRisk, .warning, subject: "chats/chat-1", facts: facts), timeZone: Self.moscow)
        #expect(m.subject == "[WARNING] a-frt_at_risk: chat conversation chats/chat-1")
        #expect(m.text == """
            Alert a-frt_at_risk (rule frt_at_risk) is warning.
            Chat conversation chats/chat-1.
            Customer: olga@example.org
            Waiting since: 2026-03-09 13:00:00 +03:00 (4m 10s)
            First response target: 5m
            Agent: none yet
            At: 2026-03-09 13:04:10 +03:00
            """)
        let json = try JSONParser.parse(try #require(m.event).json(timestamp: Date(timeIntervalSince1970: 0)))
        #expect(json["type"]?.string == "alert" && json["data"]?["conversation_key"]?.string == "chat-1")
        #expect(json["data"]?["state"]?.string == "warning" && json["data"]?["agent"]?.isNull == true)
        #expect(m.event?.id == "alert:a-frt_at_risk:chats/chat-1:1773050400000:warning", "one id per notice, the same on a retry")
    }

    @Test func conditionSubjectsSayWhereTheyStandOpenAndResolved() {
        func subject(_ rule: AlertRuleKind, _ state: AlertState, _ facts: AlertFacts) -> String {
            AlertMessage.make(Self.notice(rule, state, subject: facts.source ?? "all", facts: facts), timeZone: Self.moscow).subject
        }
        #expect(subject(.backlogAbove, .breached, AlertFacts(value: 57, threshold: 50)) == "[BREACHED] a-backlog_above: backlog 57 above 50")
        #expect(subject(.backlogAbove, .resolved, AlertFacts(value: 12, threshold: 50)) == "[RESOLVED] a-backlog_above: backlog back to 12 (threshold 50)")
        #expect(subject(.abandonmentAbove, .breached, AlertFacts(value: 0.25, threshold: 0.2)) == "[BREACHED] a-abandonment_above: abandonment 25.0% above 20.0%")
        #expect(subject(.sourceFailing, .breached, AlertFacts(source: "pbx", value: 3, threshold: 3)) == "[BREACHED] a-source_failing: source pbx failing")
        #expect(subject(.sourceFailing, .resolved, AlertFacts(source: "pbx", value: 0)) == "[RESOLVED] a-source_failing: source pbx recovered")
        #expect(subject(.deadLettersAbove, .breached, AlertFacts(value: 120, threshold: 100)) == "[BREACHED] a-dead_letters_above: 120 dead letters above 100")
    }
}
