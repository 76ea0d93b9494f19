import Testing
@testable import SwitchboardCore

@Suite struct SourceLockingTests {
    @Test func aHeldSourceCannotBeTakenUntilReleased() async throws {
        let locks = ProcessSourceLocks()
        let first = try #require(try await locks.tryLock(source: "pbx"))
        #expect(try await locks.tryLock(source: "pbx") == nil)
        #expect(try await locks.tryLock(source: "mail") != nil)
        await first.release()
        #expect(try await locks.tryLock(source: "pbx") != nil)
    }

    @Test func aSecondReleaseDoesNotFreeTheNextHoldersLock() async throws {
        let locks = ProcessSourceLocks()
        let first = try #require(try await locks.tryLock(source: "pbx"))
        await first.release()
        let second = try #require(try await locks.tryLock(source: "pbx"))
        await first.release()
        #expect(try await locks.tryLock(source: "pbx") == nil)
        await second.release()
    }
}
