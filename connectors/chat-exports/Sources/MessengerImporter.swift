import Foundation
import SwitchboardCore

/// `kind: messenger-export` — Facebook Messenger or Instagram "Download your
/// information" JSON: `{participants:[{name}], messages:[{sender_name,
/// timestamp_ms, content, photos, …}], title, thread_path}`.
///
/// Meta writes UTF-8 text as if each byte were a Latin-1 character
/// (`Ã©` for `é`); every string is repaired. Messages come newest first and
/// are put in time order. In a two-person thread the title is the other
/// person: the customer, unless listed as an agent.
///
/// Topics: a group thread's title (more than two participants, or `thread_type: RegularGroup`); a
/// two-person thread's title is the other person and gives none.
public struct MessengerImporter: FileImporter {
    public typealias Settings = ChatExportSettings

    public static let kind = "messenger-export"
    public static let summary = "Facebook Messenger / Instagram JSON export (message_N.json), mojibake repaired"
    public static let settings: [SettingSpec] = SettingSpec.chatCommon + [.messengerPlatform]

    let options: ChatOptions
    let platform: String

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        let platform = settings.platform?.lowercased() ?? "facebook"
        guard ["facebook", "instagram"].contains(platform) else {
            throw ConnectorError(.settings, "platform '\(settings.platform ?? "")' is not one of facebook, instagram")
        }
        self.platform = platform
        options = try ChatOptions(source: name, settings: settings, context: context, platform: platform)
    }

    /// Re-reads a mojibake string's characters as Latin-1 bytes and decodes them as UTF-8;
    /// text that is not mojibake comes back unchanged.
    public static func repair(_ s: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var high = false
        for u in s.unicodeScalars {
            guard u.value <= 0xFF else { return s }
            if u.value >= 0x80 { high = true }
            bytes.append(UInt8(u.value))
        }
        guard high, let fixed = String(validating: bytes, as: UTF8.self) else { return s }
        return fixed
    }

    public func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {
        for url in urls {
            try await ExportJSON.importEach([url], into: ExportReplay.tagging(sink, kind: Self.kind, export: url), importDocument)
        }
    }

    func importDocument(_ root: JSONValue, label: String, into sink: any IngestSink) async throws {
        guard let messages = root["messages"]?.array else {
            try await sink.reject(reason: "\(label): not a Messenger/Instagram export: no messages array",
                                  provenance: "file:\(label)", raw: ExportJSON.raw(root))
            return
        }
        let participants = (root["participants"]?.array ?? []).compactMap { $0["name"]?.string.map(Self.repair) }
        let title = root["title"]?.string.map(Self.repair)
        let thread = root["thread_path"]?.string ?? title ?? (label as NSString).deletingPathExtension
        let group = participants.count > 2 || root["thread_type"]?.string == "RegularGroup"
        var assembler = ChatAssembler(options: options, platform: platform, chatId: "\(platform):\(thread)",
                                      chatPartner: participants.count == 2 ? title : nil,
                                      participants: participants.isEmpty ? nil : participants.count,
                                      topics: group ? [title].compactMap { $0 } : [])
        var rows: [(Int, Date, JSONValue)] = []
        for (i, m) in messages.enumerated() {
            guard let ms = m["timestamp_ms"]?.number else {
                try await sink.reject(reason: "\(label): messages/\(i) has no timestamp_ms", provenance: "file:\(label)#messages/\(i)",
                                      raw: ExportJSON.raw(m))
                continue
            }
            rows.append((i, Date(timeIntervalSince1970: ms / 1000), m))
        }
        rows.sort { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 > $1.0 }   // oldest first; ties keep the file's reverse order
        var out: [Interaction] = []
        for (i, time, m) in rows {
            let type = m["type"]?.string ?? "Generic"
            let media = ["photos", "videos", "audio_files", "files", "gifs"].reduce(0) { $0 + (m[$1]?.array?.count ?? 0) }
                + (m["sticker"] != nil ? 1 : 0)
            let message = ChatMessage(time: time, authorId: nil, authorName: m["sender_name"]?.string.map(Self.repair),
                                      text: m["content"]?.string.map(Self.repair),
                                      isSystem: type == "Subscribe" || type == "Unsubscribe", attachments: media,
                                      provenance: "file:\(label)#messages/\(i)")
            out.append(assembler.interaction(for: message))
        }
        try await sink.accept(contentsOf: out)
    }
}
