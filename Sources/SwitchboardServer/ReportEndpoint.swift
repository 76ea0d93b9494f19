import Foundation
import Hummingbird
import SwitchboardCore
import SwitchboardScan
import SwitchboardMetrics

/// `GET /report`: the live report, computed from the store on every request with the same
/// code as `switchboard report`. The query parameters are the command's options (`from`, `to`,
/// `now`, `period` (a named period such as `previous-week`), `by` (repeatable), `channel`, `source`, `agent`, `format=html|json|csv|table`, default
/// `html`).
///
/// When a token is set (`server.report_token`), a request must carry `Authorization: Bearer
/// TOKEN`; a missing or wrong one is answered 401 with `WWW-Authenticate: Bearer`. The token is
/// compared in constant time and never logged or echoed. A bad parameter is answered 400 with a
/// message naming it and what was expected.
public struct ReportEndpoint: Sendable {
    /// The report engine, or why it could not be set up (answered 500 on every request, so a
    /// report problem never stops the webhook receiver).
    enum Setup: Sendable {
        case ready(ReportPublisher)
        case unavailable(String)
    }

    let setup: Setup
    let token: [UInt8]?
    /// Where the report and the conversation lists get their metrics: `serve`'s live state (docs/live.md);
    /// nil reads the store on every request.
    public var loader: (any MetricsLoader)?

    /// - Parameters:
    ///   - publisher: the report engine with the config's metric settings.
    ///   - token: the bearer token; nil leaves the report open to anyone who reaches the listener.
    public init(publisher: ReportPublisher, token: String?) {
        setup = .ready(publisher)
        self.token = token.map { Array($0.utf8) }
    }

    /// An endpoint that answers 500 with `reason` (after authentication), e.g. when the
    /// customer-links file named in the config cannot be read.
    public init(unavailable reason: String, token: String?) {
        setup = .unavailable(reason)
        self.token = token.map { Array($0.utf8) }
    }

    /// An answer of the endpoint.
    public struct Answer: Sendable {
        public var status: Int
        public var contentType: String
        public var body: String
        /// The `WWW-Authenticate` challenge of a 401.
        public var challenge: String?
    }

    static func text(_ status: Int, _ message: String) -> Answer {
        Answer(status: status, contentType: "text/plain; charset=utf-8", body: message + "\n")
    }

    /// Answers one request: authenticate, read the options, compute, render.
    /// - Parameters:
    ///   - query: the decoded query parameters in order.
    ///   - authorization: the `Authorization` header, if any.
    ///   - currentTime: "now" when the query gives none.
    public func answer(query: [(String, String)], authorization: String?, store: any MetricsStore,
                       currentTime: Date = Date()) async -> Answer {
        let publisher: ReportPublisher
        switch authorize(authorization) {
        case .refused(let answer): return answer
        case .ready(let p): publisher = p
        }
        let options: ReportOptions
        let request: ReportRequest
        do {
            // An empty parameter counts as not given: a GET form sends its empty fields.
            options = try ReportOptions(query: query.filter { !$0.1.isEmpty }, defaultFormat: .html)
            request = try options.request(timeZone: publisher.engine.settings.timeZone, currentTime: currentTime)
        } catch let problem as ReportOptions.Problem {
            return Self.text(400, problem.queryMessage)
        } catch {
            return Self.text(400, "\(error)")
        }
        do {
            // The page gets the form and the links to the conversations behind its counts.
            let loader = metrics(publisher, store: store)
            let body = options.format == .html ? try await publisher.servedPage(loader: loader, request: request, options: options)
                : try await publisher.render(loader: loader, request: request, format: options.format)
            return Answer(status: 200, contentType: options.format.contentType, body: body)
        } catch is StoreError {
            return Self.text(503, "store unavailable, retry later")
        } catch {
            return Self.text(500, "the report failed: \(error)")
        }
    }

    /// The live state when `serve` keeps one, else the store read afresh.
    func metrics(_ publisher: ReportPublisher, store: any MetricsStore) -> any MetricsLoader {
        loader ?? StoreMetricsLoader(engine: publisher.engine, store: store)
    }

    /// The report engine when `authorization` carries the token (or none is set); else the 401 (or the
    /// 500 of an unavailable engine) to answer.
    func authorize(_ authorization: String?) -> Authorized {
        if let token {
            guard let given = Self.bearer(authorization) else {
                var a = Self.text(401, "unauthorized: send Authorization: Bearer <server.report_token>")
                a.challenge = #"Bearer realm="switchboard""#
                return .refused(a)
            }
            guard Self.constantTimeEqual(Array(given.utf8), token) else {
                var a = Self.text(401, "unauthorized: the bearer token does not match server.report_token")
                a.challenge = #"Bearer realm="switchboard", error="invalid_token""#
                return .refused(a)
            }
        }
        switch setup {
        case .ready(let p): return .ready(p)
        case .unavailable(let reason): return .refused(Self.text(500, "the report is not available: \(reason)"))
        }
    }

    /// What ``authorize(_:)`` decides.
    enum Authorized {
        case ready(ReportPublisher)
        case refused(Answer)
    }

    /// The credentials of `Bearer <token>` (scheme case-insensitive), or nil.
    static func bearer(_ header: String?) -> String? {
        guard let header else { return nil }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " "),
              trimmed[..<space].lowercased() == "bearer" else { return nil }
        let credentials = trimmed[space...].trimmingCharacters(in: .whitespaces)
        return credentials.isEmpty ? nil : credentials
    }

    /// Equal bytes, in time that depends only on the lengths, not on where they differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = a.count ^ b.count
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            diff |= Int(x ^ y)
        }
        return diff == 0
    }

    /// Adds `GET /report`, `GET /conversations` and `GET /conversations/{source}/{key}` to `router`,
    /// reading from `store`.
    func register(on router: Router<BasicRequestContext>, store: any MetricsStore) {
        router.get("/report") { request, _ in
            let answer = await self.answer(query: Self.formQuery(request.uri.query), authorization: request.headers[.authorization],
                                           store: store)
            return Self.response(answer)
        }
        registerConversations(on: router, store: store)
    }

    static func response(_ answer: Answer) -> Response {
        var headers: HTTPFields = [.contentType: answer.contentType, .cacheControl: "no-store"]
        if let challenge = answer.challenge { headers[.wwwAuthenticate] = challenge }
        return Response(status: HTTPResponse.Status(code: answer.status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }

    /// A query string decoded as a form sends it (`application/x-www-form-urlencoded`): `+` is a space,
    /// `%XX` a byte; pairs in order, a name without `=` has an empty value.
    static func formQuery(_ raw: String?) -> [(String, String)] {
        guard let raw, !raw.isEmpty else { return [] }
        func decode(_ s: Substring) -> String {
            let spaced = s.replacingOccurrences(of: "+", with: " ")
            return spaced.removingPercentEncoding ?? spaced
        }
        return raw.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            guard let eq = pair.firstIndex(of: "=") else { return (decode(pair), "") }
            return (decode(pair[..<eq]), decode(pair[pair.index(after: eq)...]))
        }
    }
}
