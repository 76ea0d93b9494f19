import Foundation
import SwitchboardCore
import SwitchboardScan
import SwitchboardMetrics
import SwitchboardStore
import SwitchboardTesting
import Testing

/// ``LiveMetrics`` following real stores: what it loads equals the cold path's load of the same store, also when
/// a PostgreSQL transaction commits a lower seq after higher ones were read (docs/live.md).
@Suite(.serialized) struct LiveFollowTests {
    static let now = MixedData.start.addingTimeInterval(20 * 86400)

    static func expectSameAsCold(_ live: LiveMetrics, _ store: any MetricsStore, now: Date = now,
                                 sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let engine = MetricsEngine(settings: LiveDatasetTests.settings)
        let warm = try await live.load(now: now), cold = try await StoreMetricsLoader(engine: engine, store: store).load(now: now)
        #expect(LiveDatasetTests.difference(LiveDatasetTests.outcome(warm.data, now: now), LiveDatasetTests.outcome(cold.data, now: now)) == nil,
                sourceLocation: sourceLocation)
        #expect(warm.dataQuality == cold.dataQuality, sourceLocation: sourceLocation)
    }

    @Test("a PostgreSQL position re-checks seqs above its complete mark until they have been visible for the grace time")
    func tailPositionGrace() {
        let t = Date(timeIntervalSince1970: 1_000_000)
        var p = MetricsTailPosition(complete: 100)
        p.record([101, 103], at: t, grace: 10)
        #expect(p.complete == 100 && p.seen == [101, 103] && p.highest == 103)
        p.record([102, 104], at: t.addingTimeInterval(5), grace: 10)   // 102 committed after 103 was read
        #expect(p.complete == 100 && p.seen == [101, 102, 103, 104])
        p.record([], at: t.addingTimeInterval(10), grace: 10)   // the first read's highest (103) is settled
        #expect(p.complete == 103 && p.seen == [104] && p.highest == 104)
        p.record([105], at: t.addingTimeInterval(16), grace: 10)
        #expect(p.complete == 104 && p.seen == [105] && p.highest == 105)
    }

    @Test("on SQLite, writes between loads are in the next load, as in a fresh scan")
    func sqliteFollows() async throws {
        let items = MixedData.make(seed: 8, conversations: 200)
        let (sqlite, dir) = try scratchSQLite("sb-live")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try await sqlite.write(IngestBatch(source: "mixed", interactions: Array(items[..<300])))
        let live = LiveMetrics(engine: MetricsEngine(settings: LiveDatasetTests.settings), store: sqlite)
        try await live.start(now: Self.now.addingTimeInterval(-10 * 86400))
        try await Self.expectSameAsCold(live, sqlite, now: Self.now.addingTimeInterval(-9 * 86400))
        for start in stride(from: 300, to: items.count, by: 150) {
            _ = try await sqlite.write(IngestBatch(source: "mixed", interactions: Array(items[start..<min(start + 150, items.count)])))
            try await live.readTail()
        }
        try await Self.expectSameAsCold(live, sqlite)
        let (warm, cold) = (await live.liveLoads, await live.coldLoads)
        #expect(warm == 2 && cold == 0)
    }

    /// Customer messages with text classified by `rules` at import, each answered by an agent a minute later.
    static func classified(_ rules: TopicRules) -> [Interaction] {
        let texts = ["Where is my invoice?", "refund please", "hello", "Проблема с оплатой", "order late"]
        let policy = IngestPolicy(topicRules: rules)
        return (0..<60).flatMap { k -> [Interaction] in
            let at = MixedData.start.addingTimeInterval(Double(k) * 3600)
            let asked = Interaction(source: "mail", externalId: "q\(k)", channel: .email, platform: "imap", conversationKey: "c\(k)",
                                    kind: .message, direction: .inbound, actorRole: .customer, customerKey: "u\(k % 9)", occurredAt: at,
                                    text: texts[k % texts.count], provenance: "test:q\(k)")
            let answered = Interaction(source: "mail", externalId: "a\(k)", channel: .email, platform: "imap", conversationKey: "c\(k)",
                                       kind: .message, direction: .outbound, actorRole: .agent, actorId: "anna",
                                       occurredAt: at.addingTimeInterval(60), text: "on it", provenance: "test:a\(k)")
            return [policy.apply(to: asked), answered]
        }
    }

    @Test("`topics apply` run by another process while the state is kept: the next load has the new topics, as a fresh scan", arguments: [false, true])
    func topicsApplyIsFollowed(_ postgres: Bool) async throws {
        let store: any MetricsFollowing & RuleTopicsStore
        var cleanup: () -> Void = {}
        if postgres {
            guard TestPostgres.serverURL != nil else { try Test.cancel(Comment(rawValue: TestPostgres.skipMessage)) }
            let pg = try await PostgresStore.open(url: try await TestPostgres.offPool { try TestPostgres.createDatabase() })
            (store, cleanup) = (pg, { pg.close() })
        } else {
            let (sqlite, dir) = try scratchSQLite("sb-live-topics")
            (store, cleanup) = (sqlite, { try? FileManager.default.removeItem(at: dir) })
        }
        defer { cleanup() }
        let old = try TopicRules([TopicRule(name: "billing", keywords: ["invoice*"])])
        let new = try TopicRules([TopicRule(name: "billing", keywords: ["invoice*", "оплат*"]), TopicRule(name: "returns", keywords: ["refund"])])
        _ = try await store.write(IngestBatch(source: "mail", interactions: Self.classified(old)))
        let engine = MetricsEngine(settings: LiveDatasetTests.settings)
        let before = LiveDatasetTests.outcome(try await StoreMetricsLoader(engine: engine, store: store).load(now: Self.now).data, now: Self.now)
        let live = LiveMetrics(engine: engine, store: store)
        try await live.start(now: Self.now.addingTimeInterval(-1))
        try await Self.expectSameAsCold(live, store)
        // Half-way (a run stopped after its first batch): the state is kept until a run goes to the end.
        _ = try? await TopicsApply(rules: new, batchSize: 20).run(store: store, afterBatch: { _ in throw CancellationError() })
        try await live.readTail()
        let summary = try await TopicsApply(rules: new, batchSize: 20).run(store: store)
        #expect(summary.changed > 0)
        let after = LiveDatasetTests.outcome(try await StoreMetricsLoader(engine: engine, store: store).load(now: Self.now).data, now: Self.now)
        #expect(after != before, "the new rules change the report")
        try await Self.expectSameAsCold(live, store)
        #expect(await live.coldLoads == 0)
    }

    /// A psql session left inside a transaction that inserted one row (a copy of a stored message a minute later),
    /// until `COMMIT` is written to it.
    /// `open`: the sessions left in a transaction once this one is (others of the test may be).
    static func openTransaction(_ url: String, id: String, open: Int) async throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        p.arguments = [url.split(separator: "?").first.map(String.init) ?? url, "-qAt", "-v", "ON_ERROR_STOP=1"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let input = Pipe()
        p.standardInput = input
        try p.run()
        input.fileHandleForWriting.write(Data("""
            BEGIN;
            INSERT INTO interactions (id, source, external_id, channel, platform, conversation_key, kind, direction, actor_role,
                                      actor_id, customer_key, occurred_at, provenance)
            SELECT '\(id)', source, '\(id)', channel, platform, conversation_key, kind, direction, actor_role, actor_id,
                   customer_key, occurred_at + 60000, provenance
            FROM interactions WHERE kind = 'message' AND actor_role = 'agent' ORDER BY seq LIMIT 1;

            """.utf8))
        for _ in 0..<600 {
            let (_, out) = await TestPostgres.psqlOffPool(url,
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' AND backend_xid IS NOT NULL")
            if out.trimmingCharacters(in: .whitespacesAndNewlines) == "\(open)" { return (p, input) }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the psql transaction did not start")
        throw CancellationError()
    }

    static func commit(_ session: (Process, Pipe)) {
        session.1.fileHandleForWriting.write(Data("COMMIT;\n".utf8))
        try? session.1.fileHandleForWriting.close()
        session.0.waitUntilExit()
    }

    @Test("on PostgreSQL, a row whose seq is lower than rows already read, committed later, is in the next load")
    func postgresLateCommits() async throws {
        guard TestPostgres.serverURL != nil else { try Test.cancel(Comment(rawValue: TestPostgres.skipMessage)) }
        let url = try await TestPostgres.offPool { try TestPostgres.createDatabase() }
        let store = try await PostgresStore.open(url: url)
        defer { store.close() }
        let items = MixedData.make(seed: 21, conversations: 200)
        _ = try await store.write(IngestBatch(source: "mixed", interactions: Array(items[..<250])))
        // A transaction holds a seq while the state is built (the start window) and while later rows are read.
        let early = try await Self.openTransaction(url, id: "late-early", open: 1)
        let live = LiveMetrics(engine: MetricsEngine(settings: LiveDatasetTests.settings), store: store)
        try await live.start(now: Self.now.addingTimeInterval(-1))
        _ = try await store.write(IngestBatch(source: "mixed", interactions: Array(items[250..<400])))
        let late = try await Self.openTransaction(url, id: "late-later", open: 2)
        _ = try await store.write(IngestBatch(source: "mixed", interactions: Array(items[400...])))
        try await live.readTail()
        try await Self.expectSameAsCold(live, store)
        Self.commit(late)
        Self.commit(early)
        let stored = try await store.count(source: nil)
        #expect(stored == items.count + 2)
        try await Self.expectSameAsCold(live, store)
        let data = try await live.load(now: Self.now).data
        let keys = Set(data.conversations.map { data.key(of: $0) })
        #expect(data.tables.storedCounts.values.reduce(0, +) == items.count + 2 && !keys.isEmpty)
        let cold = await live.coldLoads
        #expect(cold == 0)
    }
}
