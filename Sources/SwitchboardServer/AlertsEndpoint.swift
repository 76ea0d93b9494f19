import Foundation
import Hummingbird
import SwitchboardCore

/// `GET /alerts`: the open alerts as JSON (`{"alerts":[…]}`, the same objects as `switchboard alerts --json`),
/// under the token rule of `GET /report` (`Authorization: Bearer <server.report_token>` when it is set).
public struct AlertsEndpoint: Sendable {
    let token: [UInt8]?
    /// The JSON body, or nil when the store cannot be read (answered 503).
    let body: @Sendable () async -> String?

    public init(token: String?, body: @escaping @Sendable () async -> String?) {
        self.token = token.map { Array($0.utf8) }
        self.body = body
    }

    /// The answer to one request.
    public func answer(authorization: String?) async -> ReportEndpoint.Answer {
        if let token {
            guard let given = ReportEndpoint.bearer(authorization) else {
                var a = ReportEndpoint.text(401, "unauthorized: send Authorization: Bearer <server.report_token>")
                a.challenge = #"Bearer realm="switchboard""#
                return a
            }
            guard ReportEndpoint.constantTimeEqual(Array(given.utf8), token) else {
                var a = ReportEndpoint.text(401, "unauthorized: the bearer token does not match server.report_token")
                a.challenge = #"Bearer realm="switchboard", error="invalid_token""#
                return a
            }
        }
        guard let json = await body() else { return ReportEndpoint.text(503, "store unavailable, retry later") }
        return ReportEndpoint.Answer(status: 200, contentType: "application/json; charset=utf-8", body: json)
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/alerts") { request, _ in
            ReportEndpoint.response(await self.answer(authorization: request.headers[.authorization]))
        }
    }
}
