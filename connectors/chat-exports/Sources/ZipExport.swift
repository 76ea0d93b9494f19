import Foundation
import SwitchboardCore
import ZIPFoundation

/// Caps on what a zip export may unpack to.
struct ZipLimits: Sendable {
    /// Total uncompressed bytes of the entries read (default 4 GiB).
    var maxBytes: UInt64 = 4 << 30
    /// Entries in the archive (default 100 000).
    var maxEntries = 100_000
}

/// Safe reading of zip exports: entries with `..` or absolute paths are
/// refused, entry count and uncompressed size are capped (checked against the
/// declared sizes first, then while inflating), a corrupt archive is a clear error.
struct ZipExport {
    /// An entry that was not extracted, and why.
    struct Refused {
        var path: String
        var reason: String
    }

    /// The archive's entries (files only, safe paths), in archive order.
    let entries: [String]
    /// Entries refused for their path.
    let refused: [Refused]
    let url: URL
    private let archive: Archive
    private let limits: ZipLimits

    /// Opens and checks an archive.
    /// - Throws: ``ConnectorError`` `.format` when the file is not a readable zip or exceeds the limits.
    init(url: URL, limits: ZipLimits) throws {
        self.url = url
        self.limits = limits
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw ConnectorError(.format, "\(url.lastPathComponent): not a readable zip archive (\(error)); "
                + "export the chat again or unpack it and import the folder")
        }
        var safe: [String] = []
        var refused: [Refused] = []
        var count = 0
        var declared: UInt64 = 0
        for entry in archive {
            count += 1
            guard count <= limits.maxEntries else {
                throw ConnectorError(.format, "\(url.lastPathComponent): more than \(limits.maxEntries) entries; "
                    + "raise zip_max_entries if the archive is trusted")
            }
            guard entry.type == .file else {
                if entry.type == .symlink { refused.append(Refused(path: entry.path, reason: "symbolic link")) }
                continue
            }
            if let problem = Self.pathProblem(entry.path) {
                refused.append(Refused(path: entry.path, reason: problem))
                continue
            }
            declared += entry.uncompressedSize
            guard declared <= limits.maxBytes else {
                throw ConnectorError(.format, "\(url.lastPathComponent): entries unpack to more than \(limits.maxBytes) "
                    + "bytes; raise zip_max_bytes if the archive is trusted")
            }
            safe.append(entry.path)
        }
        entries = safe
        self.refused = refused
    }

    /// Why an entry path is unsafe, or nil.
    static func pathProblem(_ path: String) -> String? {
        if path.hasPrefix("/") || path.hasPrefix("\\") { return "absolute path" }
        if path.count > 1, path.dropFirst().first == ":" { return "absolute path" }
        let parts = path.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        if parts.contains("..") { return "path leaves the archive (..)" }
        return nil
    }

    /// The size an entry declares (inflating it stops with an error beyond that), nil when there is no such entry.
    func uncompressedSize(_ path: String) -> UInt64? { archive[path]?.uncompressedSize }

    /// The bytes of one entry, inflated under the size cap.
    func data(_ path: String) throws -> Data {
        guard let entry = archive[path] else {
            throw ConnectorError(.format, "\(url.lastPathComponent): no entry \(path)")
        }
        var out = Data()
        try read(entry) { out.append($0) }
        return out
    }

    /// Inflates one entry into a file (streaming, memory stays flat).
    func extract(_ path: String, to file: URL) throws {
        guard let entry = archive[path] else {
            throw ConnectorError(.format, "\(url.lastPathComponent): no entry \(path)")
        }
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try read(entry) { handle.write($0) }
    }

    private func read(_ entry: Entry, _ body: (Data) throws -> Void) throws {
        var total: UInt64 = 0
        let limit = min(limits.maxBytes, max(entry.uncompressedSize, 1) + 0)
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                total += UInt64(chunk.count)
                guard total <= limit else {
                    throw ConnectorError(.format, "\(url.lastPathComponent): entry \(entry.path) inflates beyond its "
                        + "declared size or the \(limits.maxBytes)-byte cap")
                }
                try body(chunk)
            }
        } catch let e as ConnectorError {
            throw e
        } catch {
            throw ConnectorError(.format, "\(url.lastPathComponent): entry \(entry.path) is corrupt (\(error))")
        }
    }
}
