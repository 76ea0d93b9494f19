import Foundation
import SwitchboardCore

/// `kind: telegram-export` — Telegram Desktop's `result.json`, one chat
/// (`{name, type, id, messages}`) or the whole account (`chats.list`).
///
/// Time is `date_unixtime` (`date` in the source's timezone when absent);
/// service messages are stored as system; `reply_to_message_id` is kept in
/// the provenance (`…&reply_to=41`). In a `personal_chat` the chat's name is
/// the other person: the customer, unless listed as an agent.
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
        try await ExportJSON.importEach(urls, into: sink, importDocument)
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
        var assembler = ChatAssembler(options: options, platform: "telegram", chatId: chatId,
                                      chatPartner: personal ? name : nil, participants: personal ? 2 : nil)
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
            if let reply = m["reply_to_message_id"]?.stringOrNumber { provenance += "&reply_to=\(reply)" }
            var text = ExportJSON.text(m["text"])
            if service, text?.isEmpty ?? true { text = m["action"]?.string }
            let attachments = ["photo", "file", "media_type", "sticker_emoji", "contact_information", "location_information"]
                .contains { m[$0] != nil } ? 1 : 0
            let message = ChatMessage(time: time, authorId: fromId, authorName: fromName, text: text, isSystem: service,
                                      attachments: attachments, nativeId: id, provenance: provenance)
            out.append(assembler.interaction(for: message))
            if out.count >= 2048 {
                try await sink.accept(contentsOf: out)
                out.removeAll(keepingCapacity: true)
            }
        }
        try await sink.accept(contentsOf: out)
    }

    /// `user123456` → `123456` (the number Telegram handles use); other ids unchanged.
    static func userId(_ raw: String) -> String {
        raw.hasPrefix("user") && raw.count > 4 && raw.dropFirst(4).allSatisfy(\.isNumber) ? String(raw.dropFirst(4)) : raw
    }

    /// `date_unixtime` (a string of epoch seconds), else `date` (local time, no offset).
    static func time(of m: JSONValue, converter: LocalTimeConverter) -> Date? {
        if let raw = m["date_unixtime"]?.stringOrNumber, let secs = Int64(raw) {
            return Date(timeIntervalSince1970: Double(secs))
        }
        guard let local = m["date"]?.string else { return nil }
        let parts = local.split(whereSeparator: { $0 == "-" || $0 == "T" || $0 == ":" || $0 == " " }).compactMap { Int($0) }
        guard parts.count == 6 else { return nil }
        return converter.date(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4],
                              second: parts[5])
    }
}
