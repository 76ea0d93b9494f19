import Foundation
import GRDB
@testable import SwitchboardStore
import SwitchboardCore
import Testing

/// The SQLite store's dedupe key (source, external_id) and its v3 migration: the
/// same "one row per id" as before, for computed and for given ids.
@Suite(.timeLimit(.minutes(10))) struct SQLiteDedupeTests {
    /// Writes a store as the v2 schema left it (inline UNIQUE on id), with rows
    /// inserted the way the v2 store did.
    func makeV2Store(at path: String, rows: [Interaction]) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try SQLiteSchema.migrator.migrate(queue, upTo: "v2-conversation-order")
        let columns = SQLiteSchema.v1Columns
        let sql = "INSERT INTO interactions (\(columns.joined(separator: ", "))) VALUES ("
            + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ") ON CONFLICT(id) DO NOTHING"
        try queue.write { db in
            for i in rows {
                let values: [(any DatabaseValueConvertible)?] = [
                    i.id, i.source, i.externalId, i.channel.rawValue, i.platform, i.conversationKey, i.kind.rawValue,
                    i.direction.rawValue, i.actorRole.rawValue, i.actorId, i.actorName, i.customerKey,
                    Timestamp.milliseconds(i.occurredAt), i.call?.queue, i.call?.agentId, i.call?.waitSeconds,
                    i.call?.talkSeconds, i.call?.outcome.rawValue, i.survey?.metric.rawValue, i.survey?.score,
                    i.survey?.scaleMin, i.survey?.scaleMax, i.status?.to.rawValue, i.subject, i.text, i.attachments,
                    i.provenance,
                ]
                try db.execute(sql: sql, arguments: StatementArguments(values))
            }
        }
    }

    func indexes(_ path: String) throws -> Set<String> {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'interactions'"))
        }
    }

    func scratchPath() -> String { scratchStorePath("sb-dedupe") }

    func all(_ store: SQLiteStore) async throws -> [Interaction] { try await allInteractions(store) }

    @Test func aV2StoreMigratesAndReadsIdentically() async throws {
        let path = scratchPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        var call = interaction(3)
        call.kind = .call
        call.channel = .phone
        call.call = CallInfo(queue: "support", agentId: "anna", waitSeconds: 4.5, talkSeconds: 31, outcome: .answered)
        let rows = (0..<3).map { interaction($0) } + [call] + (4..<40).map { interaction($0, conversation: "c") }
        try makeV2Store(at: path, rows: rows)
        #expect(try indexes(path).contains("sqlite_autoindex_interactions_1"))

        let store = try SQLiteStore(path: path)
        #expect(try await all(store) == rows)
        #expect(try indexes(path) == ["interactions_source_key", "interactions_conversation"])
        // Everything already stored is a duplicate; new rows are stored after the old ones.
        let again = try await store.write(IngestBatch(source: "src", interactions: rows + [interaction(40), interaction(40)]))
        #expect(again == IngestBatchResult(stored: 1, duplicates: rows.count + 1))
        #expect(try await all(store) == rows + [interaction(40)])
    }

    @Test func aV2StoreWithGivenIdsKeepsDedupingById() async throws {
        let path = scratchPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        var given = interaction(1)
        given.id = "custom-id-1"
        try makeV2Store(at: path, rows: [interaction(0), given])
        let store = try SQLiteStore(path: path)
        #expect(try indexes(path).contains("interactions_id"))
        #expect(try await all(store).map(\.id) == [interaction(0).id, "custom-id-1"])
        // The computed id of e1 is not stored yet (only the given one), so it is new; the given id is a duplicate.
        var givenAgain = interaction(7)
        givenAgain.id = "custom-id-1"
        let result = try await store.write(IngestBatch(source: "src", interactions: [interaction(1), givenAgain]))
        #expect(result == IngestBatchResult(stored: 1, duplicates: 1))
    }

    @Test func givenIdsAreDedupedByIdAgainstEveryRow() async throws {
        let path = scratchPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try SQLiteStore(path: path)
        _ = try await store.write(IngestBatch(source: "src", interactions: (0..<5).map { interaction($0) }))
        #expect(!(try indexes(path).contains("interactions_id")))

        // Same (source, externalId) as a stored row but an id of its own: a different interaction.
        var sameKey = interaction(0)
        sameKey.id = "custom-a"
        // Another key carrying the id of a stored row: a duplicate of that row.
        var copiedId = interaction(100)
        copiedId.id = interaction(1).id
        var twice = interaction(101)
        twice.id = "custom-b"
        let result = try await store.write(IngestBatch(source: "src", interactions: [sameKey, copiedId, twice, twice]))
        #expect(result == IngestBatchResult(stored: 2, duplicates: 2))
        #expect(try indexes(path).contains("interactions_id"))

        // A computed row whose id a given row already holds is a duplicate too.
        var holder = interaction(200)
        holder.id = interaction(300).id
        _ = try await store.write(IngestBatch(source: "src", interactions: [holder]))
        let late = try await store.write(IngestBatch(source: "src", interactions: [interaction(300), interaction(5)]))
        #expect(late == IngestBatchResult(stored: 1, duplicates: 1))
        #expect(try await store.count(source: "src") == 5 + 2 + 1 + 1)
    }

    @Test func theSameExternalIdInAnotherSourceIsAnotherInteraction() async throws {
        let path = scratchPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try SQLiteStore(path: path)
        let result = try await store.write(IngestBatch(source: "src", interactions: [
            interaction(1, source: "a"), interaction(1, source: "b"), interaction(1, source: "a"),
        ]))
        #expect(result == IngestBatchResult(stored: 2, duplicates: 1))
    }

    /// The id hashes source, U+001F, externalId: a source holding U+001F can make two different pairs
    /// share one id. Those rows still count as one, and an explicit id stored later still works.
    @Test func aSourceWithTheSeparatorStillDedupesById() async throws {
        let path = scratchPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        func message(source: String, externalId: String) -> Interaction {
            Interaction(source: source, externalId: externalId, channel: .chat, platform: "telegram", conversationKey: "c",
                        kind: .message, direction: .inbound, actorRole: .customer,
                        occurredAt: Date(timeIntervalSince1970: 1_772_359_200), provenance: "test")
        }
        let first = message(source: "a\u{1F}b", externalId: "c")
        let second = message(source: "a", externalId: "b\u{1F}c")
        #expect(first.id == second.id)
        let store = try SQLiteStore(path: path)
        let result = try await store.write(IngestBatch(source: "src", interactions: [first, second]))
        #expect(result == IngestBatchResult(stored: 1, duplicates: 1))
        var given = interaction(7)
        given.id = "custom-id-7"
        let later = try await store.write(IngestBatch(source: "src", interactions: [given, second]))
        #expect(later == IngestBatchResult(stored: 1, duplicates: 1))
        #expect(try await store.count(source: nil) == 2)
    }
}

