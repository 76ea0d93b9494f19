import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

@Suite("HTML report")
struct HTMLReportTests {
    static func input(_ s: Scenario, names: [String: String] = [:], from: String = "2026-03-01T00:00:00Z",
                      to: String = "2026-04-01T00:00:00Z", channels: Set<Channel> = [],
                      settings: MetricsSettings = MetricsSettings()) async throws -> HTMLReportInput {
        let request = ReportRequest(from: at(from), to: at(to), now: at("2026-04-15T00:00:00Z"), channels: channels)
        return try await MetricsEngine(settings: settings).htmlInput(store: try await s.store(), request: request, agentNames: names)
    }

    /// The HTML from `start` up to and including the first `end` after it.
    static func slice(_ html: String, _ start: String, _ end: String) -> String? {
        guard let from = html.range(of: start) else { return nil }
        let rest = html[from.lowerBound...]
        guard let to = rest.range(of: end) else { return nil }
        return String(rest[..<to.upperBound])
    }

    /// The row labels of a chart's data table, in order.
    static func chartLabels(_ chart: String) -> [String] {
        chart.components(separatedBy: "<th scope=\"row\"><bdi>").dropFirst().map { String($0.prefix { $0 != "<" }) }
    }

    /// The `data-value` of the cell with this `data-key` in a table row.
    static func cellValue(_ row: String, _ key: String) -> String? {
        guard let cell = slice(row, "data-key=\"\(key)\" data-value=\"", ">") else { return nil }
        return String(cell.dropFirst("data-key=\"\(key)\" data-value=\"".count).prefix { $0 != "\"" })
    }

