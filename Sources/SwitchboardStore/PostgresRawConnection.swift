import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// A connection of the PostgreSQL store that reads one statement's reply itself: the bulk reads (the metrics scan)
/// take the server's messages straight off the socket, with no per-row work in the driver.
///
/// The driver opens the connection (TLS, start-up, authentication) on a channel made here; then ``RawReplyTap`` is
/// put in front of the driver's handler and from then on takes every byte the server sends. The driver is idle and
/// never used again on this connection: one simple-protocol query is sent, its reply read through ``reply`` until
/// `ReadyForQuery`, and the connection closed. The bytes reach the reader in the chunks the socket gave, handed
/// over from the event loop; the loop stops reading while 8 MiB wait (``RawReply/highWater``), so a slow reader holds
/// the server back instead of filling memory.
struct PostgresRawConnection: Sendable {
    let conn: PostgresConnection
    let channel: any Channel
    let reply: RawReply

    /// Opens a connection to the store's server with the pool's settings (TLS, user, password, connect timeout).
    static func open(_ location: PostgresLocation, logger: Logger) async throws -> PostgresRawConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(Int64(location.connectTimeout)))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            // Bulk replies: reads of up to 1 MiB rather than NIO's 64 KiB.
            .channelOption(ChannelOptions.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 4096, initial: 65536, maximum: 1 << 20))
            .connect(host: location.host, port: location.port).get()
        let conn: PostgresConnection
        do {
            conn = try await PostgresConnection.connect(on: channel.eventLoop, configuration: try location.connectionConfiguration(on: channel),
                                                        id: Int.random(in: 1_000_000...Int(Int32.max)), logger: logger)
        } catch {
            channel.close(promise: nil)
            throw error
        }
        let reply = RawReply()
        do {
            try await channel.eventLoop.submit {
                let pipeline = channel.pipeline.syncOperations
                let tap = RawReplyTap(reply)
                // After the TLS handler, when there is one: the tap reads the plain protocol.
                if let tls = try? pipeline.context(handlerType: NIOSSLClientHandler.self) {
                    try pipeline.addHandler(tap, position: .after(tls.handler))
                } else {
                    try pipeline.addHandler(tap, position: .first)
                }
            }.get()
        } catch {
            try? await conn.close()
            throw error
        }
        return PostgresRawConnection(conn: conn, channel: channel, reply: reply)
    }

    /// Sends `sql` as one simple-protocol query (`Q`); its reply arrives through ``reply``.
    func send(simpleQuery sql: String) async throws {
        var message = channel.allocator.buffer(capacity: sql.utf8.count + 6)
        message.writeInteger(UInt8(ascii: "Q"))
        message.writeInteger(Int32(sql.utf8.count + 5))
        message.writeString(sql)
        message.writeInteger(UInt8(0))
        let reply = reply, loop = channel.eventLoop, query = message
        try await loop.flatSubmit { reply.write(query, on: loop) }.get()
    }

    /// Closes the connection (the server ends the transaction it was in).
    func close() async {
        try? await conn.close()
        channel.close(promise: nil)
    }
}

/// The server's reply on a ``PostgresRawConnection``: byte chunks handed from the event loop to one reader.
final class RawReply: Sendable {
    /// Bytes that may wait unread before the loop stops reading from the socket.
    let highWater: Int

    init(highWater: Int = 8 << 20) {
        self.highWater = highWater
    }

    private struct State {
        var chunks: [ByteBuffer] = []
        var queued = 0
        var failure: (any Error)?
        var waiter: CheckedContinuation<[ByteBuffer], any Error>?
        /// The loop wanted to read while the queue was full; the reader lets it once it takes the queue.
        var readHeld = false
        var context: NIOLoopBound<ChannelHandlerContext>?
    }
    private let state = Mutex(State())

