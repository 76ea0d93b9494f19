import Foundation
import SwitchboardCore
import SwitchboardScan
import SwitchboardStore
import Testing

/// `switchboard topics apply` on every backend: history reclassified, idempotent, resumable.
@Suite(.timeLimit(.minutes(10))) struct TopicsApplyTests {
    static let texts = ["Where is my invoice?", "Проблема с оплатой картой", "החזר כספי בבקשה", "hello", "refund please", "order 17 late"]

    /// Customer messages with text (one without: privacy dropped it), an agent reply, and a call.
    static func history(_ n: Int) -> [Interaction] {
        var out: [Interaction] = []
        for k in 0..<n {
            var i = Interaction(source: "mail", externalId: "m\(k)", channel: .email, platform: "imap", conversationKey: "c\(k % 40)",
                                kind: .message, direction: .inbound, actorRole: .customer, customerKey: "u\(k % 7)",
                                occurredAt: Date(timeIntervalSince1970: 1_772_359_200 + Double(k) * 60),
                                subject: k % 5 == 0 ? "Invoice question" : nil, text: k % 9 == 8 ? nil : texts[k % texts.count],
                                provenance: "imap://host/INBOX;UIDVALIDITY=1;UID=\(k)")
            if k % 3 == 0 {
                i.actorRole = .agent
                i.direction = .outbound
            }
            out.append(i)
        }
        return out
    }

    static let old = try! TopicRules([TopicRule(name: "billing", keywords: ["invoice"])])
    static let new = try! TopicRules([
        TopicRule(name: "billing", keywords: ["invoice*", "оплат*"]),
        TopicRule(name: "returns", regex: "(?i)\\b(refund|החזר)"),
    ])

    /// Stores `history` classified by the old rules at import, as the ingest side does.
    func filled(_ backend: Backend, count: Int = 300) async throws -> (ScratchStore, any RuleTopicsStore) {
        let tmp = try await ScratchStore(backend)
        let store = try #require(try await tmp.open() as? any RuleTopicsStore)
        let policy = IngestPolicy(topicRules: Self.old)
        _ = try await store.write(IngestBatch(source: "mail", interactions: Self.history(count).map(policy.apply(to:))))
        return (tmp, store)
    }

    /// Every stored interaction's rule topics and rule set, in storage order.
    func ruleTopics(_ store: any InteractionStore) async throws -> [String] {
        let box = Lines()
        try await store.scan(InteractionQuery(order: .time)) { box.add("\($0.externalId) \($0.ruleTopics) \($0.topicRules ?? "-")") }
        return box.lines
    }

    @Test(arguments: Backend.allCases) func applyReclassifiesHistoryOnceAndIsIdempotent(_ backend: Backend) async throws {
        let (tmp, store) = try await filled(backend)
        _ = tmp
        let first = try await TopicsApply(rules: Self.new, batchSize: 64).run(store: store)
        let customers = Self.history(300).filter { $0.actorRole == .customer }
        let silent = customers.filter { $0.subject == nil && $0.text == nil }
        #expect(first.read == 200)                  // two thirds of 300 are customer messages
        #expect(first.withoutText == silent.count && silent.count > 0)
        #expect(first.changed > 0 && first.changed + first.restamped + first.withoutText == first.read)
        let after = try await ruleTopics(store)
        // Each message with a subject or text now carries exactly what the new rules give it; the others
        // keep what the old rules gave them at import.
        for i in customers {
            let rules = i.subject == nil && i.text == nil ? Self.old : Self.new
            let expected = IngestPolicy.classify(i, rules: rules)
            #expect(after.contains("\(i.externalId) \(Topics.normalize(expected.ruleTopics)) \(rules.fingerprint)"), "\(i.externalId)")
        }
        #expect(after.contains("m3 [] -"))          // an agent message is never classified
        let again = try await TopicsApply(rules: Self.new, batchSize: 64).run(store: store)
        #expect(again.read == 200 && again.current == 200 - silent.count && again.withoutText == silent.count)
        #expect(again.changed == 0 && again.restamped == 0 && again.resumedAfter == 0)
        #expect(try await ruleTopics(store) == after)
        // The metrics scan counts stored messages per rule set.
        let scan = try await (store as! any MetricsStore).scanMetrics()
        let sets = Dictionary(uniqueKeysWithValues: scan.ruleSets.map { (scan.names.string($0.key), $0.value) })
        #expect(sets == [Self.new.fingerprint: 200 - silent.count, Self.old.fingerprint: silent.count])
    }

    @Test(arguments: Backend.allCases) func aRunStoppedHalfWayResumesAndEndsLikeAnUninterruptedOne(_ backend: Backend) async throws {
        let (tmpA, interrupted) = try await filled(backend)
        let (tmpB, whole) = try await filled(backend)
        _ = (tmpA, tmpB)
        struct Stop: Error {}
        await #expect(throws: Stop.self) {
            _ = try await TopicsApply(rules: Self.new, batchSize: 30).run(store: interrupted, afterBatch: { n in
                if n == 3 { throw Stop() }
            })
        }
        let resumed = try await TopicsApply(rules: Self.new, batchSize: 30).run(store: interrupted)
        #expect(resumed.resumedAfter > 0 && resumed.read < 200)
        _ = try await TopicsApply(rules: Self.new, batchSize: 30).run(store: whole)
        #expect(try await ruleTopics(interrupted) == ruleTopics(whole))
    }

    @Test(arguments: Backend.allCases) func messagesWithoutStoredTextKeepTheirTopicsAndNoRulesClearThem(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try #require(try await tmp.open() as? any RuleTopicsStore)
        let policy = IngestPolicy(privacy: PrivacySettings(storeText: false), topicRules: Self.old)
        _ = try await store.write(IngestBatch(source: "mail", interactions: Self.history(30).map(policy.apply(to:))))
        let before = try await ruleTopics(store)
        #expect(before.contains("m5 [\"billing\"] \(Self.old.fingerprint)"))   // matched at import, text then dropped
        let kept = try await TopicsApply(rules: Self.new).run(store: store)
        #expect(kept.withoutText == 20 && kept.changed == 0)
        #expect(try await ruleTopics(store) == before)
        let cleared = try await TopicsApply(rules: .empty).run(store: store)
        #expect(cleared.read == 20)
        #expect(try await ruleTopics(store).allSatisfy { $0.hasSuffix("[] -") })
    }
}

final class Lines: @unchecked Sendable {
    var lines: [String] = []
    func add(_ s: String) { lines.append(s) }
}
