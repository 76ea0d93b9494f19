import Foundation
import SwitchboardCore
import Testing

/// The served report as a place to work: the GET form, the links from its counts to `GET /conversations`
/// and on to each conversation's explanation, in headless Chromium against a running `switchboard serve`.
@Suite(.serialized) struct ConversationsServeTests {
    /// The served page without what only the served page has (the form, the links, the linked counts):
    /// what remains is the page `report --format html` writes.
    static func withoutServedParts(_ html: String) -> String {
        var s = html
        for pattern in [#"<form id="filters-form"[\s\S]*?</form>\n"#, #"<p class="tile-drill"[^>]*>[\s\S]*?</p>\n"#,
                        #"<a class="drill" href="[^"]*">"#, "</a>"] {
            s = s.replacingOccurrences(of: pattern, with: "", options: .regularExpression)
        }
        return s
    }

    /// `&amp;` and the other entities of an attribute value as Chromium serialises it.
    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The first `href` after `marker` in `html`, resolved against `page`.
    static func link(in html: String, after marker: String, from page: URL) throws -> URL {
        let start = try #require(html.range(of: marker), "\(marker) in \(html.prefix(300))")
        let rest = html[start.upperBound...]
        let href = try #require(rest.range(of: "href=\"")).upperBound
        let value = unescape(String(rest[href...].prefix { $0 != "\"" }))
        return try #require(URL(string: value, relativeTo: page)?.absoluteURL)
    }

    static func dom(_ url: URL) throws -> String {
        let r = try Browser.run(["--dump-dom", url.absoluteString])
        #expect(r.status == 0, "\(r.stderr.suffix(800))")
        #expect(Browser.consoleProblems(r.stderr).isEmpty, "\(Browser.consoleProblems(r.stderr))")
        return r.stdout
    }

