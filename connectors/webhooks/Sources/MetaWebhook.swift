import Foundation
import SwitchboardCore

/// Meta Graph webhooks: Messenger (`object: page`), Instagram (`object: instagram`)
/// and WhatsApp Cloud API (`object: whatsapp_business_account`) (FORMATS §3).
///
/// Handshake: `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…` echoes the challenge.
/// Verification: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, body)>`.
/// Dedupe keys: `message.mid`, WhatsApp `wamid…`. Echoes (`is_echo`) are the business side:
/// bot when their `app_id` is in `bot_app_ids`, agent otherwise. WhatsApp delivery statuses
/// are acknowledged and counted as ignored, never stored as messages.
///
/// Topics (`topics` setting, id → topic): a WhatsApp message gets the topic mapped to its business
/// number's `phone_number_id` or `display_phone_number` (any formatting: compared by digits), else the
/// `display_phone_number` itself as Meta sends it; a Messenger / Instagram message gets the topic mapped
/// to its Page / Instagram account id, else none.
public struct MetaWebhook: WebhookDeliveryDecoding {
    public struct Settings: Decodable, Sendable {
        public var app_secret: String?
        public var verify_token: String?
        public var page_ids: [String]?
        public var bot_app_ids: [String]?
        public var topics: IdTopicSetting?
    }

    public static let kind = "meta"
    public static let summary = "Meta webhooks: Messenger, Instagram, WhatsApp Cloud API (X-Hub-Signature-256)"
    public static let settings: [SettingSpec] = [
        SettingSpec("app_secret", "string", required: true, "the app secret signing X-Hub-Signature-256"),
        SettingSpec("verify_token", "string", required: true, "the token Meta sends in the hub.challenge handshake"),
        SettingSpec("page_ids", "[string]", "Page, Instagram account and WhatsApp phone_number_id values of the business (default: entry ids)"),
        SettingSpec("bot_app_ids", "[string]", "app ids whose echoed messages are bot replies (others are agent replies)"),
        SettingSpec("topics", "{id: topic}",
                    "Page / Instagram account id, WhatsApp phone_number_id or display number → topic of its messages (default: WhatsApp messages get the display number, Page and Instagram messages none)"),
    ]

