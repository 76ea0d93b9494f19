import Foundation
import SwitchboardCore

/// `kind: mbox` — backfill from mbox files (mboxrd or mboxo, as written by
/// Thunderbird, mutt, Google Takeout and `formail`). Same parser and ids as
/// `imap`: a message imported here and later pulled over IMAP into the same
/// source is stored once.
public struct MboxImporter: FileImporter {
    public struct Settings: Decodable, Sendable, EmailSettings {
        public var path: String?
        public var supportAddresses: [String]?
        public var sent: Bool?
        public var folderTopic: Bool?

        enum CodingKeys: String, CodingKey {
            case path, sent
            case supportAddresses = "support_addresses", folderTopic = "folder_topic"
        }
    }

    public static let kind = "mbox"
    public static let summary = "mbox mail archives (backfill), threaded like IMAP mail"
    public static let settings: [SettingSpec] = [
        .path,
        SettingSpec("support_addresses", "[string]", "the team's addresses and domains; mail from them (or from `agents:` e-mails) is outbound agent mail"),
        SettingSpec("sent", "bool", "treat every message as sent by the team (default: only files named like a Sent folder)"),
        .folderTopic("the mbox file's base name (Billing.mbox → Billing; not mbox, inbox)"),
    ]

    public let name: String
    let mapping: EmailMapping
    let allSent: Bool
    let folderTopic: Bool

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        mapping = EmailMapping(source: name, platform: "imap", supportAddresses: settings.supportAddresses ?? [],
                               agents: context.agents)
        allSent = settings.sent ?? false
        folderTopic = settings.folderTopic ?? true
    }

    public func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {
        var ingest = EmailIngest(mapping: mapping, kind: Self.kind)
        for url in urls {
            for file in try PathExpansion.files(url, extensions: []) {
                try await Self.read(file, sent: allSent || EmailMapping.isSentMailbox(file.deletingPathExtension().lastPathComponent),
                                    folder: folderTopic ? MailTopics.mboxFolder(file) : nil, ingest: &ingest, sink: sink)
            }
        }
        try await ingest.flush(into: sink)
    }

    /// Streams one mbox file: a message starts at a `From ` line at the start of
    /// the file or after a blank line; `>From ` lines are unquoted (mboxrd).
    /// - Parameter folder: the file's folder topic, given to its messages when the file is an mbox
    ///   (a file without `From ` separators is one message, and its name no folder).
    static func read(_ url: URL, sent: Bool, folder: String? = nil, ingest: inout EmailIngest, sink: any IngestSink) async throws {
        let fileName = url.lastPathComponent
        let reader = LineReader(url: url)
        var message: [UInt8] = []
        var messageLine = 0
        var envelopeDate: Date? = nil
        var previousBlank = true
        var offset: UInt64 = 0
        var nextLine = 1
        var sawSeparator = false
        let folderTopics = folder.map { [$0] } ?? []
        func finish(_ ingest: inout EmailIngest) {
            guard messageLine > 0 else { return }
            // The blank line before the next separator belongs to the mbox format.
            if message.count >= 1 && message.last == 0x0A { message.removeLast() }
            let topics = sawSeparator ? folderTopics : []
            message.withUnsafeBufferPointer { buf in
                ingest.add(buf, fallbackDate: envelopeDate, fromSent: sent, provenance: "file:\(fileName)#L\(messageLine)",
                           topics: topics, clientLabels: true)
            }
            message.removeAll(keepingCapacity: true)
        }
        while true {
            var full = false
            offset = try reader.forEachLine(from: offset, startLine: nextLine) { line in
                nextLine = line.number + 1
                let b = line.bytes
                if previousBlank && b.count >= 5 && b[0] == 0x46 && b[1] == 0x72 && b[2] == 0x6F && b[3] == 0x6D && b[4] == 0x20 {
                    finish(&ingest)
                    sawSeparator = true
                    messageLine = line.number
                    envelopeDate = MboxEnvelope.date(Array(b[5...]))
                    previousBlank = false
                    full = ingest.pending >= 256
                    return !full
                }
                if messageLine == 0 && !sawSeparator {
                    // Not an mbox separator where one must be: the file is not an mbox.
                    if b.isEmpty { return true }
                    messageLine = line.number
                }
                var start = 0
                if b.count > 1 && b[0] == 0x3E {
                    var k = 0
                    while k < b.count && b[k] == 0x3E { k += 1 }
                    if b.count - k >= 5 && b[k] == 0x46 && b[k + 1] == 0x72 && b[k + 2] == 0x6F && b[k + 3] == 0x6D && b[k + 4] == 0x20 {
                        start = 1
                    }
                }
                message.append(contentsOf: UnsafeBufferPointer(rebasing: b[start...]))
                message.append(0x0A)
                previousBlank = b.isEmpty
                return true
            }
            if ingest.pending > 0 { try await ingest.flush(into: sink) }
            if !full { break }
        }
        finish(&ingest)
    }
}
