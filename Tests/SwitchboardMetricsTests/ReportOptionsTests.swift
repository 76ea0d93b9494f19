import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

/// The report options shared by `switchboard report` and `GET /report`.
@Suite("report options from flags and query parameters")
struct ReportOptionsTests {
    let moscow = TimeZone(identifier: "Europe/Moscow")!

    @Test func queryParametersBecomeTheSameRequestAsFlags() throws {
        let query = [("from", "2026-03-01"), ("to", "2026-04-01T00:00:00Z"), ("now", "2026-04-02"), ("by", "channel,agent"),
                     ("by", "week"), ("channel", "email"), ("channel", "chat"), ("source", "helpdesk"), ("agent", "anna"),
                     ("format", "json")]
        let fromQuery = try ReportOptions(query: query)
        let flags = ReportOptions(format: .json, from: "2026-03-01", to: "2026-04-01T00:00:00Z", now: "2026-04-02",
                                  by: ["channel,agent", "week"], channel: ["email", "chat"], source: ["helpdesk"],
                                  agent: ["anna"])
        #expect(fromQuery == flags)
        let request = try fromQuery.request(timeZone: moscow)
        #expect(request.from == at("2026-02-28T21:00:00Z"))
        #expect(request.to == at("2026-04-01T00:00:00Z"))
        #expect(request.now == at("2026-04-01T21:00:00Z"))
        #expect(request.by == [.channel, .agent, .week])
        #expect(request.channels == [.email, .chat])
        #expect(request.sources == ["helpdesk"])
        #expect(request.agents == ["anna"])
    }

    @Test func topicAndQueueFiltersComeFromTheBreakdownTable() throws {
        let fromQuery = try ReportOptions(query: [("by", "topic"), ("topic", "оплата"), ("topic", "vip"), ("queue", "support")])
        #expect(fromQuery == ReportOptions(format: .html, by: ["topic"], topic: ["оплата", "vip"], queue: ["support"]))
        let request = try fromQuery.request(timeZone: moscow)
        #expect(request.by == [.topic])
        #expect(request.topics == ["оплата", "vip"] && request.queues == ["support"])
        #expect(ReportOptions.names == ["from", "to", "now", "period", "by", "channel", "source", "agent", "queue", "topic", "format"])
        // Not every breakdown filters: platform is a breakdown only.
        #expect(throws: ReportOptions.Problem.self) { try ReportOptions(query: [("platform", "imap")]) }
        #expect(throws: ReportOptions.Problem.self) { try ReportOptions(by: ["topics"]).breakdowns() }
    }

    @Test func defaultsAreHTMLForTheServerAndTheCurrentTimeForNow() throws {
        let options = try ReportOptions(query: [])
        #expect(options.format == .html)
        #expect(options.format.contentType == "text/html; charset=utf-8")
        let current = at("2026-05-05T05:05:05Z")
        let request = try options.request(timeZone: moscow, currentTime: current)
        #expect(request.now == current)
        #expect(request.from == nil && request.to == nil && request.by.isEmpty && request.channels.isEmpty)
    }

    @Test func badParametersNameTheParameterAndWhatWasExpected() throws {
        func problem(_ query: [(String, String)]) -> ReportOptions.Problem? {
            do {
                _ = try ReportOptions(query: query).request(timeZone: moscow)
                return nil
            } catch {
                return error as? ReportOptions.Problem
            }
        }
        let now = try #require(problem([("now", "someday")]))
        #expect(now.option == "now")
        #expect(now.queryMessage == "query parameter now='someday': expected a date (2026-03-01) or an ISO 8601 timestamp (2026-03-01T12:00:00Z)")
        #expect(now.flagMessage.hasPrefix("--now 'someday': expected a date"))
        #expect(problem([("by", "colour")])?.queryMessage.hasPrefix("query parameter by='colour': expected one of channel, platform") == true)
        #expect(problem([("channel", "pigeon")])?.option == "channel")
        #expect(problem([("format", "pdf")])?.queryMessage == "query parameter format='pdf': expected one of table, json, csv, html")
        #expect(problem([("colour", "red")])?.queryMessage.contains("unknown parameter; expected one of from, to, now") == true)
        #expect(problem([("from", "2026-03-01"), ("from", "2026-03-02")])?.option == "from")
        let empty = try #require(problem([("from", "2026-03-02"), ("to", "2026-03-01")]))
        #expect(empty.option == "to")
        #expect(empty.queryMessage.contains("must be after from (2026-03-02)"))
        #expect(problem([("from", "")])?.option == "from")
    }
}
