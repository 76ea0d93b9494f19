import Foundation
import GRDB
import SwitchboardCore
@testable import SwitchboardStore
import SwitchboardTesting
import Testing

/// A dead letter is identified by (source, provenance, digest of raw): the same letter is stored once,
/// on every backend, and a store that kept duplicates before collapses them when it migrates.
@Suite(.timeLimit(.minutes(10))) struct DeadLetterIdentityTests {
    static func letter(_ provenance: String, _ raw: String, source: String = "src", reason: String = "bad line") -> DeadLetter {
        DeadLetter(source: source, reason: reason, provenance: provenance, raw: Data(raw.utf8))
    }

    @Test func theDigestIsTheRawPayloadsSHA256InHex() {
        #expect(DeadLetter.digest(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.letter("p", "abc").digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test(arguments: Backend.allCases) func theSameLetterIsStoredOnce(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try await tmp.open()
        let letters = [Self.letter("file:x#L2", "{bad"), Self.letter("file:x#L3", "{worse"), Self.letter("file:x#L2", "{bad")]
        _ = try await store.write(IngestBatch(source: "src", deadLetters: letters))
        // Importing the file again: the same letters (a new reason and time change nothing), and one new.
        let again = [Self.letter("file:x#L2", "{bad", reason: "said again"), Self.letter("file:x#L3", "{worse"),
                     Self.letter("file:x#L2", "{changed line")]
        _ = try await store.write(IngestBatch(source: "src", deadLetters: again))
        // The same provenance and payload under another source is another letter.
        _ = try await store.write(IngestBatch(source: "other", deadLetters: [Self.letter("file:x#L2", "{bad", source: "other")]))
        let stored = try await store.deadLetters(source: "src", limit: 10)
        #expect(stored.map(\.provenance).sorted() == ["file:x#L2", "file:x#L2", "file:x#L3"])
        #expect(Set(stored.map { String(decoding: $0.raw, as: UTF8.self) }) == ["{bad", "{worse", "{changed line"])
        #expect(stored.first { $0.raw == Data("{bad".utf8) }?.reason == "bad line")
        let stats = try await store.sourceStats()
        #expect(stats["src"]?.deadLetters == 3 && stats["other"]?.deadLetters == 1)
    }

    @Test(arguments: Backend.allCases) func aLongProvenanceIsStoredAndMatched(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try await tmp.open()
        let provenance = "file:" + String(repeating: "very-long-folder/", count: 600) + "export.json#4"
        for _ in 0..<2 { _ = try await store.write(IngestBatch(source: "src", deadLetters: [Self.letter(provenance, "x")])) }
        #expect(try await store.deadLetters(source: "src", limit: 10).map(\.provenance) == [provenance])
    }

    /// Duplicates as the stores kept them before the identity existed: two copies of one letter, one other letter.
    static let duplicates: [(String, String)] = [("file:x#L2", "{bad"), ("file:x#L2", "{bad"), ("file:x#L3", "{worse")]

    @Test func aSQLiteStoreWithDuplicatesCollapsesThemWhenItMigrates() async throws {
        let path = scratchStorePath("sb-letters")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try SQLiteSchema.migrator.migrate(queue, upTo: "v4-topics")
        try await queue.write { db in
            for (i, (provenance, raw)) in Self.duplicates.enumerated() {
                try db.execute(sql: "INSERT INTO dead_letters (source, at, reason, provenance, raw) VALUES ('src', ?, 'r', ?, ?)",
                               arguments: [i, provenance, Data(raw.utf8)])
            }
        }
        try queue.close()
        let store = try SQLiteStore(path: path)
        let stored = try await store.deadLetters(source: "src", limit: 10)
        #expect(stored.map(\.provenance) == ["file:x#L3", "file:x#L2"])
        #expect(stored.map(\.at) == [Date(timeIntervalSince1970: 0.002), Date(timeIntervalSince1970: 0)])   // the first copy kept
        let digests = try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT digest FROM dead_letters ORDER BY id") }
        #expect(digests == [DeadLetter.digest(of: Data("{bad".utf8)), DeadLetter.digest(of: Data("{worse".utf8))])
        _ = try await store.write(IngestBatch(source: "src", deadLetters: [Self.letter("file:x#L2", "{bad")]))
        #expect(try await store.deadLetters(source: "src", limit: 10).count == 2)
    }

    @Test(.enabled(if: TestPostgres.serverURL != nil, Comment(rawValue: TestPostgres.skipMessage)))
    func aPostgreSQLStoreWithDuplicatesCollapsesThemWhenItMigrates() async throws {
        let tmp = try await ScratchStore(.postgres)
        let first = try await tmp.openPostgres()
        first.close()
        // Back to the schema before the identity, with duplicates stored as then.
        var sql = """
            DROP INDEX dead_letters_identity; ALTER TABLE dead_letters DROP COLUMN digest;
            DELETE FROM schema_migrations WHERE name = 'v5-dead-letter-identity';
            """
        for (i, (provenance, raw)) in Self.duplicates.enumerated() {
            sql += "INSERT INTO dead_letters (source, at, reason, provenance, raw) VALUES ('src', \(i), 'r', '\(provenance)', '\(raw)');"
        }
        let (status, output) = await TestPostgres.psqlOffPool(tmp.location, sql)
        try #require(status == 0, "\(output)")
        let store = try await tmp.openPostgres()
        let stored = try await store.deadLetters(source: "src", limit: 10)
        #expect(stored.map(\.provenance) == ["file:x#L3", "file:x#L2"])
        #expect(stored.map(\.at) == [Date(timeIntervalSince1970: 0.002), Date(timeIntervalSince1970: 0)])
        _ = try await store.write(IngestBatch(source: "src", deadLetters: [Self.letter("file:x#L2", "{bad")]))
        #expect(try await store.deadLetters(source: "src", limit: 10).count == 2)
    }
}
