import Foundation
import Logging
import PostgresNIO
import SwitchboardCore

/// How the PostgreSQL store gets a connection: from the pool, within `pool_timeout`,
/// tried again when the connection broke, with driver errors mapped to ``StoreError``.
extension PostgresStore {
    /// Runs `body` on a pooled connection.
    ///
    /// Waiting for a connection is bounded by the URL's `pool_timeout` (the pool would
    /// otherwise wait for the server forever); once `body` has its connection it runs to
    /// its end. When the connection breaks, the whole call is tried again on a fresh one
    /// (up to 3 times, with a growing pause) unless `retry` is false.
    /// - Throws: ``StoreError`` naming the server (password hidden) and `action`.
    func withConnection<T: Sendable>(_ action: String, retry: Bool = true,
                                     _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do { return try await leaseOnce(action, body) }
            catch {
                let (cause, brokenConnection) = Self.cause(of: error)
                guard retry, brokenConnection, attempt < 4 else { throw storeError(cause, action: action) }
                attempt += 1
                logger.warning("PostgreSQL connection lost, trying again", metadata: ["attempt": "\(attempt)", "action": "\(action)"])
                try await Task.sleep(for: .milliseconds(100 * attempt * attempt))
            }
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
        let wait = location.poolTimeout
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
                                     + "within \(wait) s (pool_timeout); is the server running and the URL right?")
                }
            }
            throw CancellationError()
        }
    }

    /// The error that matters, out of postgres-nio's transaction wrapper, and whether it
    /// means the connection broke before anything was committed (so the call may be repeated).
    /// A failed COMMIT is never repeated: whether it took effect is unknown.
    static func cause(of error: any Error) -> (any Error, brokenConnection: Bool) {
        if let tx = error as? PostgresTransactionError {
            if let begin = tx.beginError { return (begin, isConnectionFailure(begin)) }
            if let inside = tx.closureError { return (inside, isConnectionFailure(inside)) }
            if let commit = tx.commitError { return (commit, false) }
            if let rollback = tx.rollbackError { return (rollback, false) }
        }
        return (error, isConnectionFailure(error))
    }

    static func isConnectionFailure(_ error: any Error) -> Bool {
        if error is PostgresConnectionLost { return true }
        if let error = error as? PostgresServerError { return isConnectionFailure(sqlState: error.sqlState) }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown: return true
        case .server:
            return isConnectionFailure(sqlState: error.serverInfo?[.sqlState] ?? "")
        default: return false
        }
    }

    /// 08xxx: connection exceptions; 57P01-57P03: the server is shutting down or restarting.
    static func isConnectionFailure(sqlState state: String) -> Bool {
        state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
    }

    /// A user-facing error naming the server (password hidden) and the server's own message.
    func storeError(_ error: any Error, action: String) -> StoreError {
        let error = Self.cause(of: error).0
        if let error = error as? StoreError { return error }
        let prefix = "PostgreSQL store \(location.redacted): cannot \(action)"
        if error is PostgresConnectionLost {
            return StoreError(.unavailable, "\(prefix): the connection to the server was lost during the read "
                              + "(nothing partial was used); run the command again")
        }
        if let error = error as? PostgresServerError {
            return StoreError(Self.isConnectionFailure(error) ? .unavailable : .query, "\(prefix): \(error)")
        }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return StoreError(.query, "\(prefix): \(message)\(state)")
            }
            if let server = (error.underlying as? PSQLError)?.serverInfo?[.message] {
                return StoreError(.unavailable, "\(prefix): the server closed the connection: \(server)")
            }
            if error.code == .serverClosedConnection || error.code == .uncleanShutdown {
                return StoreError(.unavailable, "\(prefix): the connection to the server was lost (\(error.code)); run the command again")
            }
            if let tls = error.underlying, "\(tls)".contains("CERTIFICATE_VERIFY_FAILED") {
                return StoreError(.unavailable, "\(prefix): the server's TLS certificate is not signed by a trusted certificate "
                                  + "authority (CERTIFICATE_VERIFY_FAILED); add sslrootcert=PATH (its CA certificate, PEM) to the URL")
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
