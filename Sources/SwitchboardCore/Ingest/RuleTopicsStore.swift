import Foundation

/// A stored customer message as `switchboard topics apply` reads it: its storage sequence and content.
public struct StoredMessage: Sendable {
    /// Storage order (the store's row sequence): apply walks it upwards and resumes after the last one done.
    public var seq: Int64
    public var interaction: Interaction

    public init(seq: Int64, interaction: Interaction) {
        self.seq = seq
        self.interaction = interaction
    }
}

/// New rule topics of one stored message.
public struct RuleTopicsUpdate: Sendable, Hashable {
    public var seq: Int64
    public var topics: [String]
    /// ``TopicRules/fingerprint`` of the rule set that gave them; nil clears them (no rules in the config).
    public var rules: String?

    public init(seq: Int64, topics: [String], rules: String?) {
        self.seq = seq
        self.topics = topics
        self.rules = rules
    }
}

/// A store whose rule topics can be rewritten for history (`switchboard topics apply`).
public protocol RuleTopicsStore: InteractionStore {
    /// Up to `limit` stored customer messages (`kind: message`, `actorRole: customer`) with a sequence above
    /// `after`, in storage order, with subject and text.
    func customerMessages(after seq: Int64, limit: Int) async throws -> [StoredMessage]
    /// Writes the rule topics of stored messages (by sequence) and `checkpoint`, in one transaction.
    func updateRuleTopics(_ updates: [RuleTopicsUpdate], checkpoint: Checkpoint) async throws
}