    /// The chunks received since the last call, at least one; waits for the next when none are.
    /// - Throws: ``PostgresConnectionLost`` (or the channel's error) once the connection has closed and every
    ///   chunk received before has been taken.
    func next() async throws -> [ByteBuffer] {
        try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<[ByteBuffer], any Error>) in
            let (taken, failure, resume) = state.withLock { s -> ([ByteBuffer], (any Error)?, NIOLoopBound<ChannelHandlerContext>?) in
                if !s.chunks.isEmpty {
                    let taken = s.chunks
                    s.chunks = []
                    s.queued = 0
                    let resume = s.readHeld ? s.context : nil
                    s.readHeld = false
                    return (taken, nil, resume)
                }
                if let failure = s.failure { return ([], failure, nil) }
                s.waiter = waiter
                return ([], nil, nil)
            }
            if let resume { resume.eventLoop.execute { resume.value.read() } }
            if let failure {
                waiter.resume(throwing: failure)
            } else if !taken.isEmpty {
                waiter.resume(returning: taken)
            }
        }
    }

    // MARK: on the event loop, from ``RawReplyTap``

    func attach(_ context: ChannelHandlerContext) {
        state.withLock { $0.context = NIOLoopBound(context, eventLoop: context.eventLoop) }
    }

    func write(_ message: ByteBuffer, on loop: any EventLoop) -> EventLoopFuture<Void> {
        guard let context = state.withLock({ $0.context }) else { return loop.makeFailedFuture(PostgresConnectionLost()) }
        return context.value.writeAndFlush(NIOAny(message))
    }

    func received(_ chunk: ByteBuffer) {
        let waiter = state.withLock { s -> CheckedContinuation<[ByteBuffer], any Error>? in
            guard let waiter = s.waiter else {
                s.chunks.append(chunk)
                s.queued += chunk.readableBytes
                return nil
            }
            s.waiter = nil
            return waiter
        }
        waiter?.resume(returning: [chunk])
    }

    /// Whether the loop may read now; if not, the reader lets it read when it takes the queue.
    func mayRead() -> Bool {
        state.withLock { s in
            if s.queued < highWater { return true }
            s.readHeld = true
            return false
        }
    }

    func failed(_ error: any Error) {
        let waiter = state.withLock { s -> CheckedContinuation<[ByteBuffer], any Error>? in
            if s.failure == nil { s.failure = error }
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(throwing: error)
    }
}

/// The handler in front of the driver's on a ``PostgresRawConnection``: every inbound byte goes to the ``RawReply``,
/// none to the driver; the driver's writes (its `Terminate` on close) pass through.
final class RawReplyTap: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let reply: RawReply

    init(_ reply: RawReply) {
        self.reply = reply
    }

    func handlerAdded(context: ChannelHandlerContext) { reply.attach(context) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { reply.received(unwrapInboundIn(data)) }

    func channelReadComplete(context: ChannelHandlerContext) {}

    func channelInactive(context: ChannelHandlerContext) {
        reply.failed(PostgresConnectionLost())
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        reply.failed(error)
        context.fireErrorCaught(error)
    }

    func read(context: ChannelHandlerContext) {
        if reply.mayRead() { context.read() }
    }
}

/// Splits a reply's chunks into the protocol's messages (a type byte, a big-endian length counting itself, the
/// body), keeping a message split across chunks until it is whole.
struct BackendMessages {
    private var carry: [UInt8] = []
    /// The largest message accepted (PostgreSQL's own limit for a value is 1 GB).
    static let maxLength = 1 << 30

    /// Calls `body` with each whole message, in order, until it returns true (the reply's end); returns whether it did.
    /// The body's bytes are valid during the call only.
    /// - Throws: ``PostgresProtocolError`` on a length no message can have; what `body` throws.
    mutating func feed(_ chunk: ByteBuffer, _ body: (UInt8, UnsafeRawBufferPointer) throws -> Bool) throws -> Bool {
        try chunk.withUnsafeReadableBytes { raw in
            var at = 0
            if !carry.isEmpty {
                while carry.count < 5, at < raw.count {
                    carry.append(raw[at])
                    at += 1
                }
                guard carry.count >= 5 else { return false }
                let total = 1 + (try Self.length(carry.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 1, as: Int32.self) }))
                let take = min(total - carry.count, raw.count - at)
                carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[at..<(at + take)]))
                at += take
                guard carry.count == total else { return false }
                let done = try carry.withUnsafeBytes { try body($0[0], UnsafeRawBufferPointer(rebasing: $0[5...])) }
                carry.removeAll(keepingCapacity: true)
                if done { return true }
            }
            while raw.count - at >= 5 {
                let total = 1 + (try Self.length(raw.loadUnaligned(fromByteOffset: at + 1, as: Int32.self)))
                guard raw.count - at >= total else { break }
                if try body(raw[at], UnsafeRawBufferPointer(rebasing: raw[(at + 5)..<(at + total)])) { return true }
                at += total
            }
            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[at...]))
            return false
        }
    }

    private static func length(_ bigEndian: Int32) throws -> Int {
        let n = Int(Int32(bigEndian: bigEndian))
        guard n >= 4, n <= maxLength else { throw PostgresProtocolError("a message of length \(n)") }
        return n
    }
}

