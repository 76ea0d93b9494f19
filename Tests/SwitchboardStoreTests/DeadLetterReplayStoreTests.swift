import Foundation
import SwitchboardCore
import SwitchboardScan
import SwitchboardStore
import SwitchboardTesting
import Testing

/// What `dead-letters replay` needs from a store, on every backend: the replay context kept with a letter,
/// the selection of letters not yet replayed with success (source, reason text, since), the kinds they were
/// written by, and the marks a replay leaves (letters stay; a failed one gets its new reason).
@Suite(.timeLimit(.minutes(10))) struct DeadLetterReplayStoreTests {
    static func letter(_ provenance: String, _ raw: String, source: String = "src", reason: String = "bad line",
                       at: Date = Date(timeIntervalSince1970: 1_772_000_000), kind: String? = "jsonl",
                       values: [String: String] = [:]) -> DeadLetter {
        DeadLetter(source: source, at: at, reason: reason, provenance: provenance, raw: Data(raw.utf8),
                   replay: kind.map { ReplayContext(kind: $0, values: values) })
    }

    static func replayable(_ store: any MetricsStore) throws -> any DeadLetterReplayStore {
        try #require(store as? any DeadLetterReplayStore)
    }

    @Test(arguments: Backend.allCases) func contextsSelectionAndMarksRoundTrip(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try await tmp.open()
        let replay = try Self.replayable(store)
        let header = "start,from,to,status"
        _ = try await store.write(IngestBatch(source: "src", deadLetters: [
            Self.letter("file:a.csv#L2", "row two", reason: "a.csv:2: outcome 'Transferred' is not known",
                        kind: "phone-csv", values: ["header": header]),
            Self.letter("file:a.csv#L3", "row three", reason: "a.csv:3: start is empty",
                        at: Date(timeIntervalSince1970: 1_772_100_000), kind: "phone-csv", values: ["header": header]),
            Self.letter("file:old.csv#L9", "old row", reason: "written before contexts", kind: nil),
        ]))
        _ = try await store.write(IngestBatch(source: "other", deadLetters: [Self.letter("file:x#L1", "x", source: "other")]))

        let all = try await replay.deadLettersToReplay(DeadLetterSelection(source: "src"), after: 0, limit: 10)
        #expect(all.map(\.letter.provenance) == ["file:a.csv#L2", "file:a.csv#L3", "file:old.csv#L9"])
        #expect(all[0].letter.replay == ReplayContext(kind: "phone-csv", values: ["header": header]))
        #expect(all[2].letter.replay == nil)
        #expect(Set(try await replay.deadLetterKinds(DeadLetterSelection(source: "src"))) == [nil, "phone-csv"])
        // Paging by id, filters by reason text (case-insensitive) and time.
        let page = try await replay.deadLettersToReplay(DeadLetterSelection(source: "src"), after: all[0].id, limit: 1)
        #expect(page.map(\.letter.provenance) == ["file:a.csv#L3"])
        let byReason = try await replay.deadLettersToReplay(DeadLetterSelection(source: "src", reason: "TRANSFERRED"), after: 0, limit: 10)
        #expect(byReason.map(\.letter.provenance) == ["file:a.csv#L2"])
        let since = try await replay.deadLettersToReplay(
            DeadLetterSelection(source: "src", since: Date(timeIntervalSince1970: 1_772_050_000)), after: 0, limit: 10)
        #expect(since.map(\.letter.provenance) == ["file:a.csv#L3"])

        // Marks: the first stored, the second still failing with a new reason.
        let when = Date(timeIntervalSince1970: 1_772_200_000)
        try await replay.markReplayed([
            DeadLetterReplayMark(id: all[0].id, at: when, outcome: .stored),
            DeadLetterReplayMark(id: all[1].id, at: when, outcome: .failed, reason: "a.csv:3: start is still empty"),
        ])
        let left = try await replay.deadLettersToReplay(DeadLetterSelection(source: "src"), after: 0, limit: 10)
        #expect(left.map(\.letter.provenance) == ["file:a.csv#L3", "file:old.csv#L9"], "a stored letter is not selected again")
        #expect(left[0].letter.reason == "a.csv:3: start is still empty")
        #expect(left[0].letter.replayOutcome == .failed && left[0].letter.replayedAt == when)
        let listed = try await store.deadLetters(source: "src", limit: 10)
        #expect(listed.count == 3, "replayed letters are kept")
        let stored = try #require(listed.first { $0.provenance == "file:a.csv#L2" })
        #expect(stored.replayOutcome == .stored && stored.replayedAt == when && stored.reason.contains("Transferred"))
        // The report's data quality counts only letters not stored by a replay.
        #expect(try await store.sourceStats()["src"]?.deadLetters == 2)
        #expect(try await store.sourceStats()["other"]?.deadLetters == 1)
    }

    @Test(arguments: Backend.allCases) func aLetterWrittenAgainKeepsItsMark(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try await tmp.open()
        let replay = try Self.replayable(store)
        _ = try await store.write(IngestBatch(source: "src", deadLetters: [Self.letter("file:x#L2", "{bad")]))
        let letters = try await replay.deadLettersToReplay(DeadLetterSelection(source: "src"), after: 0, limit: 10)
        try await replay.markReplayed([DeadLetterReplayMark(id: letters[0].id, at: Date(), outcome: .failed, reason: "new reason")])
        // A replay that still fails counts the letter through the sink again: the store keeps one letter.
        _ = try await store.write(IngestBatch(source: "src", deadLetters: [Self.letter("file:x#L2", "{bad", reason: "new reason")]))
        let listed = try await store.deadLetters(source: "src", limit: 10)
        #expect(listed.count == 1)
        #expect(listed[0].replayOutcome == .failed && listed[0].reason == "new reason")
    }

    @Test func migrateCopiesContextsAndMarks() async throws {
        let sqlite = try await ScratchStore(.sqlite)
        let postgres = try await ScratchStore(.postgres)
        let from = try #require(try await sqlite.open() as? SQLiteStore)
        _ = try await from.write(IngestBatch(source: "src", deadLetters: [
            Self.letter("file:a.csv#L2", "row", kind: "phone-csv", values: ["header": "start,from"]),
            Self.letter("file:a.csv#L3", "other row", kind: "phone-csv", values: ["header": "start,from"]),
        ]))
        let letters = try await from.deadLettersToReplay(DeadLetterSelection(source: "src"), after: 0, limit: 10)
        let when = Date(timeIntervalSince1970: 1_772_200_000)
        try await from.markReplayed([DeadLetterReplayMark(id: letters[0].id, at: when, outcome: .stored)])
        let to = try await postgres.openPostgres()
        let copied = try await StoreCopy.copy(from: from, to: to)
        #expect(copied.deadLetters == 2)
        let moved = try await to.deadLetters(source: "src", limit: 10).sorted { $0.provenance < $1.provenance }
        #expect(moved.map(\.replay) == Array(repeating: ReplayContext(kind: "phone-csv", values: ["header": "start,from"]), count: 2))
        #expect(moved.map(\.replayOutcome) == [.stored, nil] && moved[0].replayedAt == when)
        #expect(try await to.deadLettersToReplay(DeadLetterSelection(source: "src"), after: 0, limit: 10)
            .map(\.letter.provenance) == ["file:a.csv#L3"])
    }
}
