#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HummingbirdCore
import Logging
import SwitchboardCore

/// How long and how much a client may hold the listener: the `server:` timeouts, the connection cap
/// and the memory all request bodies may take together.
///
/// Enforced per connection by ``ConnectionGuard`` (timeouts), by ``ConnectionCap`` (connections) and by
/// ``BodyReader`` (`max_body` and ``bodyMemory``).
public struct ConnectionLimits: Sendable {
    /// Connections open at once; more wait in the listen backlog until one closes.
    public var maxConnections: Int
    /// Bytes of request bodies held in memory by all connections together; a request that would go
    /// past it is answered 503 with `Retry-After`.
    public var bodyMemory: Int
    /// How long a connection may wait with no request in progress (before its first request and
    /// between keep-alive requests).
    public var idleTimeout: Duration
    /// How long a request's headers may take from their first byte, however slowly they trickle.
    public var headerTimeout: Duration
    /// How long a request's body may take from the end of its headers.
    public var bodyTimeout: Duration
    /// Bytes of a body answered before it ended (413, 503) that are read and thrown away so the
    /// client, still writing, gets to read the answer; past this the connection is closed at once.
    public var discardLimit: Int

    public init(maxConnections: Int = 4096, bodyMemory: Int = 128 << 20, idleTimeout: Duration = .seconds(60),
                headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(30), discardLimit: Int = 16 << 20) {
        self.maxConnections = maxConnections
        self.bodyMemory = bodyMemory
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.discardLimit = discardLimit
    }

    /// The limits of a config's `server:` section.
    public init(_ settings: ServerSettings) {
        self.init(maxConnections: settings.maxConnections, bodyMemory: settings.bodyMemory,
                  idleTimeout: .seconds(settings.idleTimeout), headerTimeout: .seconds(settings.headerTimeout),
                  bodyTimeout: .seconds(settings.bodyTimeout))
    }
}

/// Accepts at most `limit` connections at once: at the cap the listener stops accepting, so new
/// connections wait in the kernel's listen backlog until one closes. Says so once each time the
/// cap is reached (again only after the count has fallen below nine tenths of it).
struct ConnectionCap: AvailableConnectionsDelegate {
    let limit: Int
    let logger: Logger
    private var open = 0
    private var warned = false

    init(limit: Int, logger: Logger) {
        self.limit = max(limit, 1)
        self.logger = logger
    }

    mutating func connectionOpened() {
        open += 1
        guard open >= limit, !warned else { return }
        warned = true
        logger.warning("""
            connection cap reached: \(limit) connections are open (server.max_connections); new connections wait \
            in the listen backlog until one closes. Raise server.max_connections if these are real clients; idle \
            and slow ones are closed after server.idle_timeout, header_timeout and body_timeout
            """)
    }

    mutating func connectionClosed() {
        open -= 1
        if open < limit - limit / 10 { warned = false }
    }

    func isAcceptingNewConnections() -> Bool { open < limit }
}

/// The process's open-file limit (`RLIMIT_NOFILE`): every connection takes one descriptor.
public enum OpenFileLimit {
    /// Descriptors kept for everything but connections: the store, logs, pull sources.
    public static let reserve = 128

    /// Raises the soft limit to the hard one. Returns the soft limit before and the one now in force.
    public static func raiseToHard() -> (before: Int, now: Int) {
        var limits = rlimit()
        guard getrlimit(resource, &limits) == 0 else { return (0, 0) }
        let before = limits.rlim_cur
        // A hard limit of "unlimited" (macOS) is not accepted as a soft one: take a large finite value.
        let target = limits.rlim_max == unlimited ? rlim_t(1 << 20) : limits.rlim_max
        if before < target {
            limits.rlim_cur = target
            if setrlimit(resource, &limits) != 0 { limits.rlim_cur = before }
        }
        return (clamp(before), clamp(limits.rlim_cur))
    }

    /// Connections that fit under `limit` open files, leaving ``reserve`` for everything else.
    public static func connectionsAllowed(byLimit limit: Int) -> Int { max(limit - reserve, 1) }

    private static func clamp(_ v: rlim_t) -> Int { v > rlim_t(Int.max) ? Int.max : Int(v) }

    /// `RLIM_INFINITY`: all bits set on Linux and macOS alike.
    private static let unlimited = rlim_t.max
    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
