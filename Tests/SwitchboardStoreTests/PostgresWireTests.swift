import Foundation
import NIOCore
import NIOEmbedded
import SwitchboardCore
@testable import SwitchboardStore
import Synchronization
import SwitchboardTesting
import Testing

/// The PostgreSQL metrics scan's own reading of the wire: messages and binary `COPY` rows split anywhere across the
/// socket's chunks, damaged input as errors, and the hand-over from the event loop holding the server back.
@Suite struct PostgresWireTests {
    /// One protocol message: type, big-endian length counting itself, body.
    static func message(_ type: Character, _ body: [UInt8]) -> [UInt8] {
        [type.asciiValue!] + withUnsafeBytes(of: Int32(body.count + 4).bigEndian, Array.init) + body
    }

    static func be<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }

    /// A row of the metrics statement: seq, then the other columns NULL except the ones given (position: bytes).
    static func row(seq: Int64, _ cells: [Int: [UInt8]] = [:]) -> [UInt8] {
        let count = MetricsScanColumns.names.count
        var out = be(Int16(count)) + be(Int32(8)) + be(seq)
        for k in 1..<count {
            if let bytes = cells[k] { out += be(Int32(bytes.count)) + bytes } else { out += be(Int32(-1)) }
        }
        return out
    }

    /// `bytes` in chunks of the given sizes (the last takes the rest).
    static func chunks(_ bytes: [UInt8], cuts: [Int]) -> [ByteBuffer] {
        var out: [ByteBuffer] = []
        var at = 0
        for cut in cuts.sorted() where cut > at && cut < bytes.count {
            out.append(ByteBuffer(bytes: bytes[at..<cut]))
            at = cut
        }
        out.append(ByteBuffer(bytes: bytes[at...]))
        return out
    }

    @Test("messages split at any one or two places arrive whole and in order, and nothing after ReadyForQuery is read")
    func messagesAcrossChunks() throws {
        let sent: [(Character, [UInt8])] = [("C", Array("BEGIN\0".utf8)), ("H", [1, 0, 2, 0, 1, 0, 1]), ("d", Array(0..<200)),
                                            ("c", []), ("N", Array("Snotice\0\0".utf8)), ("Z", [UInt8(ascii: "T")])]
        let stream = sent.flatMap { Self.message($0.0, $0.1) } + Self.message("d", [9, 9])
        for first in 0...stream.count {
            for second in stride(from: first, through: stream.count, by: first % 7 == 0 ? 1 : 23) {
                var messages = BackendMessages()
                var got: [(Character, [UInt8])] = []
                var ended = false
                for chunk in Self.chunks(stream, cuts: [first, second]) where !ended {
                    ended = try messages.feed(chunk) { type, body in
                        got.append((Character(Unicode.Scalar(type)), Array(body)))
                        return type == UInt8(ascii: "Z")
                    }
                }
                #expect(ended, "cuts \(first), \(second)")
                #expect(got.map(\.0) == sent.map(\.0) && got.map(\.1) == sent.map(\.1), "cuts \(first), \(second)")
            }
        }
    }

    @Test("a message length below 4 is a protocol error, not a hang or a misread")
    func impossibleLengthIsAnError() throws {
        var messages = BackendMessages()
        let bad = ByteBuffer(bytes: [UInt8(ascii: "D")] + Self.be(Int32(3)) + [0, 0])
        #expect(throws: PostgresProtocolError.self) { _ = try messages.feed(bad) { _, _ in false } }
    }

    /// A binary COPY of the given rows: header with an extension area, the rows, the end marker.
    static func copyStream(_ rows: [[UInt8]]) -> [UInt8] {
        BinaryCopyRows.signature + be(Int32(0)) + be(Int32(3)) + [7, 7, 7] + rows.flatMap { $0 } + be(Int16(-1))
    }

    /// Reads `messages` (the COPY data, one array per `CopyData`) into (seq, source, occurred_at) per row.
    static func read(_ messages: [[UInt8]]) throws -> (rows: [(Int64, String?, Int64?)], ended: Bool) {
        var copy = BinaryCopyRows()
        var cells = PostgresCells(storeName: "PostgreSQL store test")
        var out: [(Int64, String?, Int64?)] = []
        let source = Int32(MetricsScanColumns.names.firstIndex(of: "source")!)
        let occurred = Int32(MetricsScanColumns.names.firstIndex(of: "occurred_at")!)
        for data in messages {
            try data.withUnsafeBytes { bytes in
                try copy.feed(bytes) { row in
                    guard let length = try cells.load(row: row) else { return nil }
                    let text = try cells.text(source).map { String(decoding: $0, as: UTF8.self) }
                    out.append((cells.int64(0), text, cells.isNull(occurred) ? nil : cells.int64(occurred)))
                    return length
                }
            }
        }
        return (out, copy.ended)
    }

    @Test("binary COPY rows split across CopyData messages anywhere read the same as one row per message")
    func copyRowsAcrossMessages() throws {
        let source = MetricsScanColumns.names.firstIndex(of: "source")!
        let occurred = MetricsScanColumns.names.firstIndex(of: "occurred_at")!
        let rows = [Self.row(seq: 1, [source: Array("mail".utf8), occurred: Self.be(Int64(1_772_323_200_000))]),
                    Self.row(seq: 2, [source: []]),
                    Self.row(seq: 3, [source: Array("телефон".utf8), occurred: Self.be(Int64(-5))])]
        let expected: [(Int64, String?, Int64?)] = [(1, "mail", 1_772_323_200_000), (2, "", nil), (3, "телефон", -5)]
        let stream = Self.copyStream(rows)
        // As the server sends it: the header with the first row, then a row per message, then the end marker.
        let asSent = [Array(stream[..<(22 + rows[0].count)]), rows[1], rows[2], Self.be(Int16(-1))]
        #expect(asSent.flatMap { $0 } == stream)
        var all = [asSent]
        for first in 1..<stream.count {
            all.append([Array(stream[..<first]), Array(stream[first...])])
            all.append([Array(stream[..<(first / 2)]), Array(stream[(first / 2)..<first]), Array(stream[first...])])
        }
        for messages in all {
            let (got, ended) = try Self.read(messages)
            #expect(ended)
            #expect(got.map(\.0) == expected.map(\.0) && got.map(\.1) == expected.map(\.1) && got.map(\.2) == expected.map(\.2),
                    "\(messages.map(\.count))")
        }
    }

    @Test("a damaged binary COPY is an error: wrong signature, data after the end marker, a row of another width, a seq not 8 bytes")
    func damagedCopyIsAnError() throws {
        var wrong = Self.copyStream([Self.row(seq: 1)])
        wrong[0] = UInt8(ascii: "X")
        #expect(throws: PostgresProtocolError.self) { _ = try Self.read([wrong]) }
        #expect(throws: PostgresProtocolError.self) { _ = try Self.read([Self.copyStream([Self.row(seq: 1)]) + Self.row(seq: 2)]) }
        let narrow = Self.be(Int16(3)) + Self.be(Int32(8)) + Self.be(Int64(1)) + Self.be(Int32(-1)) + Self.be(Int32(-1))
        let error = #expect(throws: StoreError.self) { _ = try Self.read([Self.copyStream([narrow])]) }
        #expect(error?.code == .corrupt && error?.description.contains("3 fields") == true, "\(String(describing: error))")
        var short = Self.row(seq: 1)
        short.replaceSubrange(2..<14, with: Self.be(Int32(4)) + Self.be(Int32(1)))
        #expect(throws: StoreError.self) { _ = try Self.read([Self.copyStream([short])]) }
    }

    @Test("a server error's message and SQLSTATE are read from its fields")
    func serverErrorFields() {
        let body = Array("SERROR\0VERROR\0C22023\0Minvalid snapshot identifier: \"x\"\0\0".utf8)
        let error = body.withUnsafeBytes { PostgresServerError($0) }
        #expect(error.sqlState == "22023")
        #expect(error.description == "invalid snapshot identifier: \"x\" (SQLSTATE 22023)")
    }

    @Test("the event loop stops reading while the reader is a high-water mark behind, and reads again once it catches up")
    func backpressure() async throws {
        let channel = NIOAsyncTestingChannel()
        let reads = ReadCounter()
        let reply = RawReply(highWater: 100)
        try await channel.pipeline.addHandler(reads)
        try await channel.pipeline.addHandler(RawReplyTap(reply))
        try await channel.writeInbound(ByteBuffer(repeating: 1, count: 60))
        channel.read()
        await channel.testingEventLoop.run()
        #expect(reads.count == 1, "below the mark the read passes")
        try await channel.writeInbound(ByteBuffer(repeating: 2, count: 60))
        channel.read()
        await channel.testingEventLoop.run()
        #expect(reads.count == 1, "at 120 queued bytes the read is held")
        let taken = try await reply.next()
        #expect(taken.map(\.readableBytes) == [60, 60])
        await channel.testingEventLoop.run()
        #expect(reads.count == 2, "taking the queue lets the held read through")
        // A closed connection: what came before is still handed over, then the loss.
        try await channel.writeInbound(ByteBuffer(repeating: 3, count: 10))
        try await channel.close()
        #expect(try await reply.next().map(\.readableBytes) == [10])
        await #expect(throws: PostgresConnectionLost.self) { _ = try await reply.next() }
    }
}

