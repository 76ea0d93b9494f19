import Foundation

/// The channel a contact came through.
public enum Channel: String, Codable, Sendable, CaseIterable, Hashable {
    case email, phone, chat, social, sms, web
}

/// What an interaction is.
public enum InteractionKind: String, Codable, Sendable, CaseIterable, Hashable {
    case message, call, survey, status
}

/// Which way an interaction went, seen from the support team.
public enum Direction: String, Codable, Sendable, CaseIterable, Hashable {
    case inbound, outbound, `internal`
}

/// Who acted.
public enum ActorRole: String, Codable, Sendable, CaseIterable, Hashable {
    case customer, agent, bot, system
}

/// How a call ended (DESIGN §3, pinned per PBX in connectors/phone/README.md).
public enum CallOutcome: String, Codable, Sendable, CaseIterable, Hashable {
    case answered, abandoned
    case shortAbandon = "short_abandon"
    case missed, timeout, busy, failed, voicemail, ivr
}

/// Survey families.
public enum SurveyMetric: String, Codable, Sendable, CaseIterable, Hashable {
    case csat, nps, ces
}

/// Conversation states a `status` interaction can move to.
public enum ConversationState: String, Codable, Sendable, CaseIterable, Hashable {
    case open, pending, resolved, reopened
}

/// Call facts of a `kind: call` interaction.
public struct CallInfo: Codable, Sendable, Hashable {
    public var queue: String?
    public var agentId: String?
    public var waitSeconds: Double?
    public var talkSeconds: Double?
    public var outcome: CallOutcome

    public init(queue: String? = nil, agentId: String? = nil, waitSeconds: Double? = nil,
                talkSeconds: Double? = nil, outcome: CallOutcome) {
        self.queue = queue
        self.agentId = agentId
        self.waitSeconds = waitSeconds
        self.talkSeconds = talkSeconds
        self.outcome = outcome
    }
}

/// Survey facts of a `kind: survey` interaction.
public struct SurveyInfo: Codable, Sendable, Hashable {
    public var metric: SurveyMetric
    public var score: Double
    public var scaleMin: Double
    public var scaleMax: Double

    public init(metric: SurveyMetric, score: Double, scaleMin: Double, scaleMax: Double) {
        self.metric = metric
        self.score = score
        self.scaleMin = scaleMin
        self.scaleMax = scaleMax
    }
}

/// Status facts of a `kind: status` interaction.
public struct StatusInfo: Codable, Sendable, Hashable {
    public var to: ConversationState
    public init(to: ConversationState) { self.to = to }
}

/// One event of a customer contact: the only thing connectors produce (DESIGN §3).
///
/// JSON field names are the Swift property names (camelCase); enums encode as
/// lowercase strings; `occurredAt` encodes as ISO 8601 UTC with milliseconds.
public struct Interaction: Codable, Sendable, Hashable {
    public var id: String { didSet { idOrigin.known = false } }
    public var source: String { didSet { idOrigin.known = false } }
    public var externalId: String { didSet { idOrigin.known = false } }
    public var channel: Channel
    public var platform: String
    public var conversationKey: String
    public var kind: InteractionKind
    public var direction: Direction
    public var actorRole: ActorRole
    public var actorId: String?
    public var actorName: String?
    public var customerKey: String?
    public var occurredAt: Date
    public var call: CallInfo?
    /// Where a call ended (context, last application, queue positions, …); calls only, nil when unknown.
    public var callDetails: CallDetails?
    public var survey: SurveyInfo?
    public var status: StatusInfo?
    public var subject: String?
    public var text: String?
    public var attachments: Int
    public var provenance: String
    /// Native labels of what the contact is about, given by the source (mail keywords and folder, Gmail
    /// labels, PBX queue or DID, Slack channel, …); stored as ``Topics/normalize(_:)`` makes them.
    public var topics: [String]
    /// Topics the config's `topics:` rules gave this interaction (customer messages only), set by the
    /// ingest sink or `switchboard topics apply`; not part of the JSON form.
    public var ruleTopics: [String] = []
    /// ``TopicRules/fingerprint`` of the rule set that gave ``ruleTopics``; nil when no rules were applied.
    public var topicRules: String?
    /// Whether the initializer computed `id` itself; takes part in neither equality, hashing nor coding.
    private var idOrigin = IDOrigin(known: false)

    /// True when `id` is known to be ``InteractionID/make(source:externalId:)`` of this interaction's
    /// source and externalId without hashing again: the initializer computed it (no `id` was given)
    /// and none of the three has been set since. False means "not known": the id may still be the
    /// computed one (a given id equal to the hash, or fields set after the init); check with
    /// ``InteractionID/isComputed(_:source:externalId:)``.
    public var idIsKnownComputed: Bool { idOrigin.known }

