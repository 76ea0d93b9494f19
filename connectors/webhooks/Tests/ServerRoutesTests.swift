import Foundation
import HTTPTypes
import Hummingbird
import Logging
import HummingbirdTesting
import ServiceLifecycle
import SwitchboardCore
import SwitchboardScan
@testable import SwitchboardServer
import SwitchboardTesting
import Testing
@testable import WebhookConnectors

/// An InMemoryStore behind a switch that makes writes fail, as an unreachable database does,
/// and that counts transactions.
actor SwitchableStore: MetricsStore {
    let base = InMemoryStore()
    var down = false
    var writes = 0
    /// Writes that may run at once, and how long each takes (none: at once).
    nonisolated let concurrentWrites: Int
    let writeTime: Duration?
    /// Writes running now, and the most that ran together.
    var running = 0, mostRunning = 0
    func setDown(_ value: Bool) { down = value }

    init(concurrentWrites: Int = 1, writeTime: Duration? = nil) {
        self.concurrentWrites = concurrentWrites
        self.writeTime = writeTime
    }

    func write(_ batch: IngestBatch) async throws -> IngestBatchResult {
        if down { throw StoreError(.unavailable, "database is locked") }
        writes += 1
        running += 1
        mostRunning = max(mostRunning, running)
        defer { running -= 1 }
        if let writeTime { try await Task.sleep(for: writeTime) }
        return try await base.write(batch)
    }
    func checkpoint(source: String) async throws -> Checkpoint? {
        if down { throw StoreError(.unavailable, "database is locked") }
        return try await base.checkpoint(source: source)
    }
    func startRun(source: String, mode: String, at: Date) async throws -> IngestRun { try await base.startRun(source: source, mode: mode, at: at) }
    func finishRun(_ run: IngestRun) async throws { try await base.finishRun(run) }
    func runs(source: String?, limit: Int) async throws -> [IngestRun] { try await base.runs(source: source, limit: limit) }
    func deadLetters(source: String?, limit: Int) async throws -> [DeadLetter] { try await base.deadLetters(source: source, limit: limit) }
    func scan(_ query: InteractionQuery, _ body: @Sendable (Interaction) throws -> Void) async throws { try await base.scan(query, body) }
    func sourceStats() async throws -> [String: SourceStats] { try await base.sourceStats() }
    func count(source: String?) async throws -> Int { try await base.count(source: source) }
    func scanMetrics() async throws -> MetricsScan { try await base.scanMetrics() }
    func sourceStats(countingStored: Bool) async throws -> [String: SourceStats] {
        try await base.sourceStats(countingStored: countingStored)
    }
}

@Suite struct ServerRoutesTests {
    let token = "tg-route-secret"
    func telegram() throws -> TelegramWebhook { try Kit.make(TelegramWebhook.self, name: "tg", yaml: "secret_token: \(token)") }
    var auth: HTTPFields { Kit.headers(["x-telegram-bot-api-secret-token": token]) }

    func update(_ id: Int) -> Data {
        Data(#"{"update_id":\#(id),"message":{"message_id":\#(id),"from":{"id":77,"is_bot":false,"first_name":"Ivan"},"chat":{"id":77,"type":"private"},"date":1764003000,"text":"hi \#(id)"}}"#.utf8)
    }

    @Test func eventLoopsFollowTheAffinityMask() {
        let status = "Name:\tswitchboard\nCpus_allowed:\t%@\nCpus_allowed_list:\t0\n"
        #expect(EventLoopThreads.usableCPUs(status: status.replacingOccurrences(of: "%@", with: "1"), machine: 8) == 1)
        #expect(EventLoopThreads.usableCPUs(status: status.replacingOccurrences(of: "%@", with: "00000000,000000f0"), machine: 8) == 4)
        #expect(EventLoopThreads.usableCPUs(status: status.replacingOccurrences(of: "%@", with: "ffffffff,ffffffff"), machine: 8) == 8)
        #expect(EventLoopThreads.usableCPUs(status: "Name:\tswitchboard\n", machine: 8) == 8)
        #expect(EventLoopThreads.usableCPUs(status: nil, machine: 3) == 3)
    }

    @Test func unknownSourceIs404() async throws {
        try await Kit.live(["tg": try telegram()]) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            #expect(try await client.postStatus("/webhooks/nope", update(1), auth) == .notFound)
            #expect(try await client.getStatus("/webhooks/nope?crc_token=x") == .notFound)
        }
    }

