import Foundation
import SwitchboardCore
import Testing

/// `alerts:` as pinned in the issue, and every problem reported with its line, key path and expectation.
@Suite struct AlertsConfigTests {
    let loader = ConfigLoader(registry: ConnectorRegistry([SampleImporter.self, SamplePull.self]), environment: ["SLACK_WEBHOOK_URL": "https://hooks.example.com/x"])
    let file = URL(fileURLWithPath: "/etc/switchboard/switchboard.yaml")

    static let head = """
        store: {sqlite: ./sb.db}
        business_hours:
          weekly: {mon: "09:00-18:00"}
        targets:
          frt: {chat: 5m, email: 24h}
        connectors:
          - {name: desk, kind: sample, path: ./desk.csv}
          - {name: desk-api, kind: sample-pull, path: ./api, schedule: every 5m}
        notifications:
          ops:  {kind: webhook, url: "https://ops.example.com/hook", secret: "whsec_abc"}
          team: {kind: slack, url: "${SLACK_WEBHOOK_URL}"}
          lead: {kind: email, smtp: "smtps://smtp.example.com:465", from: "a@example.com", to: [lead@example.com]}

        """

    @Test func thePinnedShapeReadsEveryRuleWithItsSettings() throws {
        let config = try loader.load(yaml: Self.head + """
            alerts:
              - {name: chat-frt, rule: frt_at_risk, channel: chat, warn_at: 80%, notify: [ops, team]}
              - {name: chat-frt-breached, rule: frt_breached, channel: chat, notify: [ops]}
              - {name: backlog, rule: backlog_above, threshold: 50, notify: [lead], business_hours_only: true}
              - {name: billing, rule: backlog_above, channel: [email, chat], topic: billing, source: desk, threshold: 5, notify: [lead]}
              - {name: abandon, rule: abandonment_above, threshold: 20%, min_offered: 8, window: 30m, notify: [team]}
              - {name: desk-down, rule: source_failing, source: desk-api, failures: 4, notify: [ops]}
              - {name: rejects, rule: dead_letters_above, threshold: 100, window: 1h, notify: [ops]}
            """, file: file)
        let a = config.alerts
        #expect(a.map(\.name) == ["chat-frt", "chat-frt-breached", "backlog", "billing", "abandon", "desk-down", "rejects"])
        #expect(a[0].rule == .frtAtRisk && a[0].channels == [.chat] && a[0].warnAt == 0.8 && a[0].notify == ["ops", "team"])
        #expect(a[1].rule == .frtBreached && !a[1].businessHoursOnly)
        #expect(a[2].rule == .backlogAbove && a[2].threshold == 50 && a[2].businessHoursOnly && a[2].channels.isEmpty)
        #expect(a[3].channels == [.email, .chat] && a[3].topic == "billing" && a[3].source == "desk")
        #expect(a[4].threshold == 0.2 && a[4].minOffered == 8 && a[4].window == 1800)
        #expect(a[5].failures == 4 && a[5].source == "desk-api")
        #expect(a[6].threshold == 100 && a[6].window == 3600)
    }

