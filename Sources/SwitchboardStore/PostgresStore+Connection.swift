import Foundation
import Logging
import PostgresNIO
import SwitchboardCore

/// How the PostgreSQL store gets a connection: from the pool, within `connect_timeout`,
/// tried again when the connection broke, with driver errors mapped to ``StoreError``.
extension PostgresStore {
    /// Runs `body` on a pooled connection.
    ///
    /// Waiting for a connection is bounded by the URL's `connect_timeout` (the pool would
    /// otherwise wait for the server forever); once `body` has its connection it runs to
    /// its end. When the connection breaks, the whole call is tried again on a fresh one
    /// (up to 3 times, with a growing pause) unless `retry` is false.
    /// - Throws: ``StoreError`` naming the server (password hidden) and `action`.
    func withConnection<T: Sendable>(_ action: String, retry: Bool = true,
                                     _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do { return try await leaseOnce(action, body) }
            catch let error as PSQLError where retry && attempt < 3 && Self.isConnectionFailure(error) {
                attempt += 1
                logger.warning("PostgreSQL connection lost, trying again", metadata: ["attempt": "\(attempt)", "action": "\(action)"])
                try await Task.sleep(for: .milliseconds(200 * attempt * attempt))
            }
            catch { throw storeError(error, action: action) }
        }
    }

    /// Runs `body` in one transaction on a pooled connection (see ``withConnection(_:retry:_:)``).
    func withTransaction<T: Sendable>(_ action: String, retry: Bool = true,
                                      _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let logger = logger
        return try await withConnection(action, retry: retry) { conn in
            try await conn.withTransaction(logger: logger) { try await body($0) }
        }
    }

    private enum Outcome<T: Sendable>: Sendable {
        case value(T)
        case timerEnded
        case timedOut
    }

    private func leaseOnce<T: Sendable>(_ action: String,
                                        _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let leased = Flag()
        let client = client
        let wait = location.connectTimeout
        return try await withThrowingTaskGroup(of: Outcome<T>.self) { group in
            group.addTask {
                .value(try await client.withConnection { conn in
                    leased.set()
                    return try await body(conn)
                })
            }
            group.addTask {
                try await Task.sleep(for: .seconds(wait))
                return leased.isSet ? .timerEnded : .timedOut
            }
            while let next = try await group.next() {
                switch next {
                case .value(let value):
                    group.cancelAll()
                    return value
                case .timerEnded:
                    continue
                case .timedOut:
                    group.cancelAll()
                    throw StoreError(.unavailable, "PostgreSQL store \(location.redacted): cannot \(action): no connection "
                                     + "within \(wait) s (connect_timeout); is the server running and the URL right?")
                }
            }
            throw CancellationError()
        }
    }

    static func isConnectionFailure(_ error: PSQLError) -> Bool {
        switch error.code {
        case .serverClosedConnection, .connectionError, .uncleanShutdown: return true
        default: return false
        }
    }

    /// A user-facing error naming the server (password hidden) and the server's own message.
    func storeError(_ error: any Error, action: String) -> StoreError {
        if let error = error as? StoreError { return error }
        let prefix = "PostgreSQL store \(location.redacted): cannot \(action)"
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return StoreError(.query, "\(prefix): \(message)\(state)")
            }
            let underlying = error.underlying.map { ": \($0)" } ?? ""
            return StoreError(.unavailable, "\(prefix): \(error.code)\(underlying); is the server running and the URL right?")
        }
        return StoreError(.unavailable, "\(prefix): \(error)")
    }
}

/// A flag set once, read from other tasks.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