    let name: String
    let appSecret: Data
    let verifyToken: String
    let pageIds: Set<String>
    let botAppIds: Set<String>
    let agents: AgentDirectory
    let defaultCountry: String?
    /// `topics` by id as written.
    let topics: TopicMap
    /// `topics` whose id is a phone number, by its digits (display numbers come as `15550783881`).
    let numberTopics: [String: [String]]

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        appSecret = Data(try WebhookSettingsCheck.secret(settings.app_secret, key: "app_secret", kind: Self.kind).utf8)
        verifyToken = try WebhookSettingsCheck.secret(settings.verify_token, key: "verify_token", kind: Self.kind)
        pageIds = Set(settings.page_ids ?? [])
        botAppIds = Set(settings.bot_app_ids ?? [])
        agents = context.agents
        defaultCountry = context.phone.defaultCountry
        topics = try TopicMap(settings.topics?.entries, key: "topics", kind: Self.kind)
        var numbers: [String: [String]] = [:]
        for (id, _) in settings.topics?.entries ?? [:] {
            let key = id.trimmingCharacters(in: .whitespaces)
            if let digits = Self.phoneDigits(key), let mapped = topics.topics(key) { numbers[digits] = mapped }
        }
        numberTopics = numbers
    }

    /// The digits of a phone number written with `+`, spaces, `-`, `.` or parentheses; nil for anything else
    /// (letters, fewer than 6 digits).
    static func phoneDigits(_ text: String) -> String? {
        var digits = ""
        for u in text.unicodeScalars {
            switch u {
            case "0"..."9": digits.unicodeScalars.append(u)
            case "+", " ", "-", ".", "(", ")", "\u{00A0}": continue
            default: return nil
            }
        }
        return digits.count >= 6 ? digits : nil
    }

    /// The topics of a WhatsApp business number: the mapped topic, else the display number.
    func whatsAppTopics(phoneNumberId: String?, display: String?) -> [String] {
        if let mapped = topics.topics(phoneNumberId) ?? topics.topics(display) { return mapped }
        if !numberTopics.isEmpty, let display, let digits = Self.phoneDigits(display), let mapped = numberTopics[digits] {
            return mapped
        }
        return display.flatMap { Topics.normalize(label: $0) }.map { [$0] } ?? []
    }

    public func handshake(_ request: WebhookRequest) -> WebhookResponse? {
        guard request.query["hub.mode"] == "subscribe", let challenge = request.query["hub.challenge"] else { return nil }
        guard let token = request.query["hub.verify_token"], WebhookSignature.constantTimeEqual(token, verifyToken) else {
            return WebhookResponse(status: 403, body: Data("verify token mismatch".utf8))
        }
        return WebhookResponse(status: 200, body: Data(challenge.utf8))
    }

    public func verify(_ request: WebhookRequest) throws {
        guard let header = request.headers["x-hub-signature-256"], header.hasPrefix("sha256="),
              let given = WebhookSignature.fromHex(header.dropFirst(7)) else {
            throw WebhookSignature.mismatch("X-Hub-Signature-256 missing or malformed")
        }
        let expected = WebhookSignature.hmacSHA256(key: appSecret, [request.body])
        guard WebhookSignature.constantTimeEqual(given, expected) else {
            throw WebhookSignature.mismatch("X-Hub-Signature-256 does not match")
        }
    }

    public func decodeDelivery(_ request: WebhookRequest) throws -> WebhookDelivery {
        let root = try WebhookJSON.parse(request)
        guard let object = root["object"]?.string, let entries = root["entry"]?.array else {
            throw ConnectorError(.format, WebhookJSON.missing("object/entry", at: "/"))
        }
        var delivery = WebhookDelivery()
        for (e, entry) in entries.enumerated() {
            switch object {
            case "page", "instagram":
                decodeMessaging(entry, path: "/entry/\(e)", platform: object == "page" ? "facebook" : "instagram",
                                request: request, into: &delivery)
            case "whatsapp_business_account":
                decodeWhatsApp(entry, path: "/entry/\(e)", request: request, into: &delivery)
            default:
                delivery.ignore("meta.\(object)")
            }
        }
        return delivery
    }

    private func decodeMessaging(_ entry: JSONValue, path: String, platform: String, request: WebhookRequest,
                                 into delivery: inout WebhookDelivery) {
        let entryId = entry["id"]?.stringOrNumber
        let entryTopics = topics.topics(entryId)
        for (m, event) in (entry["messaging"]?.array ?? []).enumerated() {
            let at = "\(path)/messaging/\(m)"
            guard let message = event["message"] else {
                let kind = ["delivery", "read", "postback", "reaction", "optin", "referral"].first { event[$0] != nil } ?? "other"
                delivery.ignore("\(platform).\(kind)")
                continue
            }
            guard let mid = message["mid"]?.string, let sender = event["sender"]?["id"]?.stringOrNumber,
                  let recipient = event["recipient"]?["id"]?.stringOrNumber,
                  let time = WebhookJSON.epoch(event["timestamp"], milliseconds: true) else {
                delivery.reject(WebhookJSON.missing("message.mid/sender/recipient/timestamp", at: at), body: request.body)
                continue
            }
            let echo = message["is_echo"]?.bool == true || pageIds.contains(sender)
            let page = echo ? sender : recipient
            let customer = echo ? recipient : sender
            var role = ActorRole.customer
            var actorId: String? = "\(platform):\(customer)"
            if echo {
                let appId = message["app_id"]?.stringOrNumber
                role = appId.map { botAppIds.contains($0) } == true ? .bot : .agent
                actorId = appId.flatMap { agents.agent(platform: platform, handle: $0) }
            }
            delivery.interactions.append(Interaction(
                source: name, externalId: mid, channel: .social, platform: platform,
                conversationKey: "\(platform):\(entryId ?? page):\(customer)", kind: .message,
                direction: echo ? .outbound : .inbound, actorRole: role, actorId: actorId,
                customerKey: "\(platform):\(customer)", occurredAt: time, text: message["text"]?.string,
                attachments: message["attachments"]?.array?.count ?? 0,
                provenance: WebhookJSON.provenance(name, request, String(at.dropFirst())),
                topics: entryTopics ?? (entryId == nil ? topics.topics(page) : nil) ?? []))
        }
    }

    private func decodeWhatsApp(_ entry: JSONValue, path: String, request: WebhookRequest,
                                into delivery: inout WebhookDelivery) {
        for (c, change) in (entry["changes"]?.array ?? []).enumerated() {
            let at = "\(path)/changes/\(c)/value"
            guard let value = change["value"] else {
                delivery.reject(WebhookJSON.missing("value", at: "\(path)/changes/\(c)"), body: request.body)
                continue
            }
            let phoneNumberId = value["metadata"]?["phone_number_id"]?.stringOrNumber
            let business = phoneNumberId ?? entry["id"]?.stringOrNumber ?? "unknown"
            let numberTopics = whatsAppTopics(phoneNumberId: phoneNumberId,
                                              display: value["metadata"]?["display_phone_number"]?.stringOrNumber)
            var names: [String: String] = [:]
            for contact in value["contacts"]?.array ?? [] {
                if let id = contact["wa_id"]?.stringOrNumber, let n = contact["profile"]?["name"]?.string { names[id] = n }
            }
            for _ in value["statuses"]?.array ?? [] { delivery.ignore("whatsapp.status") }
            for (m, message) in (value["messages"]?.array ?? []).enumerated() {
                appendWhatsApp(message, customerField: "from", outbound: false, business: business, names: names,
                               topics: numberTopics, at: "\(at)/messages/\(m)", request: request, into: &delivery)
            }
            // Messages the business sent from the WhatsApp Business app (coexistence echoes).
            for (m, message) in (value["message_echoes"]?.array ?? []).enumerated() {
                appendWhatsApp(message, customerField: "to", outbound: true, business: business, names: names,
                               topics: numberTopics, at: "\(at)/message_echoes/\(m)", request: request, into: &delivery)
            }
        }
    }

    private func appendWhatsApp(_ message: JSONValue, customerField: String, outbound: Bool, business: String,
                                names: [String: String], topics: [String], at: String, request: WebhookRequest,
                                into delivery: inout WebhookDelivery) {
        guard let id = message["id"]?.string, let waId = message[customerField]?.stringOrNumber,
              let time = WebhookJSON.epoch(message["timestamp"]) else {
            delivery.reject(WebhookJSON.missing("id/\(customerField)/timestamp", at: at), body: request.body)
            return
        }
        let phone = PhoneNumber.e164("+" + waId, defaultCountry: defaultCountry)
        let customerKey = phone ?? "whatsapp:\(waId)"
        let type = message["type"]?.string ?? "text"
        let text = message["text"]?["body"]?.string ?? message[type]?["caption"]?.string
        delivery.interactions.append(Interaction(
            source: name, externalId: id, channel: .social, platform: "whatsapp",
            conversationKey: "whatsapp:\(business):\(waId)", kind: .message,
            direction: outbound ? .outbound : .inbound, actorRole: outbound ? .agent : .customer,
            actorId: outbound ? nil : customerKey, actorName: outbound ? nil : names[waId],
            customerKey: customerKey, occurredAt: time, text: text,
            attachments: ["image", "document", "audio", "video", "sticker"].contains(type) ? 1 : 0,
            provenance: WebhookJSON.provenance(name, request, String(at.dropFirst())), topics: topics))
    }
}
