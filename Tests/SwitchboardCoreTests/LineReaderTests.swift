import Foundation
import SwitchboardCore
import Testing

/// A file in a fresh temporary folder (removed by the caller's `defer`).
func temporaryFile(_ bytes: [UInt8], name: String = "input.txt") throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sb-core-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url
}

func removeTemporary(_ url: URL) { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }

/// `LineReader`: lines across chunk boundaries, the byte-order mark, the line cap.
@Suite struct LineReaderTests {
    struct Seen: Equatable {
        var text: String
        var number: Int
        var offset: UInt64
        var endOffset: UInt64
        var length: Int
        var isCut: Bool
    }

    func lines(_ bytes: [UInt8], chunkSize: Int = 1 << 20, maxLineBytes: Int? = nil, from offset: UInt64 = 0,
               startLine: Int = 1) throws -> [Seen] {
        let url = try temporaryFile(bytes)
        defer { removeTemporary(url) }
        var reader = LineReader(url: url, maxLineBytes: maxLineBytes)
        reader.chunkSize = chunkSize
        var out: [Seen] = []
        try reader.forEachLine(from: offset, startLine: startLine) { l in
            out.append(Seen(text: String(decoding: l.bytes, as: UTF8.self), number: l.number, offset: l.offset,
                            endOffset: l.endOffset, length: l.length, isCut: l.isCut))
            return true
        }
        return out
    }

    @Test func everyChunkSizeGivesTheSameLinesAndOffsets() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var text = ""
            for _ in 0..<Int.random(in: 0...40, using: &rng) {
                text += String(repeating: "x", count: Int.random(in: 0...30, using: &rng))
                text += Bool.random(using: &rng) ? "\r\n" : "\n"
            }
            if Bool.random(using: &rng) { text += "last line without LF" }
            let bytes = Array(text.utf8)
            let whole = try lines(bytes)
            var expected: [String] = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map {
                String(decoding: $0.last == 0x0D ? $0.dropLast() : $0, as: UTF8.self)
            }
            if bytes.last == 0x0A || bytes.isEmpty { expected.removeLast() }
            #expect(whole.map(\.text) == expected)
            #expect(whole.map(\.length) == expected.map(\.utf8.count))
            #expect(whole.last?.endOffset ?? 0 == UInt64(bytes.count))
            for chunk in [1, 2, 3, 7, 64] {
                #expect(try lines(bytes, chunkSize: chunk) == whole, "chunk size \(chunk)")
            }
        }
    }

    @Test func aByteOrderMarkIsSkippedOnTheFirstLineOnly() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("id,name\r\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("1,x\n".utf8)
        for chunk in [1, 2, 4, 1 << 20] {
            let seen = try lines(bytes, chunkSize: chunk)
            #expect(seen.map(\.text) == ["id,name", "\u{FEFF}1,x"], "chunk size \(chunk)")
            #expect(seen[0].offset == 0 && seen[0].endOffset == 12 && seen[0].length == 7)
        }
        // Reading from a later offset leaves the line there as it is.
        #expect(try lines(bytes, from: 12, startLine: 2).map(\.text) == ["\u{FEFF}1,x"])
    }

    @Test func aLineOverTheCapIsCutToItsHeadWithItsWholeLength() throws {
        let long = String(repeating: "a", count: 5000) + "\r"
        let bytes = Array("short\n\(long)\nafter\nlast".utf8)
        for chunk in [3, 100, 1 << 20] {
            let seen = try lines(bytes, chunkSize: chunk, maxLineBytes: 1000)
            #expect(seen.map(\.text) == ["short", String(repeating: "a", count: 1000), "after", "last"], "chunk size \(chunk)")
            #expect(seen.map(\.isCut) == [false, true, false, false])
            #expect(seen[1].length == 5000 && seen[1].number == 2)
            #expect(seen[1].offset == 6 && seen[1].endOffset == 6 + 5002)
            #expect(seen[3].endOffset == UInt64(bytes.count))
        }
        // A line exactly at the cap is whole.
        let exact = try lines(Array((String(repeating: "b", count: 1000) + "\n").utf8), chunkSize: 7, maxLineBytes: 1000)
        #expect(exact.map(\.isCut) == [false] && exact[0].length == 1000)
    }

    @Test func stoppingEarlyReturnsTheOffsetAfterTheLastLineRead() throws {
        let url = try temporaryFile(Array("one\ntwo\nthree\n".utf8))
        defer { removeTemporary(url) }
        var n = 0
        let offset = try LineReader(url: url).forEachLine { _ in n += 1; return n < 2 }
        #expect(offset == 8)
    }
}
