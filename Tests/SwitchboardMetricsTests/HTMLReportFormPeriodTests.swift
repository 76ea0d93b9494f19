import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

/// The served page's form keeps a named period (`GET /report?period=previous-week`): submitting the form
/// unchanged asks for the same period again instead of every day in the store.
@Suite("Served report form: named period")
struct HTMLReportFormPeriodTests {
    static func page(_ options: ReportOptions) async throws -> String {
        var s = Scenario()
        s.message("T-1", "2026-03-02T10:00:00Z", .customer)
        var input = try await MetricsEngine(settings: MetricsSettings()).htmlInput(
            store: try await s.store(), request: try options.request(timeZone: TimeZone(identifier: "UTC")!))
        input.links = HTMLReportLinks(options: options)
        return HTMLReportRenderer.render(input)
    }

    /// The `name=value` pairs a browser sends for the form as rendered (text fields, checked boxes,
    /// selected options, hidden fields), in document order.
    static func submitted(_ page: String) -> [(String, String)] {
        guard let start = page.range(of: "<form id=\"filters-form\""), let end = page.range(of: "</form>", range: start.upperBound..<page.endIndex)
        else { return [] }
        let form = String(page[start.lowerBound..<end.lowerBound])
        func attribute(_ tag: Substring, _ name: String) -> String? {
            guard let r = tag.range(of: " \(name)=\"") else { return nil }
            return String(tag[r.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
        }
        var out: [(String, String)] = []
        var select: String?
        for piece in form.split(separator: "<").map({ $0.prefix { $0 != ">" } }) {
            if piece.hasPrefix("select") { select = attribute(piece, "name") }
            else if piece.hasPrefix("/select") { select = nil }
            else if piece.hasPrefix("option"), let select, piece.contains(" selected") { out.append((select, attribute(piece, "value") ?? "")) }
            else if piece.hasPrefix("input"), let name = attribute(piece, "name") {
                let type = attribute(piece, "type") ?? "text"
                if type == "checkbox" && !piece.contains(" checked") { continue }
                out.append((name, attribute(piece, "value") ?? ""))
            }
        }
        return out
    }

    @Test("a page asked for with a named period submits that period again")
    func theFormKeepsANamedPeriod() async throws {
        let options = ReportOptions(format: .html, now: "2026-04-02T00:00:00Z", period: "previous-month", channel: ["email"])
        let sent = Self.submitted(try await Self.page(options))
        #expect(sent.filter { $0.0 == "period" }.map(\.1) == ["previous-month"], "\(sent)")
        // Read back as GET /report reads a form (empty fields are not given): the same period.
        let again = try ReportOptions(query: sent.filter { !$0.1.isEmpty }, defaultFormat: .html)
        let utc = TimeZone(identifier: "UTC")!
        let want = try options.request(timeZone: utc), got = try again.request(timeZone: utc)
        #expect(got.from == want.from && got.to == want.to && got.from != nil)
        #expect(again.filters["channel"] == ["email"])
    }

    @Test("without a named period the form sends none, so From and To decide")
    func noNamedPeriodSendsNone() async throws {
        let sent = Self.submitted(try await Self.page(ReportOptions(format: .html, from: "2026-03-01", now: "2026-04-01")))
        #expect(sent.filter { $0.0 == "period" }.map(\.1) == [""], "\(sent)")
        #expect(sent.contains { $0 == ("from", "2026-03-01") })
    }
}
