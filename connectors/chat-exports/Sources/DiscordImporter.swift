import Foundation
import SwitchboardCore

/// `kind: discord-export` — DiscordChatExporter JSON: `{guild, channel,
/// messages:[{id, type, timestamp, content, author{id, name, isBot},
/// attachments, reference{messageId}}]}`.
///
/// `Default` and `Reply` messages are messages; other types (joins, pins,
/// calls, thread creation) are system. The replied-to message id is kept in
/// the provenance (`…&reply_to=…`). In a direct-message channel the channel's
/// name is the other person: the customer, unless listed as an agent.
///
/// Topics: a server channel's (or thread's) name; direct messages and group DMs give none.
public struct DiscordImporter: FileImporter {
    public typealias Settings = ChatExportSettings

    public static let kind = "discord-export"
    public static let summary = "DiscordChatExporter JSON export of a channel or DM"
    public static let settings: [SettingSpec] = SettingSpec.chatCommon

    let options: ChatOptions

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        options = try ChatOptions(source: name, settings: settings, context: context, platform: "discord")
    }

    static let messageTypes: Set<String> = ["Default", "Reply", "Text", "0", "19"]

    public func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {
        for url in urls {
            try await ExportJSON.importEach([url], into: ExportReplay.tagging(sink, kind: Self.kind, export: url), importDocument)
        }
    }

    func importDocument(_ root: JSONValue, label: String, into sink: any IngestSink) async throws {
        guard let messages = root["messages"]?.array else {
            try await sink.reject(reason: "\(label): not a DiscordChatExporter JSON export: no messages array",
                                  provenance: "file:\(label)", raw: ExportJSON.raw(root))
            return
        }
        let channel = root["channel"]
        let channelId = channel?["id"]?.stringOrNumber ?? (label as NSString).deletingPathExtension
        let anyDirect = channel?["type"]?.string?.hasPrefix("Direct") == true
        let direct = anyDirect && channel?["type"]?.string != "DirectGroupTextChat"
        let channelName = channel?["name"]?.string
        var assembler = ChatAssembler(options: options, platform: "discord", chatId: "discord:\(channelId)",
                                      chatPartner: direct ? channelName : nil, participants: direct ? 2 : nil,
                                      topics: anyDirect ? [] : [channelName].compactMap { $0 })
        var out: [Interaction] = []
        for (i, m) in messages.enumerated() {
            let where_ = "file:\(label)#messages/\(i)"
            guard let stamp = m["timestamp"]?.string, let time = Timestamp.parseISO8601(stamp) else {
                try await sink.reject(reason: "\(label): messages/\(i) has no valid timestamp (ISO 8601 with offset)",
                                      provenance: where_, raw: ExportJSON.raw(m))
                continue
            }
            let id = m["id"]?.stringOrNumber
            let type = m["type"]?.stringOrNumber ?? "Default"
            let author = m["author"]
            var provenance = "file:\(label)#channel=\(channelId)" + (id.map { "&message=\($0)" } ?? "&index=\(i)")
            if let reply = m["reference"]?["messageId"]?.stringOrNumber { provenance += "&reply_to=\(reply)" }
            let name = author?["nickname"]?.string ?? author?["name"]?.string
            let message = ChatMessage(time: time, authorId: author?["id"]?.stringOrNumber, authorName: name,
                                      text: m["content"]?.string, isSystem: !Self.messageTypes.contains(type),
                                      isBot: author?["isBot"]?.bool ?? false,
                                      attachments: m["attachments"]?.array?.count ?? 0, nativeId: id,
                                      provenance: provenance)
            out.append(assembler.interaction(for: message))
        }
        try await sink.accept(contentsOf: out)
    }
}
