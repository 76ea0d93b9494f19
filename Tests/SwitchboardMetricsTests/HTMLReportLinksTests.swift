import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

/// The served report page: every linked count leads to a list of exactly that many conversations; the
/// file page has no link and no form.
@Suite("Served report links")
struct HTMLReportLinksTests {
    /// Every `<a class="drill" href="conversations?…">` of a page with the number it stands on: the nearest
    /// `data-count` or `data-value` before it (the linked count, the table cell, or the tile).
    static func links(_ html: String) -> [(count: Int, query: [(String, String)])] {
        var out: [(Int, [(String, String)])] = []
        var rest = html[...]
        while let a = rest.range(of: "<a class=\"drill\" href=\"") {
            let href = rest[a.upperBound...].prefix { $0 != "\"" }.replacingOccurrences(of: "&amp;", with: "&")
            let before = html[..<a.lowerBound]
            rest = rest[a.upperBound...]
            guard href.hasPrefix("conversations?") else { continue }
            let marks = ["data-count=\"", "data-value=\""].compactMap { before.range(of: $0, options: .backwards) }
            guard let mark = marks.max(by: { $0.lowerBound < $1.lowerBound }),
                  let n = Int(before[mark.upperBound...].prefix { $0 != "\"" }) else { continue }
            let query = href.dropFirst("conversations?".count).split(separator: "&").map { pair -> (String, String) in
                let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                return (kv[0], kv.count > 1 ? kv[1] : "")
            }
            out.append((n, query))
        }
        return out
    }

    /// The list a link leads to, read as `GET /conversations` reads its query.
    static func total(_ query: [(String, String)], engine: MetricsEngine, data: Dataset) throws -> Int {
        var conditions = ConversationConditions()
        var report: [(String, String)] = []
        for (k, v) in query {
            if ConversationConditions.names.contains(k) { try conditions.set(k, v) } else { report.append((k, v)) }
        }
        let request = try ReportOptions(query: report).request(timeZone: engine.settings.timeZone)
        return engine.conversations(data, request: request, conditions: conditions).total
    }

    @Test("every linked count of the served page equals its list; the file page has no link or form")
    func everyLinkedCountEqualsItsList() async throws {
        var s = Scenario()
        s.items = MixedData.make(seed: 7, conversations: 300)
        let store = try await s.store()
        let engine = MetricsEngine(settings: FastScanTests.settings)
        let data = try await engine.load(store: store, now: FastScanTests.now).data
        let variants: [ReportOptions] = [
            ReportOptions(format: .html, from: "2026-03-04", to: "2026-03-11", now: "2026-04-02T00:00:00Z"),
            ReportOptions(format: .html, from: "2026-03-04", to: "2026-03-11", now: "2026-04-02T00:00:00Z", by: ["topic"],
                          channel: ["email", "chat", "phone"], topic: ["billing", "vip"]),
            ReportOptions(format: .html, from: "2026-03-02", to: "2026-03-09", now: "2026-04-02T00:00:00Z", agent: ["anna"]),
        ]
        for options in variants {
            let request = try options.request(timeZone: engine.settings.timeZone)
            var input = try await engine.htmlInput(store: store, request: request, agentNames: ["anna": "Anna"])
            let file = HTMLReportRenderer.render(input)
            for banned in ["<a ", "href=", "<form"] { #expect(!file.contains(banned), "file page: \(banned)") }
            input.links = HTMLReportLinks(options: options)
            let page = HTMLReportRenderer.render(input)
            #expect(page.contains("<form id=\"filters-form\" class=\"filters\" method=\"get\" action=\"report\""))
            let found = Self.links(page)
            #expect(found.count >= 8, "links on the page: \(found.count)")
            for (count, query) in found {
                #expect(try Self.total(query, engine: engine, data: data) == count, "\(query)")
            }
            let conditions = Set(found.flatMap { $0.query.map(\.0) }.filter { ConversationConditions.names.contains($0) })
            #expect(conditions.isSuperset(of: ["unresolved", "not-fcr", "in-backlog-at", "frt-missed"]), "\(conditions)")
        }
    }

    @Test("the form shows the options given and keeps queue filters it has no field for")
    func formShowsTheOptions() async throws {
        var s = Scenario()
        s.message("T-1", "2026-03-02T10:00:00Z", .customer)
        let options = ReportOptions(format: .html, from: "2026-03-01", now: "2026-04-01", by: ["agent,week"], channel: ["email"],
                                    queue: ["sales & more"])
        var input = try await MetricsEngine(settings: MetricsSettings()).htmlInput(
            store: try await s.store(), request: try options.request(timeZone: TimeZone(identifier: "UTC")!))
        input.links = HTMLReportLinks(options: options)
        let page = HTMLReportRenderer.render(input)
        #expect(page.contains(#"<input type="text" name="from" value="2026-03-01""#))
        #expect(page.contains(#"<input type="text" name="to" value="""#))
        #expect(page.contains(#"name="channel" value="email" checked"#) && !page.contains(#"name="channel" value="chat" checked"#))
        #expect(page.contains(#"name="by" value="agent" checked"#) && page.contains(#"name="by" value="week" checked"#))
        #expect(page.contains(#"<input type="hidden" name="queue" value="sales &amp; more">"#))
        #expect(page.contains("conversations?from=2026-03-01T00%3A00%3A00.000Z&amp;"))
        #expect(page.contains("queue=sales%20%26%20more"))
    }
}