/// The writer trusts ``Interaction/idIsKnownComputed`` instead of hashing again; every other id is checked.
@Suite(.timeLimit(.minutes(10))) struct SQLiteDedupeFastPathTests {
    func scratchPath() -> String { scratchStorePath("sb-dedupe") }

    @Test func givenIdsAreTheOnesNotComputedFromTheirOwnKey() {
        let computed = interaction(1)
        var restated = interaction(2)
        restated.id = interaction(2).id           // set, but equal to its own hash: not given
        var foreign = interaction(3)
        foreign.id = interaction(4).id            // another key's hash: given
        var custom = interaction(5)
        custom.id = "custom-5"
        var moved = interaction(6)
        moved.externalId = "e6-bis"               // the id no longer matches the key: given
        let separator = interaction(7, source: "a\u{1F}b")
        #expect(computed.idIsKnownComputed && !restated.idIsKnownComputed && !moved.idIsKnownComputed)
        #expect(SQLiteDedupe.givenIds([computed, restated, foreign, custom, moved, separator])
            == [false, false, true, true, true, true])
    }

    @Test func aRestatedComputedIdNeedsNoIdIndex() async throws {
        let path = scratchPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try SQLiteStore(path: path)
        var restated = interaction(2)
        restated.id = interaction(2).id
        let result = try await store.write(IngestBatch(source: "src", interactions: [interaction(1), restated, interaction(2)]))
        #expect(result == IngestBatchResult(stored: 2, duplicates: 1))
        let queue = try DatabaseQueue(path: path)
        let given = try await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM interactions WHERE id_given = 1") }
        #expect(given == 0)
        let indexes = try await queue.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index'") }
        #expect(!indexes.contains("interactions_id"))
    }
}
