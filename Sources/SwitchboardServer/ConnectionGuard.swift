import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Watches one HTTP/1 connection: closes it when its client is idle or slow, and reads to its end a
/// request body that was answered before it had arrived (413, 503).
///
/// - With no request in progress, the connection closes after ``ConnectionLimits/idleTimeout``.
/// - From the first byte of a request, its headers must be complete within ``ConnectionLimits/headerTimeout``,
///   and its body within ``ConnectionLimits/bodyTimeout`` after them: a deadline for the whole, so a client
///   trickling a byte at a time gains nothing.
/// - An answer written before its request's body ended stops the body from being passed on: the rest is
///   read and thrown away, so that a client that writes its whole body before reading gets to read the
///   answer; then the connection goes on with the next request, or closes when the request or the answer
///   said `Connection: close`. Past ``ConnectionLimits/discardLimit`` bytes it is closed at once.
///
/// Sits after the HTTP/1 decoder; ``ByteTap`` in front of the decoder tells it when a request's first
/// byte arrives. Runs on the connection's event loop only.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Why a connection was closed by the guard (the `reason` label of the metric).
    enum Reason: String {
        case idle = "idle_timeout", header = "header_timeout", body = "body_timeout", discard = "discard_limit"
    }

    /// What a deadline cut short; the request body stream ends with it instead of looking complete.
    struct Closed: Error, CustomStringConvertible {
        let reason: Reason
        var description: String { "connection closed: \(reason.rawValue)" }
    }

    private enum Phase {
        /// Between requests; `started` once a byte of the next request has arrived.
        case waiting(started: Bool)
        case readingBody
        /// Answered before the body ended: the rest of it is read and dropped.
        case discarding(bytes: Int)
    }

    let limits: ConnectionLimits
    let metrics: ServerMetrics
    let logger: Logger
    /// The shortest timeout: the timer never sleeps longer, so no deadline set meanwhile comes before it.
    private let step: TimeAmount
    private var phase = Phase.waiting(started: false)
    private var requests = 0, answered = 0
    private var closeAfterAnswer = false
    private var deadline: (at: NIODeadline, reason: Reason)?
    private var timer: Scheduled<Void>?
    private var timerAt: NIODeadline?
    private var context: ChannelHandlerContext?

    init(limits: ConnectionLimits, metrics: ServerMetrics, logger: Logger) {
        self.limits = limits
        self.metrics = metrics
        self.logger = logger
        step = TimeAmount(min(limits.idleTimeout, limits.headerTimeout, limits.bodyTimeout))
    }

    // MARK: the connection

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { startIdle(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startIdle(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopTimer()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimer()
        self.context = nil
    }

    /// A byte of the request stream arrived (called by ``ByteTap`` before the decoder sees it).
    func bytesArrived() {
        guard case .waiting(started: false) = phase, let context else { return }
        phase = .waiting(started: true)
        arm(context, after: limits.headerTimeout, .header)
    }

    // MARK: requests in

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .discarding(let bytes) = phase {
            switch part {
            case .body(let buffer):
                phase = .discarding(bytes: bytes + buffer.readableBytes)
                if bytes + buffer.readableBytes > limits.discardLimit { close(context, .discard) }
            case .end where closeAfterAnswer:
                context.close(promise: nil)
            case .end:
                phase = .waiting(started: false)
                startIdle(context)
                context.fireChannelRead(data)
            case .head: break
            }
            return
        }
        switch part {
        case .head(let head):
            requests += 1
            if Self.saysClose(head.headerFields) { closeAfterAnswer = true }
            phase = .readingBody
            arm(context, after: limits.bodyTimeout, .body)
        case .body: break
        case .end:
            phase = .waiting(started: false)
            disarm()  // the server is working on it; idle starts once it has answered
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // While discarding, nothing downstream asks for more: keep reading to the end of the body.
        if case .discarding = phase { context.read() }
        context.fireChannelReadComplete()
    }

    // MARK: answers out

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        switch part {
        case .head(let head):
            if Self.saysClose(head.headerFields) { closeAfterAnswer = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            answered += 1
            answerEnded(context, data: data, promise: promise)
        }
    }

    private func answerEnded(_ context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let current = answered == requests
        if current, case .readingBody = phase {
            // Answered before the body ended: read the rest (within the body deadline) and drop it.
            phase = .discarding(bytes: 0)
            context.write(data, promise: promise)
            context.read()
        } else if current, closeAfterAnswer {
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            written.futureResult.cascade(to: promise)
            context.write(data, promise: written)
        } else {
            if current, case .waiting(started: false) = phase { startIdle(context) }
            context.write(data, promise: promise)
        }
    }

    private static func saysClose(_ fields: HTTPFields) -> Bool {
        fields[values: .connection].contains { $0.lowercased().contains("close") }
    }

    // MARK: deadlines

    private func startIdle(_ context: ChannelHandlerContext) {
        arm(context, after: limits.idleTimeout, .idle)
    }

    /// Sets the one deadline in force. A single timer serves every deadline: it wakes at most ``step``
    /// after it was set, before any deadline set since, and sleeps again until the one then in force —
    /// so requests on a busy keep-alive connection cost no timer churn.
    private func arm(_ context: ChannelHandlerContext, after delay: Duration, _ reason: Reason) {
        let at = NIODeadline.now() + TimeAmount(delay)
        deadline = (at, reason)
        if let timerAt, timerAt <= at { return }
        schedule(context, at: at)
    }

    private func disarm() { deadline = nil }

    private func schedule(_ context: ChannelHandlerContext, at target: NIODeadline) {
        timer?.cancel()
        let at = min(target, .now() + step)
        timerAt = at
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: at) { [self] in
            timer = nil
            timerAt = nil
            guard let deadline else { return }
            if deadline.at <= .now() { close(context, deadline.reason) } else { schedule(context, at: deadline.at) }
        }
    }

    private func stopTimer() {
        timer?.cancel()
        timer = nil
        timerAt = nil
        deadline = nil
    }

    private func close(_ context: ChannelHandlerContext, _ reason: Reason) {
        stopTimer()
        metrics.connectionClosed(reason: reason.rawValue)
        logger.debug("closing a connection: \(reason.rawValue) passed",
                     metadata: ["peer": "\(context.channel.remoteAddress?.description ?? "?")"])
        // A request being read ends with an error rather than looking complete.
        context.fireErrorCaught(Closed(reason: reason))
        context.close(promise: nil)
    }

    /// In front of the HTTP decoder: tells the guard when bytes arrive, so a request's header deadline
    /// runs from its first byte.
    final class ByteTap: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let owner: ConnectionGuard

        init(_ owner: ConnectionGuard) { self.owner = owner }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            owner.bytesArrived()
            context.fireChannelRead(data)
        }
    }
}

/// HTTP/1.1 with a ``ConnectionGuard`` on every connection, and header limits for webhook traffic
/// (32 KiB of headers, 16 KiB for one field).
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let responder: HTTPChannelHandler.Responder
    let limits: ConnectionLimits
    let metrics: ServerMetrics
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let watcher = ConnectionGuard(limits: limits, metrics: metrics, logger: self.logger)
        do {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard.ByteTap(watcher))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        let bound = NIOLoopBound(watcher, eventLoop: channel.eventLoop)
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(maxHeaderFieldSize: 16 << 10,
                                                                     maxHeaderListSize: 32 << 10)
        let configuration = HTTP1Channel.Configuration(additionalChannelHandlers: [bound.value],
                                                       httpDecoderConfiguration: decoder)
        return HTTP1Channel(responder: responder, configuration: configuration).setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await HTTP1Channel(responder: responder).handle(value: value, logger: logger)
    }
}
