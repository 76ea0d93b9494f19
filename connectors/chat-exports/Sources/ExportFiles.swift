import Foundation
import SwitchboardCore

/// The files of an export: a folder on disk or a zip archive, addressed by
/// relative path, so one importer reads both forms.
enum ExportTree {
    case folder(URL)
    case zip(ZipExport)

    /// Relative paths of every file, sorted.
    var files: [String] {
        switch self {
        case .zip(let z): return z.entries.sorted()
        case .folder(let root):
            guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
            else { return [] }
            var out: [String] = []
            let prefix = root.standardizedFileURL.path.count + 1
            for case let url as URL in walker {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
                out.append(String(url.standardizedFileURL.path.dropFirst(prefix)))
            }
            return out.sorted()
        }
    }

    /// Display label of the tree (`export.zip`, `slack-export`).
    var label: String {
        switch self {
        case .zip(let z): return z.url.lastPathComponent
        case .folder(let u): return u.lastPathComponent
        }
    }

    /// The bytes of one file.
    func data(_ path: String) throws -> Data {
        switch self {
        case .zip(let z): return try z.data(path)
        case .folder(let root):
            do { return try Data(contentsOf: root.appendingPathComponent(path)) } catch {
                throw ConnectorError(.io, "cannot read \(root.appendingPathComponent(path).path): \(error.localizedDescription)")
            }
        }
    }
}

extension ExportTree {
    /// Zip entries up to this size are inflated into memory to be read; bigger ones into a scratch file.
    static let inMemoryEntryBytes: UInt64 = 8 << 20

    /// A reader of the JSON array in one file, one element at a time (memory holds one element): a
    /// folder's file is read in chunks; a zip entry is inflated into memory when small, else into a
    /// scratch file that is removed as soon as it is open (the reader keeps it readable, and nothing
    /// is left behind however the import ends).
    func arrayReader(_ path: String, maxElementBytes: Int) throws -> JSONArrayReader {
        switch self {
        case .folder(let root):
            return try JSONArrayReader(url: root.appendingPathComponent(path), maxElementBytes: maxElementBytes)
        case .zip(let z):
            if let size = z.uncompressedSize(path), size <= Self.inMemoryEntryBytes {
                return JSONArrayReader(data: try z.data(path), maxElementBytes: maxElementBytes)
            }
            let scratch = try ScratchFolder()
            defer { scratch.remove() }
            let file = scratch.url.appendingPathComponent("entry.json")
            try z.extract(path, to: file)
            return try JSONArrayReader(url: file, maxElementBytes: maxElementBytes)
        }
    }
}

/// Reading whole JSON export files with messages a user can act on.
enum ExportJSON {
    /// Loads every `.json` file of the paths as one document and hands it to `importDocument`;
    /// a file that is not JSON becomes one dead letter.
    static func importEach(_ urls: [URL], into sink: any IngestSink,
                           _ importDocument: (JSONValue, String, any IngestSink) async throws -> Void) async throws {
        for url in urls {
            for file in try PathExpansion.files(url, extensions: [".json"]) {
                let label = file.lastPathComponent
                guard let root = try await load(file, label: label, into: sink) else { continue }
                try await importDocument(root, label, sink)
            }
        }
    }

    /// The parsed document, or the reason it cannot be read (empty, truncated, not JSON).
    static func parse(_ data: Data, label: String) -> Result<JSONValue, ConnectorError> {
        let content = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]   // a byte-order mark
        if content.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return .failure(ConnectorError(.format, "\(label): the file is empty; export the chat again"))
        }
        do {
            return .success(try JSONParser.parse(data))
        } catch let e as JSONParseError {
            let hint = e.offset >= data.count - 1 ? "the file is truncated" : "the file is not valid JSON"
            return .failure(ConnectorError(.format, "\(label): \(hint) (byte \(e.offset) of \(data.count): \(e.message)); "
                + "export it again"))
        } catch {
            return .failure(ConnectorError(.format, "\(label): cannot be read as JSON: \(error)"))
        }
    }

    /// Reads and parses a file; problems go to the sink as one dead letter and give nil.
    static func load(_ url: URL, label: String, into sink: any IngestSink) async throws -> JSONValue? {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ConnectorError(.io, "cannot read \(url.path): \(error.localizedDescription)")
        }
        switch parse(data, label: label) {
        case .success(let v): return v
        case .failure(let e):
            try await sink.reject(reason: e.message, provenance: "file:\(label)", raw: data.prefix(4096))
            return nil
        }
    }

    /// A message text that is a string, or an array of strings and `{type, text}` entities.
    static func text(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        switch value {
        case .string(let s): return s
        case .array(let parts):
            var out = ""
            for p in parts {
                if let s = p.string { out += s } else if let s = p["text"]?.string { out += s }
            }
            return out
        default: return nil
        }
    }

    /// A compact JSON-ish rendering of a rejected record for the dead-letter payload.
    static func raw(_ value: JSONValue) -> Data {
        Data(String(describing: value).prefix(4096).utf8)
    }
}
