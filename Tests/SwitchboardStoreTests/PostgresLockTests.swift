import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTesting
import Testing

/// Source locks across instances: PostgreSQL advisory locks held on a dedicated connection.
@Suite(.timeLimit(.minutes(10)), .enabled(if: TestPostgres.serverURL != nil, Comment(rawValue: TestPostgres.skipMessage)))
struct PostgresLockTests {
    @Test func onlyOneInstanceHoldsASourceUntilItReleases() async throws {
        let tmp = try await ScratchStore(.postgres)
        let a = try await tmp.openPostgres()
        let b = try await tmp.openPostgres()
        let lease = try #require(try await a.tryLock(source: "pbx"))
        #expect(lease.source == "pbx")
        #expect(try await b.tryLock(source: "pbx") == nil)
        #expect(try await a.tryLock(source: "pbx") == nil, "a second lease of the same source from the same instance")
        let other = try #require(try await b.tryLock(source: "mailbox"), "another source is not blocked")
        await lease.release()
        let taken = try #require(try await b.tryLock(source: "pbx"))
        // A second release of the old lease must not free the new holder's lock.
        await lease.release()
        #expect(try await a.tryLock(source: "pbx") == nil)
        await taken.release()
        await other.release()
        #expect(try await advisoryLocksHeld(tmp) == 0)
    }

    @Test func closingTheHoldersStoreFreesItsLocks() async throws {
        let tmp = try await ScratchStore(.postgres)
        let a = try await tmp.openPostgres()
        let b = try await tmp.openPostgres()
        _ = try #require(try await a.tryLock(source: "pbx"))
        #expect(try await b.tryLock(source: "pbx") == nil)
        a.close()
        let taken = try await eventually { try await b.tryLock(source: "pbx") }
        #expect(taken != nil, "the lock stayed held after the holder's store was closed")
    }

    @Test func theServerFreesTheLockWhenTheHoldersConnectionDies() async throws {
        let tmp = try await ScratchStore(.postgres)
        let a = try await tmp.openPostgres()
        let b = try await tmp.openPostgres()
        _ = try #require(try await a.tryLock(source: "pbx"))
        // As if the holder crashed: the server ends its session.
        let (status, output) = await TestPostgres.psqlOffPool(try #require(TestPostgres.serverURL), """
            SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
            WHERE l.locktype = 'advisory' AND l.granted AND d.datname = '\(tmp.databaseName)'
            """)
        #expect(status == 0 && output == "1", "\(output)")
        let taken = try await eventually { try await b.tryLock(source: "pbx") }
        #expect(taken != nil, "the lock stayed held after the holder's connection died")
    }

    private func advisoryLocksHeld(_ tmp: ScratchStore) async throws -> Int {
        let (status, output) = await TestPostgres.psqlOffPool(try #require(TestPostgres.serverURL), """
            SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
            WHERE l.locktype = 'advisory' AND l.granted AND d.datname = '\(tmp.databaseName)'
            """)
        #expect(status == 0, "\(output)")
        return Int(output) ?? -1
    }

    /// Polls `take` until it gives a lease or 120 s passed (the server notices a closed connection
    /// within milliseconds; the long bound only keeps a loaded test machine from failing the test).
    private func eventually(_ take: () async throws -> SourceLease?) async throws -> SourceLease? {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if let lease = try await take() { return lease }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}