/// The server sent something the protocol does not allow where it came.
struct PostgresProtocolError: Error, CustomStringConvertible {
    let what: String
    init(_ what: String) { self.what = what }
    var description: String { "the server sent \(what), which the protocol does not allow there" }
}

/// An `ErrorResponse` read from a raw reply: the server's message and SQLSTATE.
struct PostgresServerError: Error, CustomStringConvertible {
    var message = "no message"
    var sqlState = ""

    /// Parses an `ErrorResponse` body: fields of a code byte and a NUL-terminated text, ended by a zero byte.
    init(_ body: UnsafeRawBufferPointer) {
        var at = 0
        while at < body.count, body[at] != 0 {
            let code = body[at]
            var end = at + 1
            while end < body.count, body[end] != 0 { end += 1 }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: body[(at + 1)..<end]), as: UTF8.self)
            if code == UInt8(ascii: "M") { message = text } else if code == UInt8(ascii: "C") { sqlState = text }
            at = end + 1
        }
    }

    var description: String { sqlState.isEmpty ? message : "\(message) (SQLSTATE \(sqlState))" }
}

/// The rows of a binary `COPY … TO STDOUT`, out of its `CopyData` messages: a header (signature, flags, extension),
/// the rows, then a field count of -1. The server sends a row per message, the first after the header, but the
/// protocol does not promise it: a row split across messages is put together before it is read.
struct BinaryCopyRows {
    private var carry: [UInt8] = []
    private var headerRead = false
    /// Whether the end marker has been read.
    private(set) var ended = false
    static let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00]

    /// Reads the rows in one message's data, in order: `row` is called with the bytes from a row's start and returns
    /// the row's length, or nil when they end before it (nothing read; it is tried again with more bytes).
    /// - Throws: ``PostgresProtocolError`` on a wrong header or data after the end marker; what `row` throws.
    mutating func feed(_ data: UnsafeRawBufferPointer, _ row: (UnsafeRawBufferPointer) throws -> Int?) throws {
        guard carry.isEmpty, headerRead else {
            carry.append(contentsOf: data)
            let used = try carry.withUnsafeBytes { try rows(in: $0, row) }
            carry.removeFirst(used)
            return
        }
        let used = try rows(in: data, row)
        carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[used...]))
    }

    /// Reads what `bytes` holds whole; returns the bytes used.
    private mutating func rows(in bytes: UnsafeRawBufferPointer, _ row: (UnsafeRawBufferPointer) throws -> Int?) throws -> Int {
        var at = 0
        if !headerRead {
            guard bytes.count >= 19 else { return 0 }
            guard bytes.prefix(11).elementsEqual(Self.signature) else { throw PostgresProtocolError("a binary COPY without its signature") }
            let extensionLength = Int(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 15, as: UInt32.self)))
            guard extensionLength <= BackendMessages.maxLength else { throw PostgresProtocolError("a binary COPY header extension of \(extensionLength) bytes") }
            guard bytes.count >= 19 + extensionLength else { return 0 }
            at = 19 + extensionLength
            headerRead = true
        }
        while at < bytes.count {
            guard !ended else { throw PostgresProtocolError("binary COPY data after its end marker") }
            guard bytes.count - at >= 2 else { break }
            if Int16(bigEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int16.self)) == -1 {
                ended = true
                at += 2
                continue
            }
            guard let length = try row(UnsafeRawBufferPointer(rebasing: bytes[at...])) else { break }
            at += length
        }
        return at
    }
}
