import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing

func sampleInteraction(_ n: Int, source: String = "s", text: String? = "hello", customer: String? = "a@example.com") -> Interaction {
    Interaction(source: source, externalId: "ext-\(n)", channel: .email, platform: "imap", conversationKey: "c\(n % 3)",
                kind: .message, direction: .inbound, actorRole: .customer, actorId: customer, actorName: "Ann",
                customerKey: customer, occurredAt: Date(timeIntervalSince1970: 1_772_359_200 + Double(n)),
                subject: "subject", text: text, provenance: "test#\(n)")
}

@Suite struct IngestSinkTests {
    @Test func batchesDeduplicatesAndCounts() async throws {
        let store = InMemoryStore()
        let sink = BatchingSink(source: "s", store: store, batchSize: 7)
        for n in 0..<20 { try await sink.accept(sampleInteraction(n)) }
        for n in 0..<5 { try await sink.accept(sampleInteraction(n)) }    // repeats, across batches
        try await sink.reject(reason: "bad", provenance: "f#L3", text: "garbage")
        let summary = try await sink.finish()
        #expect(summary.read == 26)
        #expect(summary.stored == 20)
        #expect(summary.duplicates == 5)
        #expect(summary.deadLetters == 1)
        #expect(try await store.count(source: "s") == 20)
        let letters = try await store.deadLetters(source: "s", limit: 10)
        #expect(letters.map(\.provenance) == ["f#L3"])
    }

    @Test func bigRecordsCommitBeforeTheBatchIsFullByCount() async throws {
        let body = String(repeating: "x", count: 3_000)
        let one = InMemoryStore()
        let sink = BatchingSink(source: "s", store: one, batchSize: 1_000, maxBatchBytes: 10_000)
        for n in 0..<20 { try await sink.accept(sampleInteraction(n, text: body)) }
        #expect(try await sink.finish().stored == 20)
        #expect(await one.batchesWritten == 5)    // about 3.3 kB each: every 4th record fills 10 kB

        let blocks = InMemoryStore()
        let blockSink = BatchingSink(source: "s", store: blocks, batchSize: 1_000, maxBatchBytes: 10_000)
        try await blockSink.accept(contentsOf: (0..<8).map { sampleInteraction($0, text: body) })
        try await blockSink.accept(contentsOf: (8..<16).map { sampleInteraction($0, text: "short") })
        #expect(try await blockSink.finish().stored == 16)
        #expect(await blocks.batchesWritten == 2)   // the big block at once, the small records together

        let small = InMemoryStore()
        let smallSink = BatchingSink(source: "s", store: small, batchSize: 1_000, maxBatchBytes: 10_000)
        for n in 0..<20 { try await smallSink.accept(sampleInteraction(n)) }
        #expect(try await smallSink.finish().stored == 20)
        #expect(await small.batchesWritten == 1)
    }

    /// Blocks of the sink's own size are taken over whole; any mix of block sizes, single records and
    /// privacy settings stores the same records, in the same order, with the same counts.
    @Test func blocksOfAnySizeStoreWhatSingleRecordsStore() async throws {
        func stored(_ store: InMemoryStore) async throws -> [Interaction] {
            let box = LockedList()
            try await store.scan(InteractionQuery(order: .time)) { box.append($0) }
            return box.items
        }
        let records = (0..<47).map { sampleInteraction($0) } + (0..<5).map { sampleInteraction($0) }   // 5 repeats
        let single = InMemoryStore()
        let one = BatchingSink(source: "s", store: single, batchSize: 10)
        for r in records { try await one.accept(r) }
        let expected = try await one.finish()

        for (sizes, privacy) in [([10, 10, 10, 10, 7, 5], PrivacySettings()), ([10, 3, 10, 25, 1, 3], PrivacySettings()),
                                 ([4, 10, 38], PrivacySettings()), ([10, 10, 10, 10, 12], PrivacySettings(storeText: false))] {
            let store = InMemoryStore()
            let sink = BatchingSink(source: "s", store: store, privacy: privacy, batchSize: 10)
            #expect(sink.preferredBlockSize == 10)
            var rest = records[...]
            for size in sizes {
                try await sink.accept(contentsOf: Array(rest.prefix(size)))
                rest = rest.dropFirst(size)
            }
            #expect(rest.isEmpty)
            let summary = try await sink.finish()
            #expect(summary.read == expected.read && summary.stored == 47 && summary.duplicates == 5, "\(sizes)")
            let want = try await stored(single).map { privacy.apply(to: $0) }
            #expect(try await stored(store) == want, "\(sizes)")
        }
    }

    @Test func checkpointIsCommittedWithTheBatchItCovers() async throws {
        let store = InMemoryStore()
        let sink = BatchingSink(source: "s", store: store, batchSize: 100)
        try await sink.accept(sampleInteraction(1))
        try await sink.checkpoint(Checkpoint(source: "s", encoding: ["offset": 42]))
        #expect(try await store.checkpoint(source: "s") == nil)   // nothing committed yet
        _ = try await sink.finish()
        let cp = try #require(try await store.checkpoint(source: "s"))
        #expect(try cp.decode([String: Int].self) == ["offset": 42])
        #expect(try await store.count(source: "s") == 1)
    }

    @Test func privacyIsAppliedBeforeStorage() async throws {
        let store = InMemoryStore()
        let sink = BatchingSink(source: "s", store: store, privacy: PrivacySettings(storeText: false, hashIdentities: true))
        try await sink.accept(sampleInteraction(1))
        _ = try await sink.finish()
        let stored = try #require(await store.interactions.first)
        #expect(stored.text == nil)
        #expect(stored.subject == nil)
        #expect(stored.customerKey == PrivacySettings.hashIdentity("a@example.com"))
        #expect(stored.customerKey?.hasPrefix("h:") == true)
        #expect(stored.actorName != "Ann")
        #expect(stored.id == sampleInteraction(1).id)
    }

