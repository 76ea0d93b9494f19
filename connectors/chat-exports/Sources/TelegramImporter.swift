import Foundation
import SwitchboardCore

/// `kind: telegram-export` — Telegram Desktop's `result.json`, one chat
/// (`{name, type, id, messages}`) or the whole account (`chats.list`).
///
/// Time is `date_unixtime`, else `date` (ISO 8601 with an offset, or local time in the source's timezone);
/// service messages are stored as system; `reply_to_message_id` is kept in
/// the provenance (`…&reply_to=41`). In a `personal_chat` the chat's name is
/// the other person: the customer, unless listed as an agent.
///
/// Topics: a group's, supergroup's or channel's name; in a forum, a message also gets the name of its
/// topic (``ForumTopics``). Personal and bot chats give none.
public struct TelegramImporter: FileImporter {
    public typealias Settings = ChatExportSettings

    public static let kind = "telegram-export"
    public static let summary = "Telegram Desktop JSON export (result.json), one chat or the whole account"
    public static let settings: [SettingSpec] = SettingSpec.chatCommon + [.timezone]

    let options: ChatOptions

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        options = try ChatOptions(source: name, settings: settings, context: context, platform: "telegram")
    }

    public func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {
        for url in urls {
            try await ExportJSON.importEach([url], into: ExportReplay.tagging(sink, kind: Self.kind, export: url), importDocument)
        }
    }

    func importDocument(_ root: JSONValue, label: String, into sink: any IngestSink) async throws {
        var chats: [(JSONValue, String)] = []
        if let list = root["chats"]?["list"]?.array {
            for (i, c) in list.enumerated() { chats.append((c, "chats.list/\(i)")) }
            for (i, c) in (root["left_chats"]?["list"]?.array ?? []).enumerated() { chats.append((c, "left_chats.list/\(i)")) }
        } else if root["messages"] != nil {
            chats.append((root, ""))
        } else {
            try await sink.reject(reason: "\(label): not a Telegram Desktop export: neither messages nor chats.list found",
                                  provenance: "file:\(label)", raw: ExportJSON.raw(root))
            return
        }
        let converter = LocalTimeConverter(timeZone: options.timeZone)
        for (chat, path) in chats {
            try await importChat(chat, path: path, label: label, converter: converter, into: sink)
        }
    }

    private func importChat(_ chat: JSONValue, path: String, label: String, converter: LocalTimeConverter,
                            into sink: any IngestSink) async throws {
        let where_ = path.isEmpty ? "" : "\(path)/"
        guard let messages = chat["messages"]?.array else {
            try await sink.reject(reason: "\(label): chat \(chat["name"]?.string ?? path) has no messages array",
                                  provenance: "file:\(label)#\(path)", raw: ExportJSON.raw(chat))
            return
        }
        let name = chat["name"]?.string
        let type = chat["type"]?.string
        let chatId = "telegram:" + (chat["id"]?.stringOrNumber ?? name ?? "\(label)#\(path)")
        let personal = type == "personal_chat"
        let titled = type.map { Self.titledChatTypes.contains($0) } ?? false
        var assembler = ChatAssembler(options: options, platform: "telegram", chatId: chatId,
                                      chatPartner: personal ? name : nil, participants: personal ? 2 : nil,
                                      topics: titled ? [name].compactMap { $0 } : [])
        var forum = ForumTopics()
        var out: [Interaction] = []
        for (i, m) in messages.enumerated() {
            let provenanceBase = "file:\(label)#\(where_)messages/\(i)"
            guard m.members != nil else {
                try await sink.reject(reason: "\(label): \(where_)messages/\(i) is not an object", provenance: provenanceBase,
                                      raw: ExportJSON.raw(m))
                continue
            }
            guard let time = Self.time(of: m, converter: converter) else {
                try await sink.reject(reason: "\(label): \(where_)messages/\(i) has no usable date_unixtime or date",
                                      provenance: provenanceBase, raw: ExportJSON.raw(m))
                continue
            }
            let service = m["type"]?.string == "service"
            let fromId = (service ? m["actor_id"] : m["from_id"])?.stringOrNumber.map(Self.userId)
            let fromName = (service ? m["actor"] : m["from"])?.string
            var provenance = "file:\(label)#chat=\(chatId)"
            let id = m["id"]?.stringOrNumber
            provenance += id.map { "&message=\($0)" } ?? "&index=\(i)"
            let reply = m["reply_to_message_id"]?.stringOrNumber
            if let reply { provenance += "&reply_to=\(reply)" }
            var text = ExportJSON.text(m["text"])
            if service, text?.isEmpty ?? true { text = m["action"]?.string }
            var topics: [String]?
            if service, m["action"]?.string == "topic_created", let id, let title = m["title"]?.string {
                topics = forum.create(id, title: title, chat: assembler.topics)
            } else if !forum.isEmpty, let reply {
                topics = forum.follow(id, replyTo: reply)
            }
            let attachments = ["photo", "file", "media_type", "sticker_emoji", "contact_information", "location_information"]
                .contains { m[$0] != nil } ? 1 : 0
            let message = ChatMessage(time: time, authorId: fromId, authorName: fromName, text: text, isSystem: service,
                                      attachments: attachments, nativeId: id, provenance: provenance, topics: topics)
            out.append(assembler.interaction(for: message))
            if out.count >= 2048 {
                try await sink.accept(contentsOf: out)
                out.removeAll(keepingCapacity: true)
            }
        }
        try await sink.accept(contentsOf: out)
    }

    /// Chat types whose name is a title (groups, supergroups, channels), given as the chat's topic;
    /// `personal_chat`, `bot_chat` and `saved_messages` give none.
    static let titledChatTypes: Set<String> = [
        "private_group", "private_supergroup", "public_supergroup", "private_channel", "public_channel",
    ]

    /// `user123456` → `123456` (the number Telegram handles use); other ids unchanged.
    static func userId(_ raw: String) -> String {
        raw.hasPrefix("user") && raw.count > 4 && raw.dropFirst(4).allSatisfy(\.isNumber) ? String(raw.dropFirst(4)) : raw
    }

    /// `date_unixtime` (a string of epoch seconds), else `date`: ISO 8601 with `Z` or an offset
    /// (`2024-01-05T10:00:00Z`, `…+03:00`, as converters write it), or Telegram Desktop's local time
    /// without one (`2024-01-05T10:00:00`) read in the source's timezone.
    static func time(of m: JSONValue, converter: LocalTimeConverter) -> Date? {
        if let raw = m["date_unixtime"]?.stringOrNumber, let secs = Int64(raw) {
            return Date(timeIntervalSince1970: Double(secs))
        }
        guard let text = m["date"]?.string else { return nil }
        if let instant = Timestamp.parseISO8601(text) { return instant }
        return localTime(text, converter: converter)
    }

    /// `YYYY-MM-DDTHH:MM:SS` (a space for `T`, optional fraction) in the converter's zone; nil for anything else.
    static func localTime(_ text: String, converter: LocalTimeConverter) -> Date? {
        let b = Array(text.utf8)
        guard b.count >= 19, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x20, b[13] == 0x3A, b[16] == 0x3A
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var v = 0
            for i in range {
                guard (0x30...0x39).contains(b[i]) else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
              let minute = number(14..<16), let second = number(17..<19) else { return nil }
        var millisecond = 0
        if b.count > 19 {
            guard b[19] == 0x2E, b.count > 20, let fraction = number(20..<min(b.count, 23)),
                  b[20...].allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            millisecond = fraction * [100, 10, 1][min(b.count, 23) - 21]
        }
        return converter.date(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                              millisecond: millisecond)
    }
}

/// Forum topics of one Telegram export chat: a `topic_created` service message (`title`) opens a topic
/// under its message id; a message replying to the topic's first message — how the export links a
/// message to its topic — or to a message already in the topic is in it. Empty (and never consulted)
/// in chats without forum topics.
struct ForumTopics {
    /// Topic number → the message topics (chat topics and the topic's name, normalised).
    private var topics: [[String]] = []
    /// Message id → topic number, for the messages known to be in a topic.
    private var messages: [String: Int] = [:]

    var isEmpty: Bool { topics.isEmpty }

    /// Opens the topic created by message `id`; returns its message topics.
    mutating func create(_ id: String, title: String, chat: [String]) -> [String] {
        let all = Topics.normalize(chat + [title])
        messages[id] = topics.count
        topics.append(all)
        return all
    }

    /// The message topics of message `id` replying to `reply`; nil when `reply` is in no known topic.
    mutating func follow(_ id: String?, replyTo reply: String) -> [String]? {
        guard let n = messages[reply] else { return nil }
        if let id, messages.count < 1_000_000 { messages[id] = n }
        return topics[n]
    }
}
