import Foundation

/// `switchboard topics apply`: brings the rule topics of every stored customer message to the config's
/// current rule set, so history is classified as new imports are.
///
/// - Idempotent: a message already classified by the same rule set (same fingerprint) is left as it is
///   (the same rules give the same topics); a second run changes nothing.
/// - Resumable: the last sequence done is committed with each batch of updates (checkpoint
///   ``checkpointSource``); a run stopped half-way continues after it, and ends with the same topics
///   as an uninterrupted run.
/// - Flat memory: messages are read and written in batches in storage order.
/// - A message stored without subject and text (`privacy.store_text: false`) cannot be matched again:
///   it keeps the rule topics it got at import.
/// - With no rules in the config, stored rule topics are cleared.
public struct TopicsApply: Sendable {
    /// The checkpoint's source name (':' never occurs in a connector name, so it cannot clash).
    public static let checkpointSource = "topics:apply"

    /// Counts of one run.
    public struct Summary: Sendable, Hashable, Encodable {
        /// Customer messages read.
        public var read = 0
        /// Messages whose rule topics changed.
        public var changed = 0
        /// Messages re-stamped with the current rule set, their topics unchanged.
        public var restamped = 0
        /// Already classified by the current rule set.
        public var current = 0
        /// Without subject and text: left with the topics they have.
        public var withoutText = 0
        /// The sequence a resumed run started after (0 for a fresh run).
        public var resumedAfter: Int64 = 0
    }

    struct State: Codable {
        var rules: String
        var seq: Int64
        var done: Bool
    }

    public var rules: TopicRules
    public var batchSize: Int

    public init(rules: TopicRules, batchSize: Int = 5000) {
        self.rules = rules
        self.batchSize = max(1, batchSize)
    }

    /// Runs to the end of the store; `progress` is called after every batch, `afterBatch` with the number
    /// of batches committed (an error it throws stops the run there, as a crash would).
    public func run(store: any RuleTopicsStore, progress: (Summary) -> Void = { _ in },
                    afterBatch: (Int) throws -> Void = { _ in }) async throws -> Summary {
        var summary = Summary()
        var seq: Int64 = 0
        if let cp = try await store.checkpoint(source: Self.checkpointSource), let state = try? cp.decode(State.self),
           state.rules == rules.fingerprint, !state.done {
            seq = state.seq
            summary.resumedAfter = seq
        }
        var batches = 0
        while true {
            let messages = try await store.customerMessages(after: seq, limit: batchSize)
            guard let last = messages.last else { break }
            var updates: [RuleTopicsUpdate] = []
            for m in messages {
                summary.read += 1
                let i = m.interaction
                if rules.isEmpty {
                    guard i.topicRules != nil || !i.ruleTopics.isEmpty else { summary.current += 1; continue }
                    updates.append(RuleTopicsUpdate(seq: m.seq, topics: [], rules: nil))
                    summary.changed += i.ruleTopics.isEmpty ? 0 : 1
                    summary.restamped += i.ruleTopics.isEmpty ? 1 : 0
                    continue
                }
                if i.topicRules == rules.fingerprint { summary.current += 1; continue }
                if i.subject == nil && i.text == nil { summary.withoutText += 1; continue }
                let topics = Topics.normalize(IngestPolicy.classify(i, rules: rules).ruleTopics)
                updates.append(RuleTopicsUpdate(seq: m.seq, topics: topics, rules: rules.fingerprint))
                if topics == i.ruleTopics { summary.restamped += 1 } else { summary.changed += 1 }
            }
            seq = last.seq
            try await store.updateRuleTopics(updates, checkpoint: try checkpoint(seq: seq, done: false))
            batches += 1
            progress(summary)
            try afterBatch(batches)
        }
        try await store.updateRuleTopics([], checkpoint: try checkpoint(seq: seq, done: true))
        return summary
    }

    /// When the last run that went to the end finished, from its checkpoint (nil: none did, or one is under way).
    /// `serve`'s live state builds itself again when this changes (docs/live.md).
    public static func finishedAt(_ checkpoint: Checkpoint?) -> Date? {
        guard let checkpoint, let state = try? checkpoint.decode(State.self), state.done else { return nil }
        return checkpoint.updatedAt
    }

    func checkpoint(seq: Int64, done: Bool) throws -> Checkpoint {
        try Checkpoint(source: Self.checkpointSource, encoding: State(rules: rules.fingerprint, seq: seq, done: done))
    }
}