/// The raw read against the test server (skipped without one).
@Suite struct PostgresRawReadTests {
    @Test("a statement the server rejects on a raw connection gives the server's message and SQLSTATE, named for the store")
    func serverErrorOnARawRead() async throws {
        let scratch = try await ScratchStore(.postgres)
        let store = try await scratch.openPostgres()
        let error = await #expect(throws: PostgresServerError.self) {
            _ = try await store.readMetrics(1...10, snapshot: "00000003-0000001B-1", tableRows: nil, storeName: "test")
        }
        #expect(error?.sqlState == "22023", "\(String(describing: error))")
        let shown = store.storeError(try #require(error), action: "read interactions for the report").description
        #expect(shown.contains("PostgreSQL store postgres://") && shown.contains("snapshot") && shown.contains("SQLSTATE 22023"), "\(shown)")
        // The connection is usable for nothing else and was closed; the store still reads.
        #expect(try await store.scanMetrics(parts: 2).storedCounts.isEmpty)
    }
}

/// Counts the read events that reach it on their way to the socket.
private final class ReadCounter: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = Any
    private let reads = Mutex(0)
    var count: Int { reads.withLock { $0 } }
    func read(context: ChannelHandlerContext) {
        reads.withLock { $0 += 1 }
        context.read()
    }
}