    @Test func bodyOverTheLimitIs413AndNotStored() async throws {
        let store = InMemoryStore()
        try await Kit.live(["tg": try telegram()], store: store, maxBody: 1024) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            var big = #"{"update_id":5,"message":{"message_id":5,"chat":{"id":1},"date":1764003000,"text":""#
            big += String(repeating: "x", count: 2000) + #""}}"#
            #expect(try await client.postStatus("/webhooks/tg", Data(big.utf8), auth) == .contentTooLarge)
            #expect(try await client.postStatus("/webhooks/tg", update(6), auth) == .ok)
        }
        #expect(await store.interactions.map(\.externalId) == ["6"])
    }

    @Test func healthReadinessAndMetrics() async throws {
        let store = SwitchableStore()
        try await Kit.live(["tg": try telegram()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            #expect(try await client.getStatus("/healthz") == .ok)
            #expect(try await client.getStatus("/readyz") == .ok)
            #expect(try await client.postStatus("/webhooks/tg", update(1), auth) == .ok)
            #expect(try await client.postStatus("/webhooks/tg", update(1), auth) == .ok)
            #expect(try await client.postStatus("/webhooks/tg", update(2), Kit.headers([:])) == .unauthorized)
            await store.setDown(true)
            #expect(try await client.getStatus("/readyz") == .serviceUnavailable)
            #expect(try await client.getStatus("/healthz") == .ok)
            let metrics = Kit.text(try await client.get("/metrics"))
            for line in [#"switchboard_webhook_requests_total{source="tg",status="200"} 2"#,
                         #"switchboard_webhook_requests_total{source="tg",status="401"} 1"#,
                         #"switchboard_webhook_stored_total{source="tg"} 1"#,
                         #"switchboard_webhook_duplicates_total{source="tg"} 1"#,
                         #"switchboard_webhook_rejected_total{source="tg",reason="signature"} 1"#,
                         #"switchboard_webhook_request_duration_seconds_count{source="tg"} 3"#] {
                #expect(metrics.contains(line), "missing \(line)")
            }
        }
    }

    @Test func storeDownIs503ThenTheRetryIsStoredOnce() async throws {
        let store = SwitchableStore()
        try await Kit.live(["tg": try telegram()], store: store) { (client: any TestClientProtocol, _: WebhookServer) async throws in
            await store.setDown(true)
            #expect(try await client.postStatus("/webhooks/tg", update(9), auth) == .serviceUnavailable)
            await store.setDown(false)
            #expect(try await client.postStatus("/webhooks/tg", update(9), auth) == .ok)
            #expect(try await client.postStatus("/webhooks/tg", update(9), auth) == .ok)
        }
        #expect(await store.base.interactions.map(\.externalId) == ["9"])
    }

    @Test func concurrentDeliveriesShareTransactions() async throws {
        let store = SwitchableStore()
        let committer = GroupCommitter(store: store)
        let n = 200
        try await withThrowingTaskGroup(of: Void.self) { group in
            for k in 0..<n {
                group.addTask {
                    let i = Interaction(source: "tg", externalId: "\(k)", channel: .chat, platform: "telegram",
                                        conversationKey: "c", kind: .message, direction: .inbound, actorRole: .customer,
                                        occurredAt: Date(timeIntervalSince1970: 1764003000), provenance: "test")
                    try await committer.commit(source: "tg", interactions: [i], deadLetters: [])
                }
            }
            // Every request is queued before the committer runs: they must share one transaction.
            while committer.queued < n { await Task.yield() }
            let group2 = ServiceGroup(services: [committer], logger: .init(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { inner in
                inner.addTask { try await group2.run() }
                try await group.waitForAll()
                await group2.triggerGracefulShutdown()
                try await inner.waitForAll()
            }
        }
        #expect(await store.writes == 1)
        #expect(await store.base.interactions.count == n)
    }

    @Test func aStoreThatTakesTwoWritesGetsTwoGroupsAtOnceAndNoMore() async throws {
        // The PostgreSQL store's case: while one group commits, the next is written beside it.
        let store = SwitchableStore(concurrentWrites: 2, writeTime: .milliseconds(40))
        let committer = GroupCommitter(store: store)
        let service = ServiceGroup(services: [committer], logger: .init(label: "test"))
        let n = 120
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await service.run() }
            try await withThrowingTaskGroup(of: Void.self) { deliveries in
                for k in 0..<n {
                    deliveries.addTask {
                        try await Task.sleep(for: .milliseconds(k * 2))
                        let i = Interaction(source: "tg", externalId: "\(k % 100)", channel: .chat, platform: "telegram",
                                            conversationKey: "c", kind: .message, direction: .inbound, actorRole: .customer,
                                            occurredAt: Date(timeIntervalSince1970: 1764003000), provenance: "test")
                        try await committer.commit(source: "tg", interactions: [i], deadLetters: [])
                    }
                }
                try await deliveries.waitForAll()
            }
            await service.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(await store.mostRunning == 2)
        #expect(await store.writes > 2)
        // Twenty ids came twice, in groups written side by side: each is stored once.
        #expect(await store.base.interactions.map(\.externalId).sorted() == (0..<100).map { "\($0)" }.sorted())
    }

    @Test func afterShutdownNewDeliveriesFailInsteadOfHanging() async throws {
        let store = InMemoryStore()
        let committer = GroupCommitter(store: store)
        let group = ServiceGroup(services: [committer], logger: .init(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await committer.commit(source: "tg", interactions: [], deadLetters: [])
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await #expect(throws: StoreError.self) { try await committer.commit(source: "tg", interactions: [], deadLetters: []) }
    }
}
