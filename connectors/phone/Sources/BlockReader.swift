import Foundation
import SwitchboardCore

/// Reads a file in blocks of lines from a cursor: the line callback runs
/// synchronously on the reader's bytes, and the caller hands each block's
/// results to the (async) sink between blocks.
///
/// The file stays open and its bytes buffered from one block to the next, so a
/// file is read once, in large chunks, into one reused buffer (a cursor other
/// than where the last block stopped reopens it there).
final class BlockReader {
    /// One line: its bytes (valid only during the callback), 1-based number and byte range in the file.
    struct Line {
        var bytes: UnsafeBufferPointer<UInt8>
        var number: Int
        var offset: UInt64
        /// Offset just after the line's terminator.
        var endOffset: UInt64
    }

    let url: URL
    let includeUnterminated: Bool
    var blockLines = 4096
    var chunkSize = 1 << 20

    private var handle: FileHandle?
    private var buffer: [UInt8] = []
    /// Unread bytes are `buffer[start..<end]`; `position` is the file offset of `buffer[start]`.
    private var start = 0
    private var end = 0
    private var position: UInt64 = 0
    private var atEOF = false

    init(url: URL, includeUnterminated: Bool) {
        self.url = url
        self.includeUnterminated = includeUnterminated
    }

    deinit { try? handle?.close() }

    /// Reads up to `blockLines` lines after `cursor`; returns the advanced cursor,
    /// the bytes consumed and whether the block was full (more may follow).
    func next(after cursor: FileCursor, _ body: (Line) -> Void) throws -> (cursor: FileCursor, bytes: Int, full: Bool) {
        if handle == nil || position != cursor.offset { try open(at: cursor.offset) }
        var number = cursor.line
        var n = 0
        let first = position
        while n < blockLines {
            let found: Bool = buffer.withUnsafeBufferPointer { buf in
                guard start < end, let base = buf.baseAddress,
                      let p = memchr(base + start, 0x0A, end - start) else { return false }
                let nl = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                var stop = nl
                if stop > start, buf[stop - 1] == 0x0D { stop -= 1 }
                let length = UInt64(nl + 1 - start)
                body(Line(bytes: Self.withoutMark(UnsafeBufferPointer(rebasing: buf[start..<stop]), at: position),
                          number: number, offset: position, endOffset: position + length))
                position += length
                start = nl + 1
                return true
            }
            if found {
                number += 1
                n += 1
                continue
            }
            if atEOF { break }
            try fill()
        }
        if n < blockLines, atEOF, includeUnterminated, start < end {
            buffer.withUnsafeBufferPointer { buf in
                var stop = end
                if buf[stop - 1] == 0x0D { stop -= 1 }
                body(Line(bytes: Self.withoutMark(UnsafeBufferPointer(rebasing: buf[start..<stop]), at: position),
                          number: number, offset: position, endOffset: position + UInt64(end - start)))
            }
            position += UInt64(end - start)
            start = end
            number += 1
        }
        return (FileCursor(device: cursor.device, inode: cursor.inode, offset: position, line: number),
                Int(position - first), n >= blockLines)
    }

    private func open(at offset: UInt64) throws {
        try? handle?.close()
        handle = nil
        let h: FileHandle
        do { h = try FileHandle(forReadingFrom: url) }
        catch { throw ConnectorError(.io, "cannot open \(url.path): \(Self.reason(error))") }
        if offset > 0 {
            do { try h.seek(toOffset: offset) }
            catch { throw ConnectorError(.io, "cannot read \(url.path) at byte \(offset): \(Self.reason(error))") }
        }
        handle = h
        if buffer.count < chunkSize { buffer = [UInt8](repeating: 0, count: chunkSize) }
        start = 0
        end = 0
        position = offset
        atEOF = false
    }

    /// Moves the unread bytes to the front (growing the buffer for a line longer than it) and reads more.
    private func fill() throws {
        guard let handle else { return }
        if start > 0 {
            buffer.withUnsafeMutableBufferPointer { b in
                if end > start { memmove(b.baseAddress!, b.baseAddress! + start, end - start) }
            }
            end -= start
            start = 0
        }
        if end == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
        let fd = handle.fileDescriptor
        let got = buffer.withUnsafeMutableBufferPointer { b in read(fd, b.baseAddress! + end, b.count - end) }
        guard got >= 0 else {
            throw ConnectorError(.io, "cannot read \(url.path): \(String(cString: strerror(errno)))")
        }
        if got == 0 { atEOF = true } else { end += got }
    }

    static func reason(_ error: any Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }

    /// The first line of the file without a UTF-8 byte-order mark (``ByteOrderMark``); other lines as they are.
    @inline(__always)
    static func withoutMark(_ line: UnsafeBufferPointer<UInt8>, at offset: UInt64) -> UnsafeBufferPointer<UInt8> {
        offset == 0 ? ByteOrderMark.dropped(line) : line
    }

    static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}

/// A rejected row waiting to be handed to the sink.
struct Rejected: Sendable {
    var reason: String
    var provenance: String
    var raw: Data
    /// What a replay needs besides `raw` (``ReplayContext``).
    var replay: ReplayContext? = nil
}

extension IngestSink {
    /// Hands one block's results over: interactions, then dead letters, then progress.
    func deliver(_ interactions: [Interaction], _ rejected: [Rejected], bytes: Int) async throws {
        try await accept(contentsOf: interactions)
        for r in rejected { try await reject(reason: r.reason, provenance: r.provenance, raw: r.raw, replay: r.replay) }
        await progress(bytes: bytes)
    }
}
