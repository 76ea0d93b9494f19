import Foundation

/// Reads a file line by line in large chunks without building Strings, so
/// imports stay fast and memory stays flat whatever the file size.
///
/// Lines end with LF (a preceding CR is dropped). A last line without LF is
/// delivered only when `includeUnterminated` is true; pull sources leave it for
/// the next pass (it may be half-written).
public struct LineReader {
    /// One line: its bytes (valid only during the callback), 1-based number and byte range in the file.
    public struct Line {
        public var bytes: UnsafeBufferPointer<UInt8>
        public var number: Int
        public var offset: UInt64
        /// Offset just after the line's terminator.
        public var endOffset: UInt64
    }

    public let url: URL
    public var chunkSize: Int = 1 << 20

    public init(url: URL) { self.url = url }

    /// Calls `body` for every line from `offset`; returns the offset after the last complete line read.
    /// - Parameters:
    ///   - startLine: the number of the line at `offset` (1 at the start of the file).
    ///   - body: return false to stop early.
    @discardableResult
    public func forEachLine(from offset: UInt64 = 0, startLine: Int = 1, includeUnterminated: Bool = true,
                            _ body: (Line) throws -> Bool) throws -> UInt64 {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) }
        catch { throw ConnectorError(.io, "cannot open \(url.path): \(Self.reason(error))") }
        defer { try? handle.close() }
        if offset > 0 { try handle.seek(toOffset: offset) }
        var carry: [UInt8] = []
        var position = offset          // file offset of carry[0] / the next unread line
        var lineNumber = startLine
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: chunkSize) ?? Data() }
            catch { throw ConnectorError(.io, "cannot read \(url.path): \(Self.reason(error))") }
            if chunk.isEmpty { break }
            var stop = false
            carry.append(contentsOf: chunk)
            try carry.withUnsafeBufferPointer { buf in
                var start = 0
                while start < buf.count {
                    guard let nl = Self.indexOfNewline(buf, from: start) else { break }
                    var end = nl
                    if end > start, buf[end - 1] == 0x0D { end -= 1 }
                    let line = Line(bytes: UnsafeBufferPointer(rebasing: buf[start..<end]), number: lineNumber,
                                    offset: position, endOffset: position + UInt64(nl + 1 - start))
                    position = line.endOffset
                    lineNumber += 1
                    start = nl + 1
                    if try !body(line) { stop = true; break }
                }
                carry.removeFirst(start)
            }
            if stop { return position }
        }
        if includeUnterminated, !carry.isEmpty {
            try carry.withUnsafeBufferPointer { buf in
                var end = buf.count
                if buf[end - 1] == 0x0D { end -= 1 }
                let line = Line(bytes: UnsafeBufferPointer(rebasing: buf[0..<end]), number: lineNumber, offset: position,
                                endOffset: position + UInt64(buf.count))
                position = line.endOffset
                _ = try body(line)
            }
        }
        return position
    }

    @inline(__always)
    static func indexOfNewline(_ buf: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard from < buf.count, let base = buf.baseAddress else { return nil }
        guard let p = memchr(base + from, 0x0A, buf.count - from) else { return nil }
        return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
    }

    static func reason(_ error: any Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }
}

/// Expands a configured `path` (file, folder, or glob with `*`/`?`) into files, sorted by name.
public enum PathExpansion {
    /// - Throws: ``ConnectorError`` `.io` when nothing matches.
    public static func files(_ url: URL, extensions: [String] = []) throws -> [URL] {
        let fm = FileManager.default
        let path = url.path
        if path.contains("*") || path.contains("?") {
            var matches: [URL] = []
            let dir = url.deletingLastPathComponent()
            let pattern = url.lastPathComponent
            for name in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] where fnmatch(pattern, name, 0) == 0 {
                matches.append(dir.appendingPathComponent(name))
            }
            guard !matches.isEmpty else { throw ConnectorError(.io, "no file matches \(path)") }
            return matches.sorted { $0.path < $1.path }
        }
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ConnectorError(.io, "no such file or folder: \(path)")
        }
        guard isDir.boolValue else { return [url] }
        let items = (try? fm.contentsOfDirectory(atPath: path)) ?? []
        return items.filter { name in
            !name.hasPrefix(".") && (extensions.isEmpty || extensions.contains { name.lowercased().hasSuffix($0) })
        }.sorted().map { url.appendingPathComponent($0) }
    }
}