    @Test func topicRulesAreMatchedBeforePrivacyDropsTheText() async throws {
        let rules = try TopicRules([TopicRule(name: "billing", keywords: ["оплат*"]), TopicRule(name: "greeting", keywords: ["hello"])])
        let store = InMemoryStore()
        let sink = BatchingSink(source: "s", store: store, privacy: PrivacySettings(storeText: false), topicRules: rules)
        var reply = sampleInteraction(2, text: "hello, оплату получили")
        reply.actorRole = .agent
        reply.direction = .outbound
        try await sink.accept(contentsOf: [sampleInteraction(1, text: "Hello! Проблема с оплатой"), reply,
                                           sampleInteraction(3, text: "nothing to see")])
        _ = try await sink.finish()
        let stored = await store.interactions
        #expect(stored.map(\.text) == [nil, nil, nil])
        #expect(stored[0].ruleTopics == ["billing", "greeting"])
        #expect(stored[0].topicRules == rules.fingerprint && rules.fingerprint.count == 12)
        // Agent messages are never classified; a customer message without a match still records the rule set.
        #expect(stored[1].ruleTopics == [] && stored[1].topicRules == nil)
        #expect(stored[2].ruleTopics == [] && stored[2].topicRules == rules.fingerprint)
    }

    @Test func idIsAStableHashOfSourceAndExternalId() {
        #expect(InteractionID.make(source: "a", externalId: "b") == InteractionID.make(source: "a", externalId: "b"))
        #expect(InteractionID.make(source: "a", externalId: "b") != InteractionID.make(source: "ab", externalId: ""))
        // Pinned: SHA-256("mail" + U+001F + "1"), first 16 bytes (computed with Python's hashlib). Changing it would duplicate stored data.
        #expect(InteractionID.make(source: "mail", externalId: "1") == "444cd69b4e1ca8be86b4f45559a9e103")
    }

    @Test func computedIdsAreToldApartFromGivenOnes() {
        let id = InteractionID.make(source: "mail", externalId: "1")
        #expect(InteractionID.isComputed(id, source: "mail", externalId: "1"))
        #expect(!InteractionID.isComputed(id, source: "mail", externalId: "2"))
        #expect(!InteractionID.isComputed("custom-id-7", source: "mail", externalId: "1"))
        #expect(!InteractionID.isComputed(id.uppercased(), source: "mail", externalId: "1"))
        var last = id
        last.removeLast()
        #expect(!InteractionID.isComputed(last + "0", source: "mail", externalId: "1") || id.hasSuffix("0"))
    }

    @Test func digestIsPinned() {
        // Pinned: first 8 bytes of SHA-256 of the UTF-8 text (Python's hashlib); external ids of stored chats use it.
        #expect(InteractionID.digest("привет, мир".utf8) == "7ae3c8e991627c58")
        #expect(InteractionID.digest(utf8: "привет, мир") == "7ae3c8e991627c58")
        #expect(InteractionID.hex16(InteractionID.digest64(utf8: "привет, мир")) == "7ae3c8e991627c58")
        #expect(InteractionID.hex16(0x0123_4567_89ab_cdef) == "0123456789abcdef")
        #expect(InteractionID.digest(Array("привет, мир".utf8).lazy.map { $0 }) == "7ae3c8e991627c58")
    }

    @Test func interactionJSONUsesSchemaNames() throws {
        var i = sampleInteraction(1)
        i.call = CallInfo(queue: "q", agentId: "anna", waitSeconds: 4, talkSeconds: 30, outcome: .shortAbandon)
        let data = try JSONEncoder().encode(i)
        let json = try JSONParser.parse(data)
        #expect(json["occurredAt"]?.string == "2026-03-01T10:00:01.000Z")
        #expect(json["call"]?["outcome"]?.string == "short_abandon")
        #expect(json["actorRole"]?.string == "customer")
        #expect(try JSONDecoder().decode(Interaction.self, from: data) == i)
    }
}

@Suite struct IdentityTests {
    @Test(arguments: [
        ("89161234567", "RU", "+79161234567"), ("+7 (916) 123-45-67", "RU", "+79161234567"),
        ("9161234567", "RU", "+79161234567"), ("0079161234567", "RU", "+79161234567"),
        ("(415) 555-2671", "US", "+14155552671"), ("030 1234567", "DE", "+49301234567"),
    ])
    func e164(_ raw: String, _ country: String, _ expected: String) {
        #expect(PhoneNumber.e164(raw, defaultCountry: country) == expected)
    }

    @Test func extensionsAreNotPublicNumbers() {
        #expect(PhoneNumber.e164("301", defaultCountry: "RU") == nil)
        #expect(PhoneNumber.e164("anonymous", defaultCountry: "RU") == nil)
    }

    @Test func agentChannelsReduceToExtensions() {
        #expect(AgentDirectory.extensionPart(of: "SIP/301-0000002a") == "301")
        #expect(AgentDirectory.extensionPart(of: "Local/302@from-queue-00000a;1") == "302")
        #expect(AgentDirectory.extensionPart(of: "PJSIP/303") == "303")
    }
}

/// Records collected by a `@Sendable` scan callback.
final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var items: [Interaction] = []
    func append(_ i: Interaction) { lock.lock(); items.append(i); lock.unlock() }
}
