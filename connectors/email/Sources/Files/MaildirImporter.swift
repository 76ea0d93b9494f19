import Foundation
import SwitchboardCore

/// `kind: maildir` — backfill from a Maildir (or Maildir++ with `.Sent`-style
/// subfolders): every file under `cur/` and `new/` is one message. Same parser
/// and ids as `imap` and `mbox`. Topics: the Maildir++ folder (`.Support.Billing` →
/// `Support/Billing`), the keywords in the file name's info (`:2,Sab`, letters indexed by the
/// folder's `dovecot-keywords`) and Thunderbird's / Takeout's label headers.
public struct MaildirImporter: FileImporter {
    public struct Settings: Decodable, Sendable, EmailSettings {
        public var path: String?
        public var supportAddresses: [String]?
        public var folderTopic: Bool?

        enum CodingKeys: String, CodingKey {
            case path
            case supportAddresses = "support_addresses", folderTopic = "folder_topic"
        }
    }

    public static let kind = "maildir"
    public static let summary = "Maildir folders (backfill), threaded like IMAP mail"
    public static let settings: [SettingSpec] = [
        .path,
        SettingSpec("support_addresses", "[string]", "the team's addresses and domains; mail from them (or from `agents:` e-mails) is outbound agent mail"),
        .folderTopic("the Maildir++ folder (.Support.Billing → Support/Billing)"),
    ]

    public let name: String
    let mapping: EmailMapping
    let folderTopic: Bool

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        mapping = EmailMapping(source: name, platform: "imap", supportAddresses: settings.supportAddresses ?? [],
                               agents: context.agents)
        folderTopic = settings.folderTopic ?? true
    }

    public func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {
        var ingest = EmailIngest(mapping: mapping, kind: Self.kind)
        var reader = FileContents()
        for url in urls {
            for file in try Self.messageFiles(url) {
                let folder = file.folder
                let date = Self.deliveryDate(name: file.name, path: file.path)
                let provenance = "file:\(folder.label.isEmpty ? "" : folder.label + "/")\(file.name)"
                var topics = folder.keywords(ofFile: file.name)
                if folderTopic, let t = folder.topic { topics.append(t) }
                try reader.withContents(of: file.path) { raw in
                    ingest.add(raw, fallbackDate: date,
                               fromSent: folder.isSent, provenance: provenance, topics: topics, clientLabels: true)
                }
                if ingest.pending >= 256 { try await ingest.flush(into: sink) }
            }
        }
        try await ingest.flush(into: sink)
    }

    /// A Maildir++ folder: its label as on disk (`Support.Billing`, provenance), its decoded name
    /// (`Support/Billing`), and the keyword names of its `dovecot-keywords` file by letter (`a` = 0).
    struct Folder {
        var label: String
        var name: String
        var keywordNames: [String?] = []

        init(label: String, directory: URL?) {
            self.label = label
            name = MailTopics.maildirFolderName(label)
            if let directory { keywordNames = Self.dovecotKeywords(directory) }
        }

        /// Mail in it was sent by the team.
        var isSent: Bool { !name.isEmpty && EmailMapping.isSentMailbox(name) }
        /// Its folder topic; nil for the root and plain folders (Sent, Trash, …).
        var topic: String? { MailTopics.maildirFolder(name) }

        /// Keyword topics of a message file: the lowercase letters of its info (`…:2,RSab`).
        func keywords(ofFile fileName: String) -> [String] {
            guard !keywordNames.isEmpty else { return [] }
            let u = Array(fileName.utf8)
            var k = u.count - 1
            // The info starts after the last `:2,` (or `!2,`, the delimiter some tools use instead).
            while k >= 2 && !(u[k] == 0x2C && u[k - 1] == 0x32 && (u[k - 2] == 0x3A || u[k - 2] == 0x21)) { k -= 1 }
            guard k >= 2 else { return [] }
            var out: [String] = []
            for c in u[(k + 1)...] where c >= 0x61 && c <= 0x7A {
                let i = Int(c - 0x61)
                if i < keywordNames.count, let name = keywordNames[i], let t = MailTopics.keyword(name) { out.append(t) }
            }
            return out
        }

        /// `dovecot-keywords` of a Maildir folder: lines `0 billing`, `1 $label1` (index = letter).
        static func dovecotKeywords(_ directory: URL) -> [String?] {
            guard let text = try? String(contentsOf: directory.appendingPathComponent("dovecot-keywords"), encoding: .utf8) else { return [] }
            var names = [String?](repeating: nil, count: 26)
            for line in text.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, let i = Int(parts[0]), (0..<26).contains(i) else { continue }
                names[i] = String(parts[1])
            }
            return names
        }
    }

    /// One message file: its path, its name and its folder.
    struct MessageFile {
        var path: String
        var name: String
        var folder: Folder
    }

    /// Message files under a Maildir root (its `cur`/`new` and those of `.Folder`
    /// subfolders), oldest delivery first; a plain folder of files or one file is also accepted.
    /// A root that is itself a Maildir++ folder (`Maildir/.Support`) is read as that folder.
    /// Paths are strings: a Maildir holds one file per message, and a `URL` per file costs more than its parsing.
    static func messageFiles(_ root: URL) throws -> [MessageFile] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: root.path, isDirectory: &isDir) else {
            throw ConnectorError(.io, "no such Maildir: \(root.path)")
        }
        guard isDir.boolValue else { return [MessageFile(path: root.path, name: root.lastPathComponent, folder: Folder(label: "", directory: nil))] }
        let rootName = root.standardizedFileURL.lastPathComponent
        let rootLabel = rootName.hasPrefix(".") && rootName.count > 1 ? String(rootName.dropFirst()) : ""
        var folders: [(URL, String)] = [(root, rootLabel)]
        for name in (try? fm.contentsOfDirectory(atPath: root.path)) ?? [] where name.hasPrefix(".") && name.count > 1 {
            folders.append((root.appendingPathComponent(name), String(name.dropFirst())))
        }
        var out: [(file: MessageFile, key: Double)] = []
        var sawMaildir = false
        for (dir, label) in folders {
            var folder: Folder? = nil
            for sub in ["cur", "new"] {
                let d = dir.appendingPathComponent(sub).path
                guard let names = try? fm.contentsOfDirectory(atPath: d) else { continue }
                sawMaildir = true
                if folder == nil { folder = Folder(label: label, directory: dir) }
                for n in names where !n.hasPrefix(".") {
                    out.append((MessageFile(path: d + "/" + n, name: n, folder: folder!),
                                Double(n.prefix { $0.isNumber }) ?? .greatestFiniteMagnitude))
                }
            }
        }
        if !sawMaildir {
            let plain = Folder(label: "", directory: nil)
            for f in try PathExpansion.files(root) {
                let name = f.lastPathComponent
                out.append((MessageFile(path: f.path, name: name, folder: plain), Double(name.prefix { $0.isNumber }) ?? 0))
            }
        }
        return out.sorted { ($0.key, $0.file.path) < ($1.key, $1.file.path) }.map(\.file)
    }

    /// The delivery time in the file name (`1700000000.M1P2.host`), else the file's modification time.
    static func deliveryDate(name: String, path: String) -> Date? {
        let digits = name.prefix { $0.isNumber }
        if digits.count >= 9, let t = Double(digits) { return Date(timeIntervalSince1970: t) }
        return (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate]) as? Date
    }
}
