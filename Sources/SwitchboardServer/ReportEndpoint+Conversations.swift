import Foundation
import Hummingbird
import SwitchboardCore
import SwitchboardMetrics
import SwitchboardScan

/// `GET /conversations` (the conversations behind a number of the served report) and
/// `GET /conversations/{source}/{key}` (one conversation's `explain` view), under the same bearer-token
/// rule as `GET /report`.
///
/// `/conversations` takes the report's `from`, `to`, `now` and filters (`channel`, `source`, `agent`,
/// `topic`, `queue`), the conditions of `switchboard conversations` (``ConversationConditions/names``:
/// `unresolved=1`, `frt-over=4h`, …), `sort`, `limit` and `format=html|csv|jsonl|table` (default `html`).
extension ReportEndpoint {
    /// The list formats of `GET /conversations`.
    enum ListFormat: String, CaseIterable {
        case html, csv, jsonl, table
    }

    /// Rows an HTML list shows when no `limit` is given (the count above it is always the whole number).
    static let pageRows = 1000

    /// The parameters `GET /conversations` knows.
    static var conversationParameters: [String] {
        ReportOptions.names.filter { $0 != "by" && $0 != "format" } + ConversationConditions.names + ["sort", "limit", "format"]
    }

    /// Answers `GET /conversations`.
    public func answerConversations(query: [(String, String)], authorization: String?, store: any MetricsStore,
                                    currentTime: Date = Date()) async -> Answer {
        let publisher: ReportPublisher
        switch authorize(authorization) {
        case .refused(let answer): return answer
        case .ready(let p): publisher = p
        }
        let engine = publisher.engine
        let tz = engine.settings.timeZone
        var reportQuery: [(String, String)] = []
        var conditions = ConversationConditions()
        var sort = ConversationSort()
        var limit: Int?
        var format = ListFormat.html
        let request: ReportRequest
        do {
            for (key, value) in query {
                if ConversationConditions.flags.contains(key) {
                    try conditions.set(key, value, timeZone: tz)
                    continue
                }
                if value.isEmpty { continue }
                switch key {
                case _ where ConversationConditions.names.contains(key): try conditions.set(key, value, timeZone: tz)
                case "sort": sort = try ConversationSort(value)
                case "limit":
                    guard let n = Int(value), n >= 0 else {
                        throw ReportOptions.Problem(key, value: value, expected: "expected a whole number, 0 or more")
                    }
                    limit = n
                case "format":
                    guard let f = ListFormat(rawValue: value) else {
                        throw ReportOptions.Problem(key, value: value,
                                                    expected: "expected one of \(ListFormat.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    format = f
                case _ where Self.conversationParameters.contains(key): reportQuery.append((key, value))
                default:
                    throw ReportOptions.Problem(key, value: nil,
                                                expected: "unknown parameter; expected one of \(Self.conversationParameters.joined(separator: ", "))")
                }
            }
            request = try ReportOptions(query: reportQuery, defaultFormat: .table).request(timeZone: tz, currentTime: currentTime)
        } catch let problem as ReportOptions.Problem {
            return Self.text(400, problem.queryMessage)
        } catch {
            return Self.text(400, "\(error)")
        }
        do {
            let data = try await metrics(publisher, store: store).load(now: request.now).data
            let list = engine.conversations(data, request: request, conditions: conditions, sort: sort,
                                             limit: limit ?? (format == .html ? Self.pageRows : nil))
            switch format {
            case .html:
                // The links of the page fix "now", so a reload or a row's explanation shows the same clocks.
                var own = query.filter { !$0.1.isEmpty || ConversationConditions.flags.contains($0.0) }.filter { $0.0 != "now" }
                own.append(("now", Timestamp.formatISO8601(request.now)))
                let ctx = HTMLConversationPages.ListContext(request: request, conditions: conditions, query: own, timeZone: tz,
                                                            agentNames: publisher.agentNames)
                return Answer(status: 200, contentType: "text/html; charset=utf-8", body: HTMLConversationPages.list(list, ctx))
            case .csv, .jsonl, .table:
                let f = ConversationListRenderer.Format(rawValue: format.rawValue)!
                return Answer(status: 200, contentType: f.contentType, body: ConversationListRenderer.render(list, format: f))
            }
        } catch is StoreError {
            return Self.text(503, "store unavailable, retry later")
        } catch {
            return Self.text(500, "the list failed: \(error)")
        }
    }

    /// Answers `GET /conversations/{source}/{key}` (`now` may be given as a query parameter).
    public func answerExplain(source: String, key: String, query: [(String, String)], authorization: String?,
                              store: any MetricsStore, currentTime: Date = Date()) async -> Answer {
        let publisher: ReportPublisher
        switch authorize(authorization) {
        case .refused(let answer): return answer
        case .ready(let p): publisher = p
        }
        let settings = publisher.engine.settings
        let now: Date
        do {
            for (k, v) in query where k != "now" || v.isEmpty {
                guard v.isEmpty else { throw ReportOptions.Problem(k, value: nil, expected: "unknown parameter; expected now") }
            }
            now = try ReportOptions.time(query.last { $0.0 == "now" && !$0.1.isEmpty }?.1, option: "now", timeZone: settings.timeZone)
                ?? currentTime
        } catch let problem as ReportOptions.Problem {
            return Self.text(400, problem.queryMessage)
        } catch {
            return Self.text(400, "\(error)")
        }
        do {
            let text = try await Explainer(settings: settings).explain(store: store, source: source, key: key, now: now)
            return Answer(status: 200, contentType: "text/html; charset=utf-8",
                          body: HTMLConversationPages.explain(source: source, key: key, text: text))
        } catch let error as MetricsError {
            return Self.text(404, error.message)
        } catch is StoreError {
            return Self.text(503, "store unavailable, retry later")
        } catch {
            return Self.text(500, "the explanation failed: \(error)")
        }
    }

    func registerConversations(on router: Router<BasicRequestContext>, store: any MetricsStore) {
        router.get("/conversations") { request, _ in
            Self.response(await self.answerConversations(query: Self.formQuery(request.uri.query),
                                                         authorization: request.headers[.authorization], store: store))
        }
        router.get("/conversations/:source/:key") { request, context in
            // Path segments arrive percent-encoded (a key's own `/` as %2F): decode each one.
            let source = context.parameters.get("source").map { $0.removingPercentEncoding ?? $0 } ?? ""
            let key = context.parameters.get("key").map { $0.removingPercentEncoding ?? $0 } ?? ""
            return Self.response(await self.answerExplain(source: source, key: key, query: Self.formQuery(request.uri.query),
                                                          authorization: request.headers[.authorization], store: store))
        }
    }
}