    @Test func everyProblemIsNamedWithItsKeyPathAndWhatIsExpected() throws {
        let yaml = Self.head + """
            alerts:
              - {name: a, rule: frt_at_risky, notify: [ops]}
              - {name: b, rule: frt_at_risk, channel: phone, warn_at: 120%, notify: [ops, pager]}
              - {name: c, rule: frt_breached, threshold: 5, notify: [ops]}
              - {name: d, rule: backlog_above, notify: [lead]}
              - {name: d, rule: source_failing, source: nowhere, failures: 0, notify: [ops]}
              - {name: e, rule: dead_letters_above, threshold: many, notify: []}
              - {name: f, rule: frt_at_risk, warn_at: 100%, notify: [ops]}
              - {name: g, rule: dead_letters_above, threshold: 9223372036854775807, notify: [ops]}
              - {name: h, rule: source_failing, source: desk, notify: [ops]}
            """
        let error = try #require(throws: ConfigError.self) { try loader.load(yaml: yaml, file: file) }
        let lines = error.problems.map(\.description)
        func has(_ text: String) -> Bool { lines.contains { $0.contains(text) } }
        #expect(has("alerts[0].rule: unknown rule 'frt_at_risky' (did you mean 'frt_at_risk'?)"), "\(lines)")
        #expect(has("alerts[1].warn_at: expected a fraction between 0 and 1 (0.9) or a percentage (90%), got '120%'"))
        #expect(has("alerts[1].notify[1]: unknown destination 'pager'"))
        #expect(has("alerts[1].channel: targets.frt has no target for channel 'phone'"))
        #expect(has("alerts[2].threshold: rule frt_breached takes no threshold"))
        #expect(has("alerts[3].threshold: every backlog_above alert needs threshold"))
        #expect(has("alerts[4].name: the alert name 'd' is used twice"))
        #expect(has("alerts[4].source: unknown source 'nowhere'") && has("alerts[4].failures: expected a whole number from 1 to 1000000, got '0'"))
        #expect(has("alerts[5].threshold: expected a whole number") && has("alerts[5].notify: name at least one destination"))
        #expect(has("alerts[7].threshold: expected a whole number from 0 to 1000000, got '9223372036854775807'"))
        #expect(has("alerts[6].warn_at: warn_at must lie between 0% and 100% of the target (exclusive), such as 80%"))
        #expect(has("alerts[8].source: source 'desk' has no schedule:, so serve never pulls it and this alert could never fire"))
        #expect(lines.allSatisfy { $0.hasPrefix("/etc/switchboard/switchboard.yaml:") })
        #expect(error.problems.first { $0.keyPath == "alerts[1].warn_at" }?.line == 15)
    }

    @Test func clearBelowIsReadForTheConditionRulesAndMustNotExceedTheThreshold() throws {
        let config = try loader.load(yaml: Self.head + """
            alerts:
              - {name: backlog, rule: backlog_above, threshold: 50, clear_below: 40, notify: [lead]}
              - {name: abandon, rule: abandonment_above, threshold: 20%, clear_below: 15%, notify: [team]}
              - {name: rejects, rule: dead_letters_above, threshold: 10, notify: [ops]}
            """, file: file)
        #expect(config.alerts.map(\.clearBelow) == [40, 0.15, nil])
        let error = try #require(throws: ConfigError.self) {
            try loader.load(yaml: Self.head + """
                alerts:
                  - {name: a, rule: backlog_above, threshold: 50, clear_below: 60, notify: [lead]}
                  - {name: b, rule: abandonment_above, threshold: 20%, clear_below: 25%, notify: [team]}
                  - {name: c, rule: frt_breached, channel: chat, clear_below: 3, notify: [ops]}
                """, file: file)
        }
        let lines = error.problems.map(\.description)
        #expect(lines.contains { $0.contains("alerts[0].clear_below: clear_below must be at or below threshold (50)") }, "\(lines)")
        #expect(lines.contains { $0.contains("alerts[1].clear_below: clear_below must be at or below threshold (20.0%)") }, "\(lines)")
        #expect(lines.contains { $0.contains("alerts[2].clear_below: rule frt_breached takes no clear_below") }, "\(lines)")
    }

    @Test func businessHoursOnlyNeedsACalendar() throws {
        let yaml = """
            store: {sqlite: ./sb.db}
            connectors: []
            notifications:
              ops: {kind: webhook, url: "https://ops.example.com/hook", secret: "whsec_abc"}
            alerts:
              - {name: backlog, rule: backlog_above, threshold: 50, notify: [ops], business_hours_only: true}
            """
        let error = try #require(throws: ConfigError.self) { try loader.load(yaml: yaml, file: file) }
        #expect(error.problems.map(\.description).contains { $0.contains("alerts[0].business_hours_only: business_hours_only needs a business_hours: calendar") })
    }
}
