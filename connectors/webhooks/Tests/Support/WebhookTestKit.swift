import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SwitchboardCore
import SwitchboardScan
import SwitchboardServer
import SwitchboardTesting
import Testing
@testable import WebhookConnectors

/// Fixtures, signing and a live receiver for the webhook tests. Signatures are
/// computed here with swift-crypto directly, independent of the connectors' own helpers.
enum Kit {
    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        return try Data(contentsOf: url)
    }

    static let agents = AgentDirectory([
        Agent(id: "anna", name: "Anna Smirnova", emails: ["anna@example.com"],
              handles: ["telegram": "123456789", "slack": "U0ABC", "vk": "15151", "x": "4337869213"]),
    ])

    static var context: ConnectorContext {
        ConnectorContext(agents: agents, phone: PhoneSettings(defaultCountry: "US"))
    }

    static func make<C: WebhookSource>(_ type: C.Type, name: String, yaml: String) throws -> C {
        try C(name: name, settings: try ConnectorHarness.settings(for: type, yaml: yaml), context: context)
    }

    static func hmac(_ key: some DataProtocol, _ message: some DataProtocol) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(message), using: SymmetricKey(data: Data(key))))
    }

    static func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

    static var now: Int { Int(Date().timeIntervalSince1970) }

    /// Standard Webhooks headers for `body` signed with a `whsec_` key.
    static func standardHeaders(id: String, body: Data, key: String, timestamp: Int = now) -> HTTPFields {
        let raw = Data(base64Encoded: String(key.dropFirst(6)))!
        let sig = hmac(raw, Data("\(id).\(timestamp).".utf8) + body).base64EncodedString()
        return headers(["webhook-id": id, "webhook-timestamp": "\(timestamp)", "webhook-signature": "v1,\(sig)",
                        "content-type": "application/json"])
    }

    static func headers(_ pairs: [String: String]) -> HTTPFields {
        var fields = HTTPFields()
        for (k, v) in pairs { fields[HTTPField.Name(k)!] = v }
        return fields
    }

    /// Runs a live server (real socket) with `sources` and the store, then `body` with a client.
    static func live(_ sources: [String: any WebhookSource], store: any MetricsStore = InMemoryStore(),
                     maxBody: Int = 1 << 20,
                     _ body: @escaping @Sendable (any TestClientProtocol, WebhookServer) async throws -> Void) async throws {
        let server = WebhookServer(host: "127.0.0.1", port: 0, sources: sources, store: store, maxBody: maxBody)
        try await server.application().test(.live) { client in try await body(client, server) }
    }

    static func text(_ r: TestResponse) -> String { String(decoding: r.body.readableBytesView, as: UTF8.self) }
}

extension TestClientProtocol {
    @discardableResult
    func post(_ path: String, _ body: Data, _ headers: HTTPFields) async throws -> TestResponse {
        try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    func get(_ path: String) async throws -> TestResponse {
        try await execute(uri: path, method: .get)
    }

    func postStatus(_ path: String, _ body: Data, _ headers: HTTPFields) async throws -> HTTPResponse.Status {
        try await post(path, body, headers).status
    }

    func getStatus(_ path: String) async throws -> HTTPResponse.Status {
        try await get(path).status
    }
}
