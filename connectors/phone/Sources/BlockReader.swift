import Foundation
import SwitchboardCore

/// Reads a file in blocks of lines from a cursor: the line callback runs
/// synchronously on the reader's bytes, and the caller hands each block's
/// results to the (async) sink between blocks.
struct BlockReader {
    var url: URL
    var includeUnterminated: Bool
    var blockLines = 4096

    /// Reads up to `blockLines` lines after `cursor`; returns the advanced cursor,
    /// the bytes consumed and whether the block was full (more may follow).
    func next(after cursor: FileCursor, _ body: (LineReader.Line) -> Void) throws -> (cursor: FileCursor, bytes: Int, full: Bool) {
        var c = cursor
        var n = 0
        var bytes = 0
        let reader = LineReader(url: url)
        let end = try reader.forEachLine(from: cursor.offset, startLine: cursor.line,
                                         includeUnterminated: includeUnterminated) { line in
            body(line)
            c.line = line.number + 1
            bytes += Int(line.endOffset - line.offset)
            n += 1
            return n < blockLines
        }
        c.offset = end
        return (c, bytes, n >= blockLines)
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
}

extension IngestSink {
    /// Hands one block's results over: interactions, then dead letters, then progress.
    func deliver(_ interactions: [Interaction], _ rejected: [Rejected], bytes: Int) async throws {
        try await accept(contentsOf: interactions)
        for r in rejected { try await reject(reason: r.reason, provenance: r.provenance, raw: r.raw) }
        await progress(bytes: bytes)
    }
}