    /// Conversations with topics in February (the previous period) and March (the report, 28 days):
    /// billing 1 → 3, returns 3 → 1, vip 2 → 2, оплата and חשבון new, two March conversations without a topic.
    /// Resolved after: billing 1 h, 2 h, 3 h; vip 5 h, 10 m; returns 4 h; חשבון 30 m (and one unanswered); оплата unanswered.
    static func topicScenario() -> Scenario {
        var s = Scenario()
        var n = 0
        func conversation(_ day: String, _ topics: [String], resolvedAfter minutes: Int?) {
            n += 1
            let key = "t\(n)", customer = "c\(n)@x.com"
            s.message(key, "\(day)T09:00:00Z", .customer, customer: customer)
            if !topics.isEmpty { s.items[s.items.count - 1].topics = topics }
            // Without a resolution the customer waits for the answer (an answered, idle one would be resolved by inference).
            guard let minutes else { return }
            s.message(key, "\(day)T09:05:00Z", .agent, agent: "anna", customer: customer)
            s.status(key, Timestamp.formatISO8601(at("\(day)T09:00:00Z").addingTimeInterval(Double(minutes) * 60)), .resolved)
        }
        conversation("2026-02-03", ["billing"], resolvedAfter: 60)
        for _ in 0..<3 { conversation("2026-02-04", ["returns"], resolvedAfter: 60) }
        for _ in 0..<2 { conversation("2026-02-05", ["vip"], resolvedAfter: 60) }
        conversation("2026-03-02", ["billing"], resolvedAfter: 60)
        conversation("2026-03-03", ["billing"], resolvedAfter: 120)
        conversation("2026-03-04", ["billing"], resolvedAfter: 180)
        conversation("2026-03-05", ["vip"], resolvedAfter: 300)
        conversation("2026-03-06", ["vip"], resolvedAfter: 10)
        conversation("2026-03-07", ["returns"], resolvedAfter: 240)
        conversation("2026-03-08", ["оплата"], resolvedAfter: nil)
        conversation("2026-03-09", ["חשבון"], resolvedAfter: 30)
        conversation("2026-03-10", ["חשבון"], resolvedAfter: nil)
        conversation("2026-03-11", [], resolvedAfter: 20)
        conversation("2026-03-12", [], resolvedAfter: nil)
        return s
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

    @Test func topicsRankedByVolumeWithChangeAgainstThePreviousPeriod() async throws {
        let input = try await Self.input(Self.topicScenario(), from: "2026-03-01T00:00:00Z", to: "2026-03-29T00:00:00Z")
        #expect(input.report.topics.previous == ["billing": 1, "returns": 3, "vip": 2])
        let html = HTMLReportRenderer.render(input)
        for title in ["Topics by volume", "Resolution time by topic (median)"] { #expect(HTMLReportRenderer.chartTitles.contains(title)) }
        // After the charts, before the agent table.
        let charts = try #require(html.range(of: "<section id=\"charts\"")), topics = try #require(html.range(of: "<section id=\"topics\""))
        let agents = try #require(html.range(of: "<section id=\"table-agents\""))
        #expect(charts.lowerBound < topics.lowerBound && topics.lowerBound < agents.lowerBound)

        // Most conversations first, ties by label; (none) is not ranked.
        let volume = try #require(Self.slice(html, "id=\"chart-topics\"", "</figure>"))
        #expect(volume.contains("Topics by volume"))
        #expect(Self.chartLabels(volume) == ["billing", "vip", "חשבון", "returns", "оплата"])
        #expect(volume.contains("<bdi>billing</bdi></th><td>3 · ▲ 2</td>"))
        #expect(volume.contains("<bdi>vip</bdi></th><td>2 · = 0</td>"))
        #expect(volume.contains("<bdi>returns</bdi></th><td>1 · ▼ 2</td>"))
        #expect(volume.contains("<bdi>оплата</bdi></th><td>1 · new</td>"))
        #expect(volume.contains("<bdi>חשבון</bdi></th><td>2 · new</td>"))
        #expect(volume.contains("<title>billing: 3 · ▲ 2</title>") && volume.contains("data-value=\"3\""))
        #expect(!volume.contains("(none)"))

        // Slowest median first; оплата has no resolved conversation and is left out.
        let slow = try #require(Self.slice(html, "id=\"chart-topic-resolution\"", "</figure>"))
        #expect(slow.contains("Resolution time by topic (median)"))
        #expect(Self.chartLabels(slow) == ["returns", "billing", "חשבון", "vip"])
        #expect(slow.contains("<bdi>billing</bdi></th><td>2 h 00 m · 3 resolved</td>"))
        #expect(slow.contains("data-value=\"7200\""))

        // The line for conversations without a topic: 2 of 11.
        let without = try #require(Self.slice(html, "id=\"topics-without\"", "</p>"))
        #expect(without.contains("data-value=\"2\"") && without.contains("2 conversations (18.2 %) have no topic"))
        #expect(!html.contains("id=\"topics-none\"") && !html.contains("id=\"topics-rules\"") && !html.contains("id=\"topics-stale\""))
    }

    @Test func topicTableCellsCarryTheJSONNumbers() async throws {
        let input = try await Self.input(Self.topicScenario(), from: "2026-03-01T00:00:00Z", to: "2026-03-29T00:00:00Z")
        let html = HTMLReportRenderer.render(input)
        let json = try JSONParser.parse(JSONReportRenderer.render(input.report))
        let table = try #require(Self.slice(html, "<table class=\"data\" id=\"table-topics\">", "</table>"))
        let groups = try #require(json["by_topic"]?.members)
        let byTopic = try #require(json["topics"]?["by_topic"])
        #expect(groups.count == 6)
        // Table rows in ranking order, (none) last.
        let order = table.components(separatedBy: "<tr data-group=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(order == ["billing", "vip", "חשבון", "returns", "оплата", "(none)"])
        for (name, g) in groups {
            let row = try #require(Self.slice(table, "<tr data-group=\"\(name)\"", "</tr>"), "row \(name)")
            let t = byTopic[name]
            let expected: [(String, JSONValue?)] = [
                ("conversations", g["conversations"]), ("share", t?["share"]), ("previous", t?["previous"]), ("change", t?["change"]),
                ("frt_median", g["frt"]?["median"]), ("frt_p90", g["frt"]?["p90"]),
                ("resolution_median", g["resolution_time"]?["median"]), ("resolution_p90", g["resolution_time"]?["p90"]),
                ("resolution_rate", g["resolution_rate"]), ("fcr", g["fcr"]?["rate"]), ("csat", g["csat"]?["score"]),
            ]
            for (key, value) in expected {
                let cell = try #require(Self.cellValue(row, key), "\(name) \(key)")
                if let n = value?.number { #expect(Double(cell) == n, "\(name) \(key): \(cell) vs \(n)") } else { #expect(cell == "", "\(name) \(key)") }
            }
        }
        let billing = try #require(Self.slice(table, "<tr data-group=\"billing\"", "</tr>"))
        #expect(billing.contains("data-key=\"change\" data-value=\"2\">▲ 2</td>"))
        #expect(billing.contains("data-key=\"share\" data-value=\"0.272727\">27.3 %</td>"))
        // Right-to-left and Cyrillic topic names are isolated.
        #expect(table.contains("<th scope=\"row\" class=\"name\"><bdi>חשבון</bdi></th>"))
        #expect(table.contains("<th scope=\"row\" class=\"name\"><bdi>оплата</bdi></th>"))
        #expect(table.contains("<bdi>(no topic)</bdi>"))
        let returns = try #require(Self.slice(table, "<tr data-group=\"returns\"", "</tr>"))
        #expect(returns.contains("data-key=\"change\" data-value=\"-2\">▼ 2</td>"))
    }

    @Test func withoutTopicsTheSectionSaysHowToGetThem() async throws {
        var s = Scenario()
        s.message("a", "2026-03-02T10:00:00Z", .customer, customer: "a@x.com")
        s.message("a", "2026-03-02T10:30:00Z", .agent, agent: "anna", customer: "a@x.com")
        let html = HTMLReportRenderer.render(try await Self.input(s))
        let note = try #require(Self.slice(html, "id=\"topics-none\"", "</p>"))
        #expect(note.contains("No topics: add <code>topics:</code> rules to the config or import sources with labels (see docs/metrics.md)"))
        #expect(html.contains("1 conversation (100.0 %) has no topic"))
        for id in ["chart-topics", "chart-topic-resolution"] {
            let chart = try #require(Self.slice(html, "id=\"\(id)\"", "</figure>"))
            #expect(chart.contains("No data for this period.") && !chart.contains("<svg"), "\(id)")
        }
        // An empty store: the note, no line about conversations.
        let empty = HTMLReportRenderer.render(try await Self.input(Scenario()))
        #expect(empty.contains("id=\"topics-none\"") && !empty.contains("id=\"topics-without\""))
    }

    @Test func theRuleSetAndMessagesOfAnEarlierOneAreNamed() async throws {
        var s = Scenario()
        for (i, rules) in ["a1b2c3d4e5f6", "0f0f0f0f0f0f", "0f0f0f0f0f0f"].enumerated() {
            s.message("r\(i)", "2026-03-0\(i + 2)T10:00:00Z", .customer, customer: "r\(i)@x.com")
            s.items[s.items.count - 1].ruleTopics = ["billing"]
            s.items[s.items.count - 1].topicRules = rules
        }
        var settings = MetricsSettings()
        settings.topicRuleSet = "a1b2c3d4e5f6"
        let input = try await Self.input(s, settings: settings)
        #expect(input.report.topics.ruleSets == ["a1b2c3d4e5f6": 1, "0f0f0f0f0f0f": 2])
        let html = HTMLReportRenderer.render(input)
        #expect(html.contains("Rule topics from rule set <code>a1b2c3d4e5f6</code>"))
        let stale = try #require(Self.slice(html, "id=\"topics-stale\"", "</p>"))
        #expect(stale.contains("data-value=\"2\""))
        #expect(stale.contains("2 messages were classified by an earlier rule set; run <code>switchboard topics apply</code> to reclassify"))
        #expect(!html.contains("id=\"topics-none\""))
        // Only the current rule set: no reclassification hint.
        settings.topicRuleSet = "0f0f0f0f0f0f"
        let current = HTMLReportRenderer.render(try await Self.input(s, settings: settings))
        #expect(current.contains("1 message was classified by an earlier rule set"))
        var one = Scenario()
        one.message("r", "2026-03-02T10:00:00Z", .customer, customer: "r@x.com")
        one.items[0].topicRules = "0f0f0f0f0f0f"
        let clean = HTMLReportRenderer.render(try await Self.input(one, settings: settings))
        #expect(clean.contains("Rule topics from rule set <code>0f0f0f0f0f0f</code>") && !clean.contains("id=\"topics-stale\""))
    }
}
