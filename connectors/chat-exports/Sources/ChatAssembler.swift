import Foundation
import SwitchboardCore

/// One message as read from any export, before it becomes an ``Interaction``.
struct ChatMessage: Sendable {
    var time: Date
    /// The platform's user id (Telegram `from_id`, Slack user, Discord author id); nil for WhatsApp.
    var authorId: String?
    var authorName: String?
    var text: String?
    var isSystem = false
    var isBot = false
    var attachments = 0
    /// The platform's own message id when it has one; else the id is built from time, author and text.
    var nativeId: String?
    /// A conversation key of its own (Slack threads); nil splits the chat into sessions.
    var threadKey: String?
    var provenance: String
    /// Topics of this message when they differ from the chat's (a Telegram forum topic), in normal form.
    var topics: [String]?
}

/// Turns the messages of one chat, in time order, into interactions: roles,
/// customer keys, session split and stable external ids.
///
/// External ids without a platform id are `chat|epoch ms|author|text digest|n`
/// where n counts identical (time, author, text) messages: the same chat
/// exported again later gives the same ids, so only new messages are stored.
struct ChatAssembler {
    let options: ChatOptions
    let platform: String
    let channel: Channel
    let chatId: String
    /// The customer named by the export itself (WhatsApp "Chat with X").
    var chatPartner: String?
    /// Distinct human authors, when known before the messages arrive.
    var participants: Int?
    /// The chat's native topics (channel or group name), in ``Topics`` normal form; every message shares
    /// this one array unless it brings its own.
    var topics: [String]

    private var lastTime: Date?
    private var sessionStart: Date?
    private var sessionKey = ""
    private var occurrenceTime: Int64 = .min
    private var occurrences: [Occurrence: Int] = [:]
    private var firstOfTime: Occurrence?
    private var roleCache: [AuthorKey: Resolved] = [:]
    private var idBytes: [UInt8] = []

    /// An author as the role cache knows it (no string concatenation per message).
    private struct AuthorKey: Hashable {
        var id: String?
        var name: String?
    }

    /// Identical (author, text digest) messages within one millisecond.
    private struct Occurrence: Hashable {
        var author: String
        var digest: UInt64
    }

    /// Role, actor id and customer key of one author, resolved once per chat.
    private struct Resolved {
        var role: ActorRole
        var actorId: String?
        var customerKey: String?
    }

    /// - Parameter topics: the chat's topic labels (normalised here, once).
    init(options: ChatOptions, platform: String, channel: Channel = .chat, chatId: String,
         chatPartner: String? = nil, participants: Int? = nil, topics: [String] = []) {
        self.options = options
        self.platform = platform
        self.channel = channel
        self.chatId = chatId
        self.chatPartner = chatPartner
        self.participants = participants
        self.topics = Topics.normalize(topics)
    }

    /// The interaction of the next message of the chat.
    mutating func interaction(for m: ChatMessage) -> Interaction {
        let ms = Timestamp.milliseconds(m.time)
        let key: String
        if let thread = m.threadKey {
            key = thread
        } else {
            if let last = lastTime, m.time.timeIntervalSince(last) < options.sessionGap, sessionStart != nil {
                // same session
            } else {
                sessionStart = m.time
                sessionKey = "\(chatId)#\(Timestamp.formatISO8601(m.time))"
            }
            if lastTime == nil || m.time > lastTime! { lastTime = m.time }
            key = sessionKey
        }

        let role: ActorRole
        var actorId: String?
        var customerKey: String?
        if m.isSystem {
            role = .system
            actorId = m.authorId ?? m.authorName
        } else if m.isBot {
            role = .bot
            actorId = m.authorId ?? m.authorName
        } else {
            let cacheKey = AuthorKey(id: m.authorId, name: m.authorName)
            let resolved: Resolved
            if let cached = roleCache[cacheKey] {
                resolved = cached
            } else {
                let (r, id) = options.roles.role(id: m.authorId, name: m.authorName, chatPartner: chatPartner,
                                                 participants: participants)
                resolved = Resolved(role: r, actorId: id,
                                    customerKey: r == .customer ? customerKeyOf(id: m.authorId, name: m.authorName) : nil)
                if roleCache.count < 10_000 { roleCache[cacheKey] = resolved }
            }
            role = resolved.role
            actorId = resolved.actorId
            customerKey = resolved.customerKey
        }
        let direction: Direction
        switch role {
        case .customer: direction = .inbound
        case .agent, .bot: direction = .outbound
        case .system: direction = .internal
        }

        let externalId: String
        if let native = m.nativeId {
            externalId = "\(chatId)|\(native)"
        } else {
            let author = m.authorId ?? m.authorName ?? ""
            let digest = InteractionID.digest64(utf8: m.text ?? "")
            let occKey = Occurrence(author: author, digest: digest)
            let n: Int
            if ms != occurrenceTime {
                // The first message of a millisecond is occurrence 0; the table is filled only when a
                // second message shares the millisecond (rare), so most messages hash nothing here.
                occurrenceTime = ms
                if !occurrences.isEmpty { occurrences.removeAll(keepingCapacity: true) }
                firstOfTime = occKey
                n = 0
            } else {
                if occurrences.isEmpty, let first = firstOfTime { occurrences[first] = 1 }
                n = occurrences[occKey, default: 0]
                occurrences[occKey] = n + 1
            }
            externalId = Self.externalId(chatId: chatId, ms: ms, author: author, digest: digest, n: n, scratch: &idBytes)
        }
        return Interaction(source: options.source, externalId: externalId, channel: channel, platform: platform,
                           conversationKey: key, kind: .message, direction: direction, actorRole: role,
                           actorId: actorId, actorName: m.authorName, customerKey: customerKey, occurredAt: m.time,
                           text: m.text, attachments: m.attachments, provenance: m.provenance,
                           topics: m.topics ?? topics)
    }

    /// `chat|epoch ms|author|16 hex digits of the text digest|n`, built in one buffer (one allocation).
    static func externalId(chatId: String, ms: Int64, author: String, digest: UInt64, n: Int,
                           scratch bytes: inout [UInt8]) -> String {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: chatId.utf8)
        bytes.append(0x7C)
        appendDecimal(ms, to: &bytes)
        bytes.append(0x7C)
        bytes.append(contentsOf: author.utf8)
        bytes.append(0x7C)
        for shift in stride(from: 60, through: 0, by: -4) {
            let nibble = UInt8(truncatingIfNeeded: digest >> UInt64(shift)) & 0x0F
            bytes.append(nibble < 10 ? 0x30 + nibble : 0x57 + nibble)
        }
        bytes.append(0x7C)
        appendDecimal(Int64(n), to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The decimal digits of `value` (with `-` when negative), as `String(value)` writes them.
    static func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(0x2D) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 20 digits at most, written backwards
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[23 - count] = 0x30 + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            bytes.append(contentsOf: d[(24 - count)...])
        }
    }

    /// `+79161234567` (or `tel-local:…`) for WhatsApp names that are phone numbers, else `platform:id` (or `platform:name`).
    func customerKeyOf(id: String?, name: String?) -> String? {
        if let id { return "\(platform):\(id)" }
        guard let name, !name.isEmpty else { return nil }
        if platform == "whatsapp", let phone = RoleResolver.phone(name, defaultCountry: options.defaultCountry) {
            return phone
        }
        return "\(platform):\(name)"
    }
}