    @Test func formTileListAndExplainInChromium() async throws {
        _ = try Browser.require()
        let port = try ServeTests.freePort()
        let ws = try ServeReportTests.workspace(port: port, protected: false)
        let server = try await ServeTests.serve(ws, log: "serve.log")
        defer { ServeReportTests.stop(server) }

        // What the form sends when submitted with these fields filled and boxes ticked (empty fields empty).
        let formURL = try #require(URL(string: "http://127.0.0.1:\(port)/report?from=2026-03-01&to=2026-04-01"
            + "&now=2026-04-01T12%3A00%3A00Z&channel=email&channel=chat&source=&agent=&by=agent"))
        let report = try Self.dom(formURL)
        let form = try #require(ReportHTMLBrowserTests.section(report, id: "filters-form", end: "</form>"))
        #expect(form.contains(#"name="from" value="2026-03-01""#))
        #expect(form.contains(#"value="email" checked"#) && form.contains(#"value="chat" checked"#) && !form.contains(#"value="phone" checked"#))
        #expect(form.contains(#"name="by" value="agent" checked"#))
        #expect(report.contains("channel: chat, email"), "the filters are applied")

        // A tile's number, its link, the list, the count on the list.
        let tile = try #require(ReportHTMLBrowserTests.section(report, id: "kpi-conversations", end: "</article>"))
        let number = try #require(ReportHTMLBrowserTests.attribute(tile, "data-value").flatMap(Int.init))
        #expect(number > 0)
        let listURL = try Self.link(in: tile, after: "tile-value", from: formURL)
        #expect(listURL.path == "/conversations")
        let list = try Self.dom(listURL)
        let count = try #require(ReportHTMLBrowserTests.section(list, id: "count", end: ">").flatMap { ReportHTMLBrowserTests.attribute($0, "data-value") })
        #expect(Int(count) == number, "list count \(count) vs tile \(number)")
        #expect(list.components(separatedBy: "<tr data-source=").count - 1 == number)

        // The backlog tile and the unresolved count of the resolution-rate tile, the same way.
        for (id, marker) in [("kpi-backlog", "tile-value"), ("kpi-resolution_rate", "tile-drill")] {
            let t = try #require(ReportHTMLBrowserTests.section(report, id: id, end: "</article>"))
            let n = try #require(id == "kpi-backlog" ? ReportHTMLBrowserTests.attribute(t, "data-value")
                : ReportHTMLBrowserTests.section(t, id: nil, start: "class=\"tile-drill\"", end: ">").flatMap { ReportHTMLBrowserTests.attribute($0, "data-count") })
            let page = try Self.dom(try Self.link(in: t, after: marker, from: formURL))
            let c = ReportHTMLBrowserTests.section(page, id: "count", end: ">").flatMap { ReportHTMLBrowserTests.attribute($0, "data-value") }
            #expect(c == n, "\(id): list \(c ?? "-") vs tile \(n)")
        }

        // A row's link to the explain view of that conversation.
        let row = try #require(ReportHTMLBrowserTests.section(list, id: nil, start: "<tr data-source=", end: "</tr>"))
        let source = try #require(ReportHTMLBrowserTests.attribute(row, "data-source"))
        let key = try #require(ReportHTMLBrowserTests.attribute(row, "data-key"))
        let explainURL = try Self.link(in: row, after: "<th", from: listURL)
        let explain = try Self.dom(explainURL)
        #expect(explain.contains("Conversation \(source)/\(key)"))
        #expect(explain.contains("Clocks") && explain.contains("open: first customer interaction"))
        let cli = try ws.run(["explain", "\(source)/\(key)", "--now", "2026-04-01T12:00:00Z"])
        let pre = try #require(ReportHTMLBrowserTests.section(explain, id: "explain", end: "</pre>"))
        for line in cli.stdout.split(separator: "\n") where line.contains("FRT:") || line.contains("resolution time:") {
            #expect(pre.contains(line.trimmingCharacters(in: .whitespaces)), "explain view shows \(line)")
        }
    }

    @Test func thePageIsTheReportFilePlusFormAndLinksAndTheFileHasNone() async throws {
        let port = try ServeTests.freePort()
        let ws = try ServeReportTests.workspace(port: port, protected: true)
        let server = try await ServeTests.serve(ws, log: "serve.log", env: ServeReportTests.env)
        defer { ServeReportTests.stop(server) }
        let auth = ["Authorization: Bearer \(ServeReportTests.token)"]
        let page = try ServeReportTests.get(port, "/report?\(ServeReportTests.query)&topic=billing", headers: auth)
        #expect(page.status == 200)
        #expect(page.body.contains("<form id=\"filters-form\"") && page.body.contains("<a class=\"drill\" href=\"conversations?"))
        let file = try ws.run(["report", "--format", "html", "--out", "report.html", "--topic", "billing"] + ServeReportTests.flags,
                              env: ServeReportTests.env)
        #expect(file.status == 0, "\(file.stderr)")
        let written = try String(contentsOf: ws.url("report.html"), encoding: .utf8)
        #expect(Self.withoutServedParts(page.body) == written)
        for banned in ["<a ", "href=", "<form", "<script", "http://", "https://", "src="] {
            #expect(!written.contains(banned), "the file stays self-contained and link-free: \(banned)")
        }
    }

    @Test func conversationPagesFollowTheReportTokenAndNameBadParameters() async throws {
        let port = try ServeTests.freePort()
        let ws = try ServeReportTests.workspace(port: port, protected: true)
        let server = try await ServeTests.serve(ws, log: "serve.log", env: ServeReportTests.env)
        defer { ServeReportTests.stop(server) }
        let auth = ["Authorization: Bearer \(ServeReportTests.token)"]
        for path in ["/conversations?unresolved=1", "/conversations/helpdesk/T-1001"] {
            let missing = try ServeReportTests.get(port, path)
            #expect(missing.status == 401 && missing.headers["www-authenticate"]?.hasPrefix("Bearer") == true, "\(path)")
            #expect(try ServeReportTests.get(port, path, headers: ["Authorization: Bearer wrong"]).status == 401)
        }
        let csv = try ServeReportTests.get(port, "/conversations?\(ServeReportTests.query.replacingOccurrences(of: "&by=channel&by=agent,week", with: ""))&format=csv", headers: auth)
        #expect(csv.status == 200 && csv.headers["content-type"] == "text/csv; charset=utf-8")
        let cli = try ws.run(["conversations", "--format", "csv", "--from", "2026-03-01", "--to", "2026-04-01", "--now", "2026-04-01T12:00:00Z"],
                             env: ServeReportTests.env)
        #expect(cli.status == 0 && csv.body == cli.stdout)
        let explain = try ServeReportTests.get(port, "/conversations/helpdesk/T-1001?now=2026-04-01", headers: auth)
        #expect(explain.status == 200 && explain.body.contains("Clocks"))
        #expect(try ServeReportTests.get(port, "/conversations/helpdesk/nope", headers: auth).status == 404)
        let cases: [(String, String)] = [
            ("frt-over=4x", "query parameter frt-over='4x': expected a duration"),
            ("frt-overdue=4h", "query parameter frt-overdue: unknown parameter; expected one of from, to, now"),
            ("by=agent", "query parameter by: unknown parameter"),
            ("in-backlog-at=someday", "query parameter in-backlog-at='someday': expected a date"),
            ("format=pdf", "query parameter format='pdf': expected one of html, csv, jsonl, table"),
        ]
        for (query, message) in cases {
            let answer = try ServeReportTests.get(port, "/conversations?\(query)", headers: auth)
            #expect(answer.status == 400, "\(query)")
            #expect(answer.body.hasPrefix(message), "\(query): \(answer.body)")
        }
    }
}
