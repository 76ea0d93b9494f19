import Foundation
import Logging
import NIOCore
import PostgresNIO
import SwitchboardCore

/// How every read of the PostgreSQL store takes rows off a connection: whole results (or cursor blocks of bounded
/// size) consumed on the connection's event loop, and given up as soon as the connection closes.
///
/// Why not postgres-nio's async row sequences (`for try await row in rows`): when the server closes a connection while
/// such a sequence waits for its reader, the driver can stop the whole process with a precondition failure, and a
/// query on a closed connection can wait forever. The future-based query used here hands every row over on the event
/// loop as it arrives, never waiting for a reader, and each statement is failed when the connection's close future
/// completes. A read that loses its connection throws ``PostgresConnectionLost``, which the store reports as a
/// ``StoreError`` naming the store (password hidden) and what it was doing — never a partial result.
struct PostgresReader: Sendable {
    let conn: PostgresConnection
    let logger: Logger
    private let watch: ConnectionWatch

    init(_ conn: PostgresConnection, logger: Logger) {
        self.conn = conn
        self.logger = logger
        watch = ConnectionWatch.of(conn)
    }

    /// Rows per `FETCH` of ``cursor(_:_:)``.
    static let fetchRows = 8192

    /// The rows of one statement, taken off the connection whole.
    /// - Throws: ``PostgresConnectionLost`` when the connection closes first; the driver's error when the statement fails.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        let outcome = Once<[PostgresRow]>()
        let token = watch.watch { outcome.resume(.failure(PostgresConnectionLost())) }
        defer { watch.unwatch(token) }
        Self.start(query, on: conn, logger: logger).whenComplete { result in outcome.resume(result.map(\.rows)) }
        return try await withCheckedThrowingContinuation { outcome.set($0) }
    }

    /// The rows of a statement given as plain text (no parameters).
    func rows(unsafeSQL sql: String) async throws -> [PostgresRow] { try await rows(PostgresQuery(unsafeSQL: sql)) }

    /// The future-based query (the driver collects the rows on the event loop).
    private static func start(_ query: PostgresQuery, on conn: PostgresConnection, logger: Logger) -> EventLoopFuture<PostgresQueryResult> {
        conn.query(query, logger: logger)
    }

    /// `body` inside a transaction begun with `begin`; rolled back when it fails and the connection is still open.
    func transaction<T>(_ begin: String = "BEGIN READ ONLY", _ body: () async throws -> T) async throws -> T {
        _ = try await rows(unsafeSQL: begin)
        do {
            let value = try await body()
            _ = try await rows(unsafeSQL: "COMMIT")
            return value
        } catch {
            if !conn.isClosed { _ = try? await rows(unsafeSQL: "ROLLBACK") }
            throw error
        }
    }

    /// The rows of `query` in blocks of at most ``fetchRows``, through a cursor named `name`; call inside
    /// ``transaction(_:_:)``. The server produces the next block while `block` handles this one.
    func cursor(_ name: String, _ query: PostgresQuery, _ block: ([PostgresRow]) throws -> Void) async throws {
        var declare = query
        declare.sql = "DECLARE \(name) NO SCROLL CURSOR FOR " + query.sql
        _ = try await rows(declare)
        let fetch = "FETCH FORWARD \(Self.fetchRows) FROM \(name)"
        var next = Task { try await rows(unsafeSQL: fetch) }
        while true {
            let rows = try await next.value
            let more = rows.count == Self.fetchRows
            if more { next = Task { try await self.rows(unsafeSQL: fetch) } }
            do { try block(rows) } catch {
                if more { _ = try? await next.value }
                throw error
            }
            if !more { break }
        }
        _ = try await rows(unsafeSQL: "CLOSE \(name)")
    }
}

extension PostgresStore {
    /// Runs `body` with a ``PostgresReader`` on a pooled connection (see ``withConnection(_:retry:_:)``: a read
    /// retried after a lost connection starts again from scratch; nothing it read before reaches the caller).
    func read<T: Sendable>(_ action: String, retry: Bool = true,
                           _ body: @escaping @Sendable (PostgresReader) async throws -> T) async throws -> T {
        let logger = logger
        return try await withConnection(action, retry: retry) { conn in try await body(PostgresReader(conn, logger: logger)) }
    }
}

/// A read's connection closed before the statement completed.
struct PostgresConnectionLost: Error, CustomStringConvertible {
    var description: String { "the connection to the server was lost during the read" }
}

/// Fails the statements waiting on a connection when it closes. One per connection, shared by all its reads: a
/// callback on a pooled connection's close future stays registered until the connection closes, so one per read
/// would pile up on a long-lived connection.
final class ConnectionWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var closed = false
    private var waiting: [Int: @Sendable () -> Void] = [:]
    private var next = 0
    private weak var conn: PostgresConnection?

    private init(_ conn: PostgresConnection) {
        self.conn = conn
    }

    private static let registryLock = NSLock()
    nonisolated(unsafe) private static var registry: [ObjectIdentifier: ConnectionWatch] = [:]

    /// The watch of `conn`, made (and hooked to its close future) on first use; forgotten when the connection closes.
    static func of(_ conn: PostgresConnection) -> ConnectionWatch {
        let key = ObjectIdentifier(conn)
        let (watch, isNew): (ConnectionWatch, Bool) = registryLock.withLock {
            if let known = registry[key], known.conn === conn { return (known, false) }
            let made = ConnectionWatch(conn)
            registry[key] = made
            return (made, true)
        }
        if isNew {
            conn.closeFuture.whenComplete { [weak watch] _ in
                guard let watch else { return }
                registryLock.withLock { if registry[key] === watch { registry[key] = nil } }
                watch.close()
            }
        }
        return watch
    }

    private func close() {
        let all: [@Sendable () -> Void] = lock.withLock {
            closed = true
            defer { waiting = [:] }
            return Array(waiting.values)
        }
        for fail in all { fail() }
    }

    /// Calls `fail` when the connection closes (at once when it has closed already); the token ends the watch.
    func watch(_ fail: @escaping @Sendable () -> Void) -> Int? {
        let token: Int? = lock.withLock {
            guard !closed else { return nil }
            next += 1
            waiting[next] = fail
            return next
        }
        if token == nil { fail() }
        return token
    }

    func unwatch(_ token: Int?) {
        guard let token else { return }
        lock.withLock { _ = waiting.removeValue(forKey: token) }
    }
}

/// A continuation resumed by whichever outcome comes first.
final class Once<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var early: Result<T, any Error>?
    private var done = false

    func set(_ c: CheckedContinuation<T, any Error>) {
        let pending: Result<T, any Error>? = lock.withLock {
            if let early { return early }
            continuation = c
            return nil
        }
        if let pending { c.resume(with: pending) }
    }

    func resume(_ result: Result<T, any Error>) {
        let c: CheckedContinuation<T, any Error>? = lock.withLock {
            guard !done else { return nil }
            done = true
            if let continuation {
                self.continuation = nil
                return continuation
            }
            early = result
            return nil
        }
        c?.resume(with: result)
    }
}
