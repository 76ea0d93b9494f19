import Foundation

/// What the ingest side does to every interaction before it is stored, whatever the connector:
/// first the config's topic rules (they read the subject and text), then the privacy settings
/// (which may drop that text). So `privacy.store_text: false` still keeps rule topics.
public struct IngestPolicy: Sendable {
    public var privacy: PrivacySettings
    public var topicRules: TopicRules

    public init(privacy: PrivacySettings = PrivacySettings(), topicRules: TopicRules = .empty) {
        self.privacy = privacy
        self.topicRules = topicRules
    }

    /// Whether every interaction is stored as it is.
    public var isIdentity: Bool { privacy.isIdentity && topicRules.isEmpty }

    /// The interaction as it is stored.
    public func apply(to interaction: Interaction) -> Interaction {
        guard !topicRules.isEmpty else { return privacy.apply(to: interaction) }
        return privacy.apply(to: Self.classify(interaction, rules: topicRules))
    }

    /// Rules are matched on customer messages only (subject and text); other interactions are left as
    /// they are. The fingerprint of the rule set is recorded on every message it was matched on, with
    /// or without a match, so a report can say which rule set gave its topics.
    public static func classify(_ interaction: Interaction, rules: TopicRules) -> Interaction {
        guard interaction.kind == .message, interaction.actorRole == .customer else { return interaction }
        var i = interaction
        i.ruleTopics = rules.match(subject: i.subject, text: i.text, channel: i.channel, source: i.source, queue: i.call?.queue,
                                   mailbox: rules.readsMailbox ? TopicRules.mailbox(fromProvenance: i.provenance) : nil)
        i.topicRules = rules.fingerprint
        return i
    }
}

extension SwitchboardConfig {
    /// The config's privacy settings and compiled topic rules.
    public var ingestPolicy: IngestPolicy { IngestPolicy(privacy: privacy, topicRules: topicRules) }
}