    /// Creates an interaction; `id` defaults to the stable hash of (source, externalId).
    public init(
        id: String? = nil, source: String, externalId: String, channel: Channel, platform: String,
        conversationKey: String, kind: InteractionKind, direction: Direction, actorRole: ActorRole,
        actorId: String? = nil, actorName: String? = nil, customerKey: String? = nil,
        occurredAt: Date, call: CallInfo? = nil, callDetails: CallDetails? = nil, survey: SurveyInfo? = nil, status: StatusInfo? = nil,
        subject: String? = nil, text: String? = nil, attachments: Int = 0, provenance: String, topics: [String] = []
    ) {
        self.id = id ?? InteractionID.make(source: source, externalId: externalId)
        idOrigin.known = id == nil
        self.source = source
        self.externalId = externalId
        self.channel = channel
        self.platform = platform
        self.conversationKey = conversationKey
        self.kind = kind
        self.direction = direction
        self.actorRole = actorRole
        self.actorId = actorId
        self.actorName = actorName
        self.customerKey = customerKey
        self.occurredAt = Timestamp.truncatedToMilliseconds(occurredAt)
        self.call = call
        self.callDetails = callDetails
        self.survey = survey
        self.status = status
        self.subject = subject
        self.text = text
        self.attachments = attachments
        self.provenance = provenance
        self.topics = topics
    }

    enum CodingKeys: String, CodingKey {
        case id, source, externalId, channel, platform, conversationKey, kind, direction, actorRole
        case actorId, actorName, customerKey, occurredAt, call, callDetails, survey, status, subject, text
        case attachments, provenance, topics
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        source = try c.decode(String.self, forKey: .source)
        externalId = try c.decode(String.self, forKey: .externalId)
        if let given = try c.decodeIfPresent(String.self, forKey: .id) {
            id = given
        } else {
            id = InteractionID.make(source: source, externalId: externalId)
            idOrigin.known = true
        }
        channel = try c.decode(Channel.self, forKey: .channel)
        platform = try c.decode(String.self, forKey: .platform)
        conversationKey = try c.decode(String.self, forKey: .conversationKey)
        kind = try c.decode(InteractionKind.self, forKey: .kind)
        direction = try c.decode(Direction.self, forKey: .direction)
        actorRole = try c.decode(ActorRole.self, forKey: .actorRole)
        actorId = try c.decodeIfPresent(String.self, forKey: .actorId)
        actorName = try c.decodeIfPresent(String.self, forKey: .actorName)
        customerKey = try c.decodeIfPresent(String.self, forKey: .customerKey)
        let stamp = try c.decode(String.self, forKey: .occurredAt)
        guard let date = Timestamp.parseISO8601(stamp) else {
            throw DecodingError.dataCorruptedError(forKey: .occurredAt, in: c,
                debugDescription: "expected an ISO 8601 timestamp with offset, got \(stamp)")
        }
        occurredAt = date
        call = try c.decodeIfPresent(CallInfo.self, forKey: .call)
        callDetails = try c.decodeIfPresent(CallDetails.self, forKey: .callDetails)
        survey = try c.decodeIfPresent(SurveyInfo.self, forKey: .survey)
        status = try c.decodeIfPresent(StatusInfo.self, forKey: .status)
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        attachments = try c.decodeIfPresent(Int.self, forKey: .attachments) ?? 0
        provenance = try c.decodeIfPresent(String.self, forKey: .provenance) ?? ""
        topics = try c.decodeIfPresent([String].self, forKey: .topics) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(source, forKey: .source)
        try c.encode(externalId, forKey: .externalId)
        try c.encode(channel, forKey: .channel)
        try c.encode(platform, forKey: .platform)
        try c.encode(conversationKey, forKey: .conversationKey)
        try c.encode(kind, forKey: .kind)
        try c.encode(direction, forKey: .direction)
        try c.encode(actorRole, forKey: .actorRole)
        try c.encodeIfPresent(actorId, forKey: .actorId)
        try c.encodeIfPresent(actorName, forKey: .actorName)
        try c.encodeIfPresent(customerKey, forKey: .customerKey)
        try c.encode(Timestamp.formatISO8601(occurredAt), forKey: .occurredAt)
        try c.encodeIfPresent(call, forKey: .call)
        try c.encodeIfPresent(callDetails, forKey: .callDetails)
        try c.encodeIfPresent(survey, forKey: .survey)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodeIfPresent(subject, forKey: .subject)
        try c.encodeIfPresent(text, forKey: .text)
        try c.encode(attachments, forKey: .attachments)
        try c.encode(provenance, forKey: .provenance)
        if !topics.isEmpty { try c.encode(topics, forKey: .topics) }
    }
}

/// Where an interaction's id came from, carried beside the value without being
/// part of it: every two origins compare equal and hash to nothing, so
/// ``Interaction``'s equality and hashing stay those of its visible fields.
struct IDOrigin: Hashable, Sendable {
    /// The id is the hash of (source, externalId), computed by the initializer.
    var known: Bool

    static func == (_: IDOrigin, _: IDOrigin) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}
