import Foundation

/// What one verified webhook delivery holds once decoded: the interactions to
/// store, the parts of it that could not become interactions (kept as dead
/// letters), and events recognised but deliberately not stored (delivery
/// receipts, typing notices), counted so nothing disappears unseen.
public struct WebhookDelivery: Sendable {
    /// A part of the delivery that could not be decoded.
    public struct Rejected: Sendable, Hashable {
        public var reason: String
        public var raw: Data
        public init(reason: String, raw: Data) {
            self.reason = reason
            self.raw = raw
        }
    }

    public var interactions: [Interaction]
    public var rejected: [Rejected]
    /// Event kind → how many were received and intentionally not stored.
    public var ignored: [String: Int]
    /// The answer after a durable commit; nil means the server's default (`200`, empty body).
    public var acknowledgement: WebhookResponse?

    public init(interactions: [Interaction] = [], rejected: [Rejected] = [], ignored: [String: Int] = [:],
                acknowledgement: WebhookResponse? = nil) {
        self.interactions = interactions
        self.rejected = rejected
        self.ignored = ignored
        self.acknowledgement = acknowledgement
    }

    /// Counts one ignored event of `kind`.
    public mutating func ignore(_ kind: String) { ignored[kind, default: 0] += 1 }
}

/// A webhook source that reports more than a list of interactions: partial
/// rejects, ignored events and its own acknowledgement body (VK's `ok`).
///
/// The server prefers this over ``WebhookSource/decode(_:)`` when a source conforms.
///
/// ```swift
/// func decodeDelivery(_ request: WebhookRequest) throws -> WebhookDelivery {
///     var d = WebhookDelivery(acknowledgement: WebhookResponse(body: Data("ok".utf8)))
///     d.interactions = try decode(request)
///     return d
/// }
/// ```
public protocol WebhookDeliveryDecoding: WebhookSource {
    /// Decodes a verified delivery. Throws when the body as a whole is unusable
    /// (the server then keeps it as a dead letter and still answers 2xx).
    func decodeDelivery(_ request: WebhookRequest) throws -> WebhookDelivery
}

extension WebhookDeliveryDecoding {
    public func decode(_ request: WebhookRequest) throws -> [Interaction] {
        try decodeDelivery(request).interactions
    }
}

extension ConnectorError.Code {
    /// The request carried a timestamp outside the accepted window (replay protection).
    public static let staleTimestamp = ConnectorError.Code(raw: "stale-timestamp")
}
