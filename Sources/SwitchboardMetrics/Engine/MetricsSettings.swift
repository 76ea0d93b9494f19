import Foundation
import SwitchboardCore

/// Everything the metrics read from the config, with DESIGN §9 defaults.
public struct MetricsSettings: Sendable {
    /// `business_hours`; nil means business time equals calendar time (open 24/7).
    public var businessHours: BusinessHoursSettings?
    /// The zone days, weeks, months, hours and weekdays are read in: business_hours.timezone, else `timezone`.
    public var timeZone: TimeZone
    public var idleAfter: Double = 72 * 3600
    public var repeatWindow: Double = 7 * 86400
    /// How far back a survey without a matching conversationKey looks for the customer's conversation.
    public var surveyWindow: Double = 7 * 86400
    public var shortAbandon: Double = 5
    /// `phone.stages` (else the defaults): the call-stage funnel's stages in call order, before the final `agent` stage.
    public var stages: [PhoneStage] = PhoneStage.defaults
    /// `phone.recovery_window`: how long after a lost call a callback or a return recovers it.
    public var recoveryWindow: Double = 86400
    /// `phone.shrinkage`: the share of rostered time not on the phones (staffing).
    public var shrinkage: Double = 0.30
    public var targets = TargetSettings()
    /// Upper bounds of the FRT buckets in seconds (the last bucket is open-ended).
    public var frtBuckets: [Double] = [3600, 7200, 21600, 43200, 86400]
    /// Upper bounds of the backlog age buckets in seconds.
    public var backlogAgeBuckets: [Double] = [86400, 3 * 86400, 7 * 86400, 30 * 86400]
    /// Share of conversations within a time target for the target to count as met.
    public var attainmentGoal: Double = 0.8
    public var links = CustomerLinks()
    /// ``TopicRules/fingerprint`` of the config's topic rules ("" without rules), named in the report.
    public var topicRuleSet = ""
    /// `privacy.hash_identities`: customer identities shown in conversation lists are hashed (as stored).
    public var hashIdentities = false

    public init(businessHours: BusinessHoursSettings? = nil, timeZone: TimeZone? = nil) {
        self.businessHours = businessHours
        self.timeZone = timeZone ?? businessHours?.timeZone ?? TimeZone(identifier: "UTC")!
    }

    /// Settings from a loaded config; reads `customers.links` relative to the config file.
    /// - Throws: ``MetricsError`` when the links file cannot be read.
    public init(config: SwitchboardConfig) throws {
        self.init(businessHours: config.businessHours, timeZone: config.businessHours?.timeZone ?? config.timeZone)
        idleAfter = config.resolutionIdleAfter
        repeatWindow = config.fcrRepeatWindow
        shortAbandon = config.phone.shortAbandon
        stages = config.phone.effectiveStages
        recoveryWindow = config.phone.recoveryWindow
        shrinkage = config.phone.shrinkage
        targets = config.targets
        topicRuleSet = config.topicRules.fingerprint
        hashIdentities = config.privacy.hashIdentities
        if let path = config.customerLinks {
            links = try CustomerLinks(contentsOf: config.resolve(path: path), defaultCountry: config.phone.defaultCountry)
        }
    }
}

/// What to report: the period, "now", breakdowns and filters.
public struct ReportRequest: Sendable {
    /// Start of the period (inclusive); nil: the first conversation's local midnight.
    public var from: Date?
    /// End of the period (exclusive); nil: `now`.
    public var to: Date?
    /// Fixes "now" for inferred resolutions and the backlog, so reports are reproducible.
    public var now: Date
    public var by: [Breakdown]
    /// Filters by breakdown name (``Breakdown/filters``): the group labels let through; absent or empty = all.
    /// A conversation passes when one of its values is listed (agents match the owner; topics any topic).
    public var filters: [String: Set<String>]

    public init(from: Date? = nil, to: Date? = nil, now: Date, by: [Breakdown] = [], channels: Set<Channel> = [],
                sources: Set<String> = [], agents: Set<String> = [], topics: Set<String> = [], queues: Set<String> = []) {
        self.from = from
        self.to = to
        self.now = now
        self.by = by
        filters = [:]
        self.channels = channels
        self.sources = sources
        self.agents = agents
        self.topics = topics
        self.queues = queues
    }

    private func values(_ name: String) -> Set<String> { filters[name] ?? [] }
    private mutating func set(_ name: String, _ values: Set<String>) { filters[name] = values.isEmpty ? nil : values }

    public var channels: Set<Channel> {
        get { Set(values("channel").compactMap(Channel.init(rawValue:))) }
        set { set("channel", Set(newValue.map(\.rawValue))) }
    }
    public var sources: Set<String> { get { values("source") } set { set("source", newValue) } }
    public var agents: Set<String> { get { values("agent") } set { set("agent", newValue) } }
    public var topics: Set<String> { get { values("topic") } set { set("topic", newValue) } }
    public var queues: Set<String> { get { values("queue") } set { set("queue", newValue) } }
}
