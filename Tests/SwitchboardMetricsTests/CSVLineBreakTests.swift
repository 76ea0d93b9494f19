import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

/// A value holding a line break (a customer identity, an agent id or a conversation key as a source sent
/// it) is quoted in both CSVs — also CR LF, which Swift treats as one character — so a spreadsheet or
/// Python's `csv` module reads one record per conversation or metric.
@Suite("CSV quoting of line breaks")
struct CSVLineBreakTests {
    static func scenario() -> Scenario {
        var s = Scenario()
        s.message("T\r\n1", "2026-03-02T10:00:00Z", .customer, customer: "ann\r\n@example.com")
        s.message("T\r\n1", "2026-03-02T11:00:00Z", .agent, agent: "an\r\nna")
        s.message("T-2", "2026-03-03T10:00:00Z", .customer, customer: "bob\r@example.com")
        s.message("T-2", "2026-03-03T10:30:00Z", .agent, agent: "bo\nris")
        s.message("T-3", "2026-03-04T10:00:00Z", .customer)
        s.message("T-3", "2026-03-04T10:30:00Z", .agent, agent: "car\rla")
        return s
    }

    @Test("the conversation list quotes fields with CR LF, CR or LF")
    func conversationListQuotesLineBreaks() async throws {
        let engine = MetricsEngine(settings: MetricsSettings())
        let now = at("2026-04-01T00:00:00Z")
        let data = try await engine.load(store: try await Self.scenario().store(), now: now).data
        let list = engine.conversations(data, request: ReportRequest(now: now), conditions: ConversationConditions())
        #expect(list.rows.count == 3)
        let csv = ConversationListRenderer.csv(list)
        for value in ["T\r\n1", "ann\r\n@example.com", "an\r\nna", "bob\r@example.com", "bo\nris", "car\rla"] {
            #expect(csv.contains("\"\(value)\""), "\(value.debugDescription) is quoted in \(csv.debugDescription)")
        }
    }

    @Test("the report CSV quotes group names with CR LF, CR or LF")
    func reportQuotesLineBreaks() async throws {
        let report = try await Self.scenario().report(by: [.agent])
        let csv = CSVReportRenderer.render(report)
        for value in ["an\r\nna", "bo\nris", "car\rla"] {
            #expect(csv.contains("agent,\"\(value)\",conversations,"), "\(value.debugDescription) is quoted in \(csv.prefix(400).debugDescription)")
        }
    }

    @Test("a metric name holding a configured name with a comma or quote (a phone.stages name) is quoted")
    func reportQuotesMetricNames() async throws {
        var s = Scenario()
        s.call("C1", "2026-03-02T10:00:00Z", .abandoned, wait: 40)
        var settings = MetricsSettings()
        settings.stages = [PhoneStage(name: "hold, \"music\"", apps: ["Queue"])]
        let csv = CSVReportRenderer.render(try await s.report(settings))
        // The one call has a queue, so it reached the stage and was abandoned there.
        #expect(csv.contains("overall,,\"phone_stage_hold, \"\"music\"\"_entered\",1\n"), "\(csv.debugDescription)")
        #expect(csv.contains("overall,,\"phone_stage_hold, \"\"music\"\"_abandoned\",1\n"))
    }
}
