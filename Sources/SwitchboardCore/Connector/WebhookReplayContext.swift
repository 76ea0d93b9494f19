import Foundation

/// Dead-letter replay of webhook deliveries.
///
/// A letter of a webhook source holds the delivery's body, which was verified (signature, secret,
/// timestamp) when it was received: a replay trusts it and does not verify it again — the secret may
/// have been rotated since and the timestamp is long stale. It decodes the body with the source's current
/// settings, as the server would, with the delivery's receipt time and the request headers it kept: every
/// header except those that carry a credential (signatures, secrets, tokens, authorization, cookies), so
/// a letter never holds a secret. Standard Webhooks needs `webhook-id` and `webhook-timestamp`; the other
/// kinds read only the body.
public enum WebhookReplayContext {
    /// The context kept with a delivery's dead letters.
    public static func context(kind: String, request: WebhookRequest) -> ReplayContext {
        var values: [String: String] = [:]
        for (name, value) in request.headers where !isCredential(name) { values["header." + name] = value }
        return ReplayContext(kind: kind, values: values)
    }

    /// The delivery again, as the server saw it, from a letter.
    public static func request(source: String, letter: DeadLetter) -> WebhookRequest {
        var headers: [String: String] = [:]
        for (key, value) in letter.replay?.values ?? [:] where key.hasPrefix("header.") {
            headers[String(key.dropFirst("header.".count))] = value
        }
        return WebhookRequest(method: "POST", path: "/webhooks/\(source)", headers: headers, body: letter.raw,
                              receivedAt: letter.at)
    }

    /// Decodes a letter of a webhook source without verifying it, as the server decodes a verified delivery.
    public static func replay(_ letter: DeadLetter, source: String, with connector: any WebhookSource) -> ReplayDecoding {
        let request = request(source: source, letter: letter)
        do {
            if let decoder = connector as? any WebhookDeliveryDecoding {
                let delivery = try decoder.decodeDelivery(request)
                return ReplayDecoding(interactions: delivery.interactions, failures: delivery.rejected.map(\.reason))
            }
            return ReplayDecoding(interactions: try connector.decode(request))
        } catch {
            return ReplayDecoding(failures: ["undecodable delivery: \(error)"])
        }
    }

    /// Header names never kept: they carry signatures or credentials.
    static func isCredential(_ name: String) -> Bool {
        let n = name.lowercased()
        return ["signature", "secret", "token", "auth", "cookie", "password", "api-key", "apikey"].contains { n.contains($0) }
    }
}
