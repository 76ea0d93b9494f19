import Foundation

/// Keeps a pull source running on one instance at a time.
///
/// `switchboard serve` takes the lock before each pull and releases it after the pull's last
/// checkpoint is committed. A store shared by several instances (PostgreSQL) implements it with a
/// lock the database server releases when the holder's connection dies; a store used by one process
/// (SQLite) can rely on `ProcessSourceLocks`. Callers use the store itself when it conforms
/// (`store as? any SourceLocking`) and a `ProcessSourceLocks` otherwise.
public protocol SourceLocking: Sendable {
    /// Takes the lock of `source`, or returns nil at once when another holder has it.
    func tryLock(source: String) async throws -> SourceLease?
}

/// A held source lock. `release()` is idempotent.
public struct SourceLease: Sendable {
    public let source: String
    private let onRelease: @Sendable () async -> Void

    public init(source: String, onRelease: @escaping @Sendable () async -> Void) {
        self.source = source
        self.onRelease = onRelease
    }

    public func release() async { await onRelease() }
}

/// Source locks held in this process only.
public actor ProcessSourceLocks: SourceLocking {
    private var held: [String: UInt64] = [:]
    private var nextToken: UInt64 = 0

    public init() {}

    public func tryLock(source: String) async throws -> SourceLease? {
        guard held[source] == nil else { return nil }
        nextToken += 1
        let token = nextToken
        held[source] = token
        return SourceLease(source: source) { [weak self] in await self?.unlock(source, token: token) }
    }

    /// Releases only the lease that took the lock, so a second `release()` cannot free a later holder's lock.
    private func unlock(_ source: String, token: UInt64) {
        if held[source] == token { held[source] = nil }
    }
}
