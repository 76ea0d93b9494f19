import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

@Suite("HTML report")
struct HTMLReportTests {
    static func input(_ s: Scenario, names: [String: String] = [:], from: String = "2026-03-01T00:00:00Z",
                      to: String = "2026-04-01T00:00:00Z", channels: Set<Channel> = []) async throws -> HTMLReportInput {
        let request = ReportRequest(from: at(from), to: at(to), now: at("2026-04-15T00:00:00Z"), channels: channels)
        return try await MetricsEngine(settings: MetricsSettings()).htmlInput(store: try await s.store(), request: request, agentNames: names)
    }

    /// The text of the element with this id up to its closing tag (enough for assertions on one tile or row).
    static func element(_ html: String, id: String) -> String? {
        guard let start = html.range(of: "id=\"\(id)\"") else { return nil }
        let rest = html[start.lowerBound...]
        let end = rest.range(of: "</article>") ?? rest.range(of: "</figure>") ?? rest.range(of: "</section>")
        return String(rest[..<(end?.upperBound ?? rest.endIndex)])
    }

    @Test func numbersAreFormattedForPeople() {
        #expect(HTMLFormat.duration(3900) == "1 h 05 m")
        #expect(HTMLFormat.duration(42) == "42 s")
        #expect(HTMLFormat.duration(425) == "7 m 05 s")
        #expect(HTMLFormat.duration(2 * 86400 + 3 * 3600 + 59) == "2 d 03 h")
        #expect(HTMLFormat.duration(nil) == "—")
        #expect(HTMLFormat.percent(0.9243) == "92.4 %")
        #expect(HTMLFormat.percent(1) == "100.0 %")
        #expect(HTMLFormat.count(1234567) == "1\u{202F}234\u{202F}567")
        #expect(HTMLFormat.change(current: 0.9, previous: 0.8, kind: .rate) == "▲ 10 pp")
        #expect(HTMLFormat.change(current: 600, previous: 3900, kind: .duration) == "▼ 55 m 00 s")
        #expect(HTMLFormat.escape("<b a='1'>&\"") == "&lt;b a=&#39;1&#39;&gt;&amp;&quot;")
    }

