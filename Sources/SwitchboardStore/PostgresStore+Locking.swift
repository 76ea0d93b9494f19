import Foundation
import Logging
import PostgresNIO
import SwitchboardCore

/// Source locks shared by every instance on the database: PostgreSQL session advisory locks.
///
/// Each lease holds its own connection (outside the pool) on which
/// `pg_try_advisory_lock(key)` succeeded; `release()` runs `pg_advisory_unlock(key)` and
/// closes it. When the holder dies or its connection breaks, the server ends the session
/// and frees the lock, so another instance takes the source over. The key is a stable
/// 64-bit hash (FNV-1a) of `switchboard.source:` followed by the source name.
extension PostgresStore: SourceLocking {
    public func tryLock(source: String) async throws -> SourceLease? {
        let key = Self.lockKey(source: source)
        let action = "take the lock of source '\(source)'"
        let logger = logger
        let conn: PostgresConnection
        do {
            conn = try await PostgresConnection.connect(configuration: try location.connectionConfiguration(),
                                                        id: Int.random(in: 1_000_000...Int(Int32.max)), logger: logger)
        } catch {
            throw storeError(error, action: action)
        }
        do {
            let rows = try await PostgresReader(conn, logger: logger).rows("SELECT pg_try_advisory_lock(\(key))")
            let locked = try rows.first?.decode(Bool.self) ?? false
            guard locked else {
                try? await conn.close()
                return nil
            }
        } catch {
            try? await conn.close()
            throw storeError(error, action: action)
        }
        let token = lockConnections.add(conn)
        let held = lockConnections
        return SourceLease(source: source) {
            guard let conn = held.remove(token) else { return }
            _ = try? await conn.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
            try? await conn.close()
        }
    }

    /// The advisory-lock key of a source: FNV-1a over `switchboard.source:<name>`, the same in every process.
    public static func lockKey(source: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "switchboard.source:\(source)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}

/// The connections holding source locks, so ``PostgresStore/close()`` can end them all.
final class LockConnections: @unchecked Sendable {
    private let lock = NSLock()
    private var connections: [Int: PostgresConnection] = [:]
    private var next = 0

    func add(_ connection: PostgresConnection) -> Int {
        lock.withLock {
            next += 1
            connections[next] = connection
            return next
        }
    }

    /// The connection of `token` when it is still held (nil after a release or close).
    func remove(_ token: Int) -> PostgresConnection? {
        lock.withLock { connections.removeValue(forKey: token) }
    }

    /// Closes every held connection; the server frees their locks.
    func closeAll() {
        let all = lock.withLock {
            defer { connections.removeAll() }
            return Array(connections.values)
        }
        // The callback keeps each connection alive until it is closed (postgres-nio insists).
        for connection in all { connection.close().whenComplete { _ in _ = connection } }
    }
}
