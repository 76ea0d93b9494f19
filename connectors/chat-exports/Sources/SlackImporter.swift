import Foundation
import SwitchboardCore

/// `kind: slack-export` — a Slack workspace export, as the zip Slack gives or
/// unpacked into a folder: `channels.json`, `users.json` (`org_users.json`),
/// optional `groups.json`, `dms.json`, `mpims.json`, and one folder per
/// conversation with one `YYYY-MM-DD.json` array per day.
///
/// A thread (`thread_ts`) is one conversation; other messages of a channel are
/// split into sessions. Bot messages are `bot`; joins, leaves, topic and
/// purpose changes are `system`; `message_changed` / `message_deleted` events
/// are edits of a message already stored, not new messages. A channel's messages have its name as
/// topic (``channelTopic(folder:id:names:direct:)``); direct messages and group DMs have none.
public struct SlackImporter: FileImporter {
    public typealias Settings = ChatExportSettings

    public static let kind = "slack-export"
    public static let summary = "Slack workspace export (zip or folder): channels, DMs, threads, bots"
    public static let settings: [SettingSpec] = SettingSpec.chatCommon + SettingSpec.zipLimits + [.maxRecordBytes]

    let options: ChatOptions

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        options = try ChatOptions(source: name, settings: settings, context: context, platform: "slack")
    }

    /// Subtypes that are events of the conversation rather than messages.
    static let systemSubtypes: Set<String> = [
        "channel_join", "channel_leave", "group_join", "group_leave", "channel_topic", "channel_purpose", "channel_name",
        "group_topic", "group_purpose", "group_name", "channel_archive", "channel_unarchive", "group_archive",
        "group_unarchive", "bot_add", "bot_remove", "pinned_item", "unpinned_item", "channel_convert_to_private",
        "channel_posting_permissions", "reminder_add", "sh_room_created", "huddle_thread",
    ]
    /// Subtypes that change a message stored under its own `ts`.
    static let editSubtypes: Set<String> = ["message_changed", "message_deleted", "message_replied", "tombstone"]

    public func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {
        for url in urls {
            let sink = ExportReplay.tagging(sink, kind: Self.kind, export: url)
            if Self.isExportFolder(url) {
                try await importTree(url, into: sink)
            } else if Self.isFolder(url) {
                // A folder of exports: every zip and unpacked export in it.
                let items = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
                let exports = items.sorted().map { url.appendingPathComponent($0) }
                    .filter { $0.pathExtension.lowercased() == "zip" || Self.isExportFolder($0) }
                if exports.isEmpty {
                    throw ConnectorError(.io, "\(url.path) holds no Slack export (no channels.json/users.json, no .zip)")
                }
                for e in exports { try await importTree(e, into: sink) }
            } else {
                for file in try PathExpansion.files(url) { try await importTree(file, into: sink) }
            }
        }
    }

    static func isFolder(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }

    /// An unpacked export: a folder with channels.json or users.json.
    static func isExportFolder(_ url: URL) -> Bool {
        isFolder(url) && ["channels.json", "users.json", "org_users.json"].contains {
            FileManager.default.fileExists(atPath: url.appendingPathComponent($0).path)
        }
    }

    private func importTree(_ url: URL, into sink: any IngestSink) async throws {
        let tree: ExportTree
        if Self.isFolder(url) {
            tree = .folder(url)
        } else {
            do { tree = .zip(try ZipExport(url: url, limits: options.zipLimits)) } catch let e as ConnectorError {
                try await sink.reject(reason: e.message, provenance: "file:\(url.lastPathComponent)", raw: Data())
                return
            }
            if case .zip(let z) = tree {
                for r in z.refused {
                    try await sink.reject(reason: "\(url.lastPathComponent): entry \(r.path) refused: \(r.reason)",
                                          provenance: "file:\(url.lastPathComponent)!\(r.path)", raw: Data(r.path.utf8))
                }
            }
        }
        try await importExport(tree, into: sink)
    }

    struct User { var name: String?; var isBot: Bool }

    func importExport(_ tree: ExportTree, into sink: any IngestSink) async throws {
        let files = tree.files
        // The export root is the folder holding users.json / channels.json (zips sometimes wrap one folder).
        let marker = files.first { ["channels.json", "users.json"].contains(($0 as NSString).lastPathComponent) }
        let root = marker.map { ($0 as NSString).deletingLastPathComponent } ?? ""
        let prefix = root.isEmpty ? "" : root + "/"
        func document(_ name: String) async throws -> JSONValue? {
            guard files.contains(prefix + name) else { return nil }
            let label = "\(tree.label)!\(prefix)\(name)"
            switch ExportJSON.parse(try tree.data(prefix + name), label: label) {
            case .success(let v): return v
            case .failure(let e):
                try await sink.reject(reason: e.message, provenance: "file:\(label)", raw: Data())
                return nil
            }
        }
        var users: [String: User] = [:]
        for list in ["users.json", "org_users.json"] {
            for u in try await document(list)?.array ?? [] {
                guard let id = u["id"]?.string else { continue }
                let name = [u["real_name"]?.string, u["profile"]?["real_name"]?.string, u["name"]?.string]
                    .compactMap { $0 }.first { !$0.isEmpty }
                users[id] = User(name: name, isBot: u["is_bot"]?.bool ?? false)
            }
        }
        // Folder name → channel id; channel id → name (channels and private channels); DM and group-DM ids.
        var folders: [String: String] = [:]
        var channelNames: [String: String] = [:]
        var directIds: Set<String> = []
        for list in ["channels.json", "groups.json", "mpims.json", "dms.json"] {
            let direct = list == "mpims.json" || list == "dms.json"
            for c in try await document(list)?.array ?? [] {
                guard let id = c["id"]?.string else { continue }
                let name = c["name"]?.string
                folders[name ?? id] = id
                folders[id] = id
                if direct { directIds.insert(id) } else if let name, !name.isEmpty { channelNames[id] = name }
            }
        }
        var days: [String: [String]] = [:]
        for f in files where f.hasPrefix(prefix) && f.hasSuffix(".json") {
            let rel = String(f.dropFirst(prefix.count))
            let parts = rel.split(separator: "/")
            guard parts.count == 2 else { continue }
            days[String(parts[0]), default: []].append(f)
        }
        if days.isEmpty {
            try await sink.reject(reason: "\(tree.label): not a Slack export: no conversation folders with day files",
                                  provenance: "file:\(tree.label)", raw: Data())
            return
        }
        for folder in days.keys.sorted() {
            let channelId = folders[folder] ?? folder
            let topic = Self.channelTopic(folder: folder, id: channelId, names: channelNames, direct: directIds)
            var assembler = ChatAssembler(options: options, platform: "slack", chatId: "slack:\(channelId)",
                                          topics: topic.map { [$0] } ?? [])
            for file in days[folder]!.sorted() {
                try await importDay(file, of: tree, channelId: channelId, users: users, assembler: &assembler, into: sink)
            }
        }
    }

    /// Streams one day file, the JSON array of a conversation's messages of one day, to the sink in blocks
    /// (2,048 messages or 16 MiB): memory holds a block, never the whole file. A message over
    /// `max_record_bytes`, a message that is not valid JSON and a file that is not an array or ends
    /// early are dead letters; the messages around them are imported.
    private func importDay(_ file: String, of tree: ExportTree, channelId: String, users: [String: User],
                           assembler: inout ChatAssembler, into sink: any IngestSink) async throws {
        let label = "\(tree.label)!\(file)"
        var reader: JSONArrayReader
        do { reader = try tree.arrayReader(file, maxElementBytes: options.recordLimit.bytes) } catch let e as ConnectorError
        where e.code == .format {
            try await sink.reject(reason: e.message, provenance: "file:\(label)", raw: Data())
            return
        }
        var done = false
        while !done {
            var out: [Interaction] = []
            var rejected: [(reason: String, provenance: String, raw: Data)] = []
            let blockStart = reader.bytesRead
            do {
                while out.count + rejected.count < 2048, reader.bytesRead - blockStart < 16 << 20 {
                    guard let item = try reader.next() else { done = true; break }
                    switch item {
                    case .element(let m, let i):
                        let provenance = "file:\(label)#\(i)"
                        guard let ts = m["ts"]?.string, let time = Self.time(ts) else {
                            rejected.append(("\(label): message \(i) has no valid ts", provenance, ExportJSON.raw(m)))
                            continue
                        }
                        guard let message = message(m, ts: ts, time: time, channelId: channelId, users: users,
                                                    provenance: provenance + "&ts=\(ts)") else { continue }
                        out.append(assembler.interaction(for: message))
                    case .invalid(let e, let i, let raw):
                        rejected.append(("\(label): message \(i) is not valid JSON (\(e.message) at byte \(e.offset) of it)",
                                         "file:\(label)#\(i)", raw))
                    case .tooLarge(let i, let length, let head):
                        rejected.append(("\(label): message \(i) is \(options.recordLimit.refusal(length: length)); "
                            + "raise max_record_bytes to import it", "file:\(label)#\(i)", head))
                    }
                }
            } catch let problem as JSONArrayReader.Problem {
                let hint = problem.kind == .notAnArray ? "expected an array of messages" : "\(problem)"
                rejected.append(("\(label): \(hint); export it again", "file:\(label)", Data()))
                done = true
            }
            try await sink.accept(contentsOf: out)
            for r in rejected { try await sink.reject(reason: r.reason, provenance: r.provenance, raw: r.raw) }
            await sink.progress(bytes: reader.bytesRead - blockStart)
        }
    }

    /// The topic of a conversation folder: the channel's name (channels.json, groups.json), else the folder's
    /// name; nil for direct messages and group DMs (dms.json, mpims.json, or unlisted folders named like
    /// a DM id `D…` or `mpdm-…`).
    static func channelTopic(folder: String, id: String, names: [String: String], direct: Set<String>) -> String? {
        if direct.contains(id) { return nil }
        if let name = names[id] { return name }
        if folder.hasPrefix("mpdm-") { return nil }
        if folder.count > 1, folder.hasPrefix("D"),
           folder.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) }) { return nil }
        return folder
    }

    /// The chat message of one Slack message, nil for edit events.
    func message(_ m: JSONValue, ts: String, time: Date, channelId: String, users: [String: User],
                 provenance: String) -> ChatMessage? {
        let subtype = m["subtype"]?.string
        if let subtype, Self.editSubtypes.contains(subtype) { return nil }
        let userId = m["user"]?.string ?? m["comment"]?["user"]?.string
        let botId = m["bot_id"]?.string
        let isSystem = subtype.map { Self.systemSubtypes.contains($0) } ?? false
        let isBot = !isSystem && (subtype == "bot_message" || (userId == nil && botId != nil)
            || (userId.flatMap { users[$0]?.isBot } ?? false))
        let name = userId.flatMap { users[$0]?.name } ?? m["user_profile"]?["real_name"]?.string
            ?? m["username"]?.string ?? m["bot_profile"]?["name"]?.string
        var provenance = provenance
        let threadKey: String?
        if let thread = m["thread_ts"]?.string {
            threadKey = "slack:\(channelId):thread:\(thread)"
            if thread != ts { provenance += "&thread_ts=\(thread)" }
        } else {
            threadKey = nil
        }
        let files = m["files"]?.array?.count ?? (m["file"] != nil ? 1 : 0)
        return ChatMessage(time: time, authorId: userId ?? botId, authorName: name,
                           text: m["text"]?.string ?? m["comment"]?["comment"]?.string, isSystem: isSystem, isBot: isBot,
                           attachments: files, nativeId: ts, threadKey: threadKey, provenance: provenance)
    }

    /// `1452845865.000008` → the instant (millisecond precision).
    static func time(_ ts: String) -> Date? {
        let parts = ts.split(separator: ".", maxSplits: 1)
        guard let secs = parts.first.flatMap({ Int64($0) }) else { return nil }
        var millis = 0
        if parts.count == 2 {
            let frac = parts[1].prefix(3)
            guard frac.allSatisfy(\.isNumber) else { return nil }
            millis = Int(frac.padding(toLength: 3, withPad: "0", startingAt: 0)) ?? 0
        }
        return Date(timeIntervalSince1970: Double(secs) + Double(millis) / 1000)
    }
}