    @Test func everyTileAndChartWithValuesOfTheReport() async throws {
        let input = try await Self.input(ReportContractTests.sample())
        let html = HTMLReportRenderer.render(input)
        let g = input.report.overall
        for title in HTMLReportRenderer.chartTitles { #expect(html.contains(title), "chart \(title)") }
        let frt = try #require(Self.element(html, id: "kpi-frt_median"))
        #expect(frt.contains("data-value=\"\(Int(g.frt!.median))\""))
        #expect(frt.contains(HTMLFormat.duration(g.frt!.median)))
        let csat = try #require(Self.element(html, id: "kpi-csat"))
        #expect(csat.contains("100.0 %"))
        #expect(csat.contains("data-status=\"met\"") && csat.contains("✓ met"))
        let conversations = try #require(Self.element(html, id: "kpi-conversations"))
        #expect(conversations.contains("data-value=\"4\""))
        // The previous period (February) is empty: the change says so instead of inventing one.
        #expect(conversations.contains("vs previous period") || conversations.contains("no data in the previous period"))
        #expect(html.contains("<svg role=\"img\""))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        // Agent table rows carry the report's numbers.
        let anna = try #require(input.report.breakdowns.first { $0.0 == .agent }?.1.first { $0.0 == "anna" }?.1)
        #expect(html.contains("<tr data-group=\"anna\">"))
        #expect(html.contains("data-key=\"frt_median\" data-value=\"\(Int(anna.frt!.median))\""))
    }

    @Test func changeAgainstThePreviousPeriodOfEqualLength() async throws {
        var s = Scenario()
        s.message("old", "2026-02-10T10:00:00Z", .customer, customer: "o@x.com")
        s.message("old", "2026-02-10T11:00:00Z", .agent, agent: "anna", customer: "o@x.com")
        s.message("new", "2026-03-10T10:00:00Z", .customer, customer: "n@x.com")
        s.message("new", "2026-03-10T10:10:00Z", .agent, agent: "anna", customer: "n@x.com")
        s.message("new2", "2026-03-11T10:00:00Z", .customer, customer: "m@x.com")
        let input = try await Self.input(s, from: "2026-03-01T00:00:00Z", to: "2026-03-29T00:00:00Z")
        #expect(input.previous?.conversations == 1)
        let html = HTMLReportRenderer.render(input)
        let conv = try #require(Self.element(html, id: "kpi-conversations"))
        #expect(conv.contains("▲ 1 vs previous period"))
        let frt = try #require(Self.element(html, id: "kpi-frt_median"))
        #expect(frt.contains("▼ 50 m 00 s vs previous period"))
        #expect(frt.contains("tile-change good"))
        #expect(html.contains("2026-02-01 00:00 → 2026-03-01 00:00"))
    }

    @Test func cyrillicHebrewAndHostileNamesAreIsolatedAndEscaped() async throws {
        var s = Scenario()
        s.message("a", "2026-03-02T10:00:00Z", .customer, customer: "a@x.com")
        s.message("a", "2026-03-02T10:30:00Z", .agent, agent: "olga", customer: "a@x.com")
        s.message("b", "2026-03-03T10:00:00Z", .customer, customer: "b@x.com")
        s.message("b", "2026-03-03T10:05:00Z", .agent, agent: "dana", customer: "b@x.com")
        s.message("c", "2026-03-04T10:00:00Z", .customer, customer: "c@x.com")
        s.message("c", "2026-03-04T10:05:00Z", .agent, agent: "x", customer: "c@x.com")
        let long = String(repeating: "Константинопольская-", count: 8)
        let names = ["olga": "Ольга Петрова", "dana": "דנה לוי", "x": "<script>alert(1)</script> " + long]
        let html = HTMLReportRenderer.render(try await Self.input(s, names: names))
        #expect(html.contains("<bdi>Ольга Петрова</bdi>"))
        #expect(html.contains("<bdi>דנה לוי</bdi>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; " + long))
        #expect(!html.contains("<script>"))
        #expect(html.contains("<html lang=\"en\" dir=\"ltr\">"))
    }

    @Test func emptyDataShowsNoDataInsteadOfCharts() async throws {
        let html = HTMLReportRenderer.render(try await Self.input(Scenario()))
        for id in ["chart-frt", "chart-resolution", "chart-heatmap", "chart-channels", "chart-phone"] {
            let chart = try #require(Self.element(html, id: id))
            #expect(chart.contains("No data for this period."), "\(id)")
            #expect(!chart.contains("<svg"), "\(id)")
        }
        let frt = try #require(Self.element(html, id: "kpi-frt_median"))
        #expect(frt.contains("No data") && frt.contains("data-value=\"\""))
        #expect(html.contains("id=\"table-agents\"") && html.contains("id=\"table-quality\""))
        #expect(!html.contains("NaN") && !html.contains("inf"))
    }

    @Test func singlePointSeriesAndSingleBucketDrawWithoutNaN() {
        let one = SVGCharts.line(id: "l", title: "One day", valueName: "Open", points: [("2026-03-01", 3)]) { "\(Int($0))" }
        #expect(one.contains("<circle") && !one.contains("<path") && !one.contains("NaN"))
        let zero = SVGCharts.line(id: "z", title: "None", valueName: "Open", points: []) { "\($0)" }
        #expect(zero.contains("No data for this period.") && zero.contains("None"))
        let flat = SVGCharts.line(id: "f", title: "Flat", valueName: "Open", points: [("a", 0), ("b", 0)]) { "\($0)" }
        #expect(flat.contains("<path") && !flat.contains("NaN"))
        let bar = SVGCharts.bars(id: "b", title: "One bar", valueName: "n", bars: [.init("≤ 1 h", 1, "1")])
        #expect(bar.contains("<rect class=\"bar\"") && !bar.contains("NaN"))
    }

    @Test func phoneRatesByHourCarryServiceLevelPerHour() async throws {
        var s = Scenario()
        s.call("c1", "2026-03-04T09:00:00Z", .answered, wait: 10, talk: 60, agent: "anna")
        s.call("c2", "2026-03-04T09:10:00Z", .abandoned, wait: 40)
        s.call("c3", "2026-03-04T14:00:00Z", .answered, wait: 500, talk: 60, agent: "anna")
        let input = try await Self.input(s)
        let nine = try #require(input.report.overall.phone?.byHour[9])
        #expect(nine.offered == 2 && nine.answeredWithin == 1 && nine.serviceLevel == 0.5 && nine.abandonmentRate == 0.5)
        #expect(input.report.overall.phone?.byHour[14]?.answeredWithin == 0)
        let chart = try #require(Self.element(HTMLReportRenderer.render(input), id: "chart-phone"))
        #expect(chart.contains("09:00 Service level: 50.0 %"))
        #expect(chart.contains("14:00 Abandonment rate: 0.0 %"))
    }
}
