import Foundation

/// Reads a file line by line in large chunks without building Strings, so
/// imports stay fast and memory stays flat whatever the file size.
///
/// Lines end with LF (a preceding CR is dropped); a UTF-8 byte-order mark at the start of the
/// file is skipped. A last line without LF is delivered only when `includeUnterminated` is true;
/// pull sources leave it for the next pass (it may be half-written). Lines are handed over
/// straight from the read buffer; only a line that spans two reads is copied, and never more of
/// it than ``maxLineBytes``.
public struct LineReader {
    /// One line: its bytes (valid only during the callback), 1-based number and byte range in the file.
    public struct Line {
        /// The line without its terminator (and without the byte-order mark on the first line);
        /// only its first ``LineReader/maxLineBytes`` bytes when ``isCut``.
        public var bytes: UnsafeBufferPointer<UInt8>
        public var number: Int
        public var offset: UInt64
        /// Offset just after the line's terminator.
        public var endOffset: UInt64
        /// The whole line's length in bytes, without its terminator (also when cut).
        public var length: Int
        /// Whether the line is longer than ``LineReader/maxLineBytes``: ``bytes`` then holds its head only.
        public var isCut: Bool
    }

    public let url: URL
    public var chunkSize: Int = 1 << 20
    /// The most bytes of one line the reader holds; a longer line is delivered cut (``Line/isCut``),
    /// the rest of it skipped without being kept. nil: no limit.
    public var maxLineBytes: Int?

    public init(url: URL, maxLineBytes: Int? = nil) {
        self.url = url
        self.maxLineBytes = maxLineBytes
    }

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
        let limit = max(1, maxLineBytes ?? Int.max)
        var chunk = [UInt8](repeating: 0, count: max(1, chunkSize))
        var partial = PartialLine(limit: limit)
        var position = offset          // file offset of the line being read
        var lineNumber = startLine

        /// Hands `head` (the line, or its first `limit` bytes) of a line of `total` bytes on.
        func deliver(_ head: UnsafeBufferPointer<UInt8>, total: Int, last: UInt8, terminated: Bool) throws -> Bool {
            var bytes = head
            var length = total
            let cut = total > head.count
            if last == 0x0D {
                length -= 1
                if !cut { bytes = UnsafeBufferPointer(rebasing: bytes.dropLast()) }
            }
            if position == 0 {
                let bom = ByteOrderMark.length(bytes)
                bytes = UnsafeBufferPointer(rebasing: bytes[bom...])
                length -= bom
            }
            let line = Line(bytes: bytes, number: lineNumber, offset: position,
                            endOffset: position + UInt64(total + (terminated ? 1 : 0)), length: length, isCut: cut)
            position = line.endOffset
            lineNumber += 1
            return try body(line)
        }

        while true {
            let got = chunk.withUnsafeMutableBufferPointer { read(handle.fileDescriptor, $0.baseAddress!, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw ConnectorError(.io, "cannot read \(url.path): \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            let stop: Bool = try chunk.withUnsafeBufferPointer { all in
                let buf = UnsafeBufferPointer(rebasing: all[0..<got])
                var start = 0
                while start < buf.count {
                    guard let nl = Self.indexOfNewline(buf, from: start) else {
                        partial.append(UnsafeBufferPointer(rebasing: buf[start...]))
                        return false
                    }
                    let piece = UnsafeBufferPointer(rebasing: buf[start..<nl])
                    start = nl + 1
                    let more: Bool
                    if partial.isEmpty {
                        let head = UnsafeBufferPointer(rebasing: piece.prefix(limit))
                        more = try deliver(head, total: piece.count, last: piece.last ?? 0, terminated: true)
                    } else {
                        partial.append(piece)
                        more = try partial.head.withUnsafeBufferPointer {
                            try deliver($0, total: partial.total, last: partial.last, terminated: true)
                        }
                        partial.reset()
                    }
                    if !more { return true }
                }
                return false
            }
            if stop { return position }
        }
        if includeUnterminated, !partial.isEmpty {
            _ = try partial.head.withUnsafeBufferPointer {
                try deliver($0, total: partial.total, last: partial.last, terminated: false)
            }
        }
        return position
    }

    /// The line being read when it continues past the end of a read: its first `limit` bytes, then only its length.
    private struct PartialLine {
        let limit: Int
        var head: [UInt8] = []
        var total = 0
        var last: UInt8 = 0

        var isEmpty: Bool { total == 0 }

        mutating func append(_ b: UnsafeBufferPointer<UInt8>) {
            guard let final = b.last else { return }
            let room = limit - head.count
            if room > 0 { head.append(contentsOf: b.prefix(room)) }
            total += b.count
            last = final
        }

        mutating func reset() {
            head.removeAll(keepingCapacity: head.capacity <= 1 << 20)
            total = 0
            last = 0
        }
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
