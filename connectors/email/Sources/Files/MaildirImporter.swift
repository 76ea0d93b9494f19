import Foundation
import SwitchboardCore

/// `kind: maildir` — backfill from a Maildir (or Maildir++ with `.Sent`-style
/// subfolders): every file under `cur/` and `new/` is one message. Same parser
/// and ids as `imap` and `mbox`.
public struct MaildirImporter: FileImporter {
    public struct Settings: Decodable, Sendable, EmailSettings {
        public var path: String?
        public var supportAddresses: [String]?

        enum CodingKeys: String, CodingKey {
            case path
            case supportAddresses = "support_addresses"
        }
    }

    public static let kind = "maildir"
    public static let summary = "Maildir folders (backfill), threaded like IMAP mail"
    public static let settings: [SettingSpec] = [
        .path,
        SettingSpec("support_addresses", "[string]", "the team's addresses and domains; mail from them (or from `agents:` e-mails) is outbound agent mail"),
    ]

    public let name: String
    let mapping: EmailMapping

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        mapping = EmailMapping(source: name, platform: "imap", supportAddresses: settings.supportAddresses ?? [],
                               agents: context.agents)
    }

    public func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {
        var ingest = EmailIngest(mapping: mapping)
        for url in urls {
            for (file, folder) in try Self.messageFiles(url) {
                let data: Data
                do { data = try Data(contentsOf: file) }
                catch { throw ConnectorError(.io, "cannot read \(file.path): \(error.localizedDescription)") }
                let date = Self.deliveryDate(file)
                let provenance = "file:\(folder.isEmpty ? "" : folder + "/")\(file.lastPathComponent)"
                data.withUnsafeBytes { raw in
                    ingest.add(raw.bindMemory(to: UInt8.self), fallbackDate: date,
                               fromSent: EmailMapping.isSentMailbox(folder), provenance: provenance)
                }
                if ingest.pending >= 256 { try await ingest.flush(into: sink) }
            }
        }
        try await ingest.flush(into: sink)
    }

    /// Message files under a Maildir root (its `cur`/`new` and those of `.Folder`
    /// subfolders), oldest delivery first; a plain folder of files or one file is also accepted.
    static func messageFiles(_ root: URL) throws -> [(URL, String)] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: root.path, isDirectory: &isDir) else {
            throw ConnectorError(.io, "no such Maildir: \(root.path)")
        }
        guard isDir.boolValue else { return [(root, "")] }
        var folders: [(URL, String)] = [(root, "")]
        for name in (try? fm.contentsOfDirectory(atPath: root.path)) ?? [] where name.hasPrefix(".") && name.count > 1 {
            folders.append((root.appendingPathComponent(name), String(name.dropFirst())))
        }
        var out: [(URL, String, Double)] = []
        var sawMaildir = false
        for (dir, label) in folders {
            for sub in ["cur", "new"] {
                let d = dir.appendingPathComponent(sub)
                guard let names = try? fm.contentsOfDirectory(atPath: d.path) else { continue }
                sawMaildir = true
                for n in names where !n.hasPrefix(".") {
                    let f = d.appendingPathComponent(n)
                    out.append((f, label, Double(n.prefix { $0.isNumber }) ?? .greatestFiniteMagnitude))
                }
            }
        }
        if !sawMaildir {
            for f in try PathExpansion.files(root) { out.append((f, "", Double(f.lastPathComponent.prefix { $0.isNumber }) ?? 0)) }
        }
        return out.sorted { ($0.2, $0.0.path) < ($1.2, $1.0.path) }.map { ($0.0, $0.1) }
    }

    /// The delivery time in the file name (`1700000000.M1P2.host`), else the file's modification time.
    static func deliveryDate(_ file: URL) -> Date? {
        let digits = file.lastPathComponent.prefix { $0.isNumber }
        if digits.count >= 9, let t = Double(digits) { return Date(timeIntervalSince1970: t) }
        return (try? FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate]) as? Date
    }
}
