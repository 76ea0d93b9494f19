import Foundation
import SwitchboardCore
import SwitchboardScan

/// count, mean, median, p90 (nearest rank) in calendar and business seconds, with buckets.
public struct DurationStats: Sendable, Hashable {
    public var count: Int
    public var mean: Double
    public var median: Double
    public var p90: Double
    public var businessMean: Double
    public var businessMedian: Double
    public var businessP90: Double
    /// Bucket label → count, in bucket order.
    public var buckets: [(String, Int)]

    public static func == (a: Self, b: Self) -> Bool {
        a.count == b.count && a.mean == b.mean && a.median == b.median && a.p90 == b.p90 && a.businessMean == b.businessMean
            && a.businessMedian == b.businessMedian && a.businessP90 == b.businessP90
            && a.buckets.map(\.0) == b.buckets.map(\.0) && a.buckets.map(\.1) == b.buckets.map(\.1)
    }
    public func hash(into h: inout Hasher) { h.combine(count); h.combine(mean) }

    /// nil without values. `bounds` are bucket upper limits (inclusive) in seconds.
    public static func make(calendar: [Double], business: [Double], bounds: [Double]) -> DurationStats? {
        guard !calendar.isEmpty else { return nil }
        // The two sorts are independent: side by side when they are big.
        let sorted = calendar.count > 50_000 ? Parallel.map(2) { DoubleSort.sorted($0 == 0 ? calendar : business) }
            : [DoubleSort.sorted(calendar), DoubleSort.sorted(business)]
        let c = sorted[0], b = sorted[1]
        var counts = Array(repeating: 0, count: bounds.count + 1)
        for v in calendar { counts[bounds.firstIndex { v <= $0 } ?? bounds.count] += 1 }
        var labels: [String] = []
        for (i, ub) in bounds.enumerated() {
            labels.append(i == 0 ? "<=\(label(ub))" : "\(label(bounds[i - 1]))-\(label(ub))")
        }
        labels.append(">\(label(bounds.last ?? 0))")
        return DurationStats(count: c.count, mean: mean(c), median: nearestRank(c, 0.5), p90: nearestRank(c, 0.9),
                             businessMean: mean(b), businessMedian: nearestRank(b, 0.5), businessP90: nearestRank(b, 0.9),
                             buckets: Array(zip(labels, counts)))
    }

    /// The ⌈q·n⌉-th smallest value of a sorted array.
    public static func nearestRank(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    static func mean(_ v: [Double]) -> Double { v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count) }

    /// `1h`, `90m`, `2d`, `30s`.
    static func label(_ s: Double) -> String {
        let v = Int(s)
        if v > 86400 && v % 86400 == 0 { return "\(v / 86400)d" }
        if v % 3600 == 0 && v > 0 { return "\(v / 3600)h" }
        if v % 60 == 0 && v > 0 { return "\(v / 60)m" }
        return "\(v)s"
    }
}

/// Answers of one survey family.
public struct SurveyStats: Sendable, Hashable {
    public var responses: Int
    /// CSAT: share of top-two answers; NPS: promoters − detractors in points; CES: mean score.
    public var score: Double
    /// CES: score → answers.
    public var distribution: [Double: Int]
}

/// Open message conversations at the period end.
public struct BacklogStats: Sendable, Hashable {
    public var openAtEnd: Int
    /// Age since open, bucket label → count.
    public var ageBuckets: [String: Int]
    public var ageOrder: [String]
    /// Local day → open conversations at the end of that day (or at `to`); overall only.
    public var daily: [(String, Int)]

    public static func == (a: Self, b: Self) -> Bool {
        a.openAtEnd == b.openAtEnd && a.ageBuckets == b.ageBuckets && a.daily.map(\.0) == b.daily.map(\.0) && a.daily.map(\.1) == b.daily.map(\.1)
    }
    public func hash(into h: inout Hasher) { h.combine(openAtEnd) }
}

/// Offered/answered/abandoned counts of one slice of calls.
public struct CallCounts: Sendable, Hashable {
    public var offered = 0
    public var answered = 0
    public var abandoned = 0
    /// Answered within the `phone_answer` target wait (for the service level of the slice).
    public var answeredWithin = 0

    /// answeredWithin ÷ offered; nil without offered calls.
    public var serviceLevel: Double? { offered > 0 ? Double(answeredWithin) / Double(offered) : nil }
    /// abandoned ÷ offered; nil without offered calls.
    public var abandonmentRate: Double? { offered > 0 ? Double(abandoned) / Double(offered) : nil }
}

/// Inbound calls opened in the period.
public struct PhoneStats: Sendable, Hashable {
    public var offered: Int
    public var answered: Int
    public var abandoned: Int
    public var shortAbandoned: Int
    public var abandonmentRate: Double?
    public var asa: Double?
    public var serviceLevel: Double?
    public var aht: Double?
    /// Local hour 0…23 → counts.
    public var byHour: [Int: CallCounts]
    /// 1 = Monday … 7 = Sunday → counts.
    public var byWeekday: [Int: CallCounts]
    /// Lost calls and their recovery (groups with lost calls).
    public var recovery: RecoveryStats?
    /// The weekday × hour staffing grid (overall and queue groups).
    public var staffing: StaffingStats?
}

/// Customer conversations opened in the period, ivr and short_abandon calls included.
public struct VolumeStats: Sendable, Hashable {
    public var total = 0
    public var byChannel: [String: Int] = [:]
    public var byPlatform: [String: Int] = [:]
    public var bySource: [String: Int] = [:]
    public var byDay: [String: Int] = [:]
    /// `mon` … `sun` → hour "00"…"23" → conversations.
    public var byWeekdayHour: [String: [String: Int]] = [:]
    /// Outbound-only/internal conversations started in the period, by channel.
    public var outboundByChannel: [String: Int] = [:]
}

/// One target's attainment.
public struct TargetResult: Sendable, Hashable {
    /// `frt_email`, `phone_answer`, `fcr`, `csat`.
    public var name: String
    public var target: Double
    /// Time targets: conversations within / beyond the target.
    public var within: Int?
    public var beyond: Int?
    /// Time targets: within ÷ all; rate targets: the measured rate.
    public var value: Double
    public var met: Bool
}

/// Every KPI of one group (overall, one channel, one agent, …).
public struct GroupMetrics: Sendable, Hashable {
    public var conversations = 0
    public var resolved = 0
    public var unresolved = 0
    public var resolutionRate: Double?
    public var frt: DurationStats?
    public var resolutionTime: DurationStats?
    public var fcrEligible = 0
    public var fcrCount = 0
    public var fcrRate: Double?
    public var csat: SurveyStats?
    public var nps: SurveyStats?
    public var ces: SurveyStats?
    public var backlog: BacklogStats?
    public var phone: PhoneStats?
    /// The call-stage funnel (`phone.stages`); nil without calls.
    public var phoneStages: PhoneStageStats?
    /// Agent time and transfers from queue_log agent events (`phone.agents`, `phone.transfers`); nil without any.
    public var agentTime: AgentTimeReport?
    public var volume = VolumeStats()
    /// Channel → share of conversations.
    public var channelShares: [String: Double]?
    /// Channel → customers whose most-used channel it is.
    public var preferredChannel: [String: Int]?
    public var customers = 0
    public var repeatCustomers = 0
    public var repeatContactRate: Double?
    public var targets: [TargetResult] = []
    /// Counted conversations without any topic.
    public var withoutTopic = 0

    public init() {}

    /// `mon`…`sun` by weekday number (1 = Monday; index 0 unused).
    public static let weekdayNames = ["", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]
}

/// A whole report: the period, overall metrics, breakdowns and data quality (DESIGN §6).
public struct Report: Sendable {
    public var from: Date
    public var to: Date
    public var now: Date
    public var timeZone: TimeZone
    public var overall: GroupMetrics
    /// Breakdown → (group key, metrics) sorted by key.
    public var breakdowns: [(Breakdown, [(String, GroupMetrics)])]
    public var dataQuality: [String: SourceStats]
    /// Where topics came from, and the previous period per topic when broken down by topic.
    public var topics = TopicSummary()

    public init(from: Date, to: Date, now: Date, timeZone: TimeZone, overall: GroupMetrics,
                breakdowns: [(Breakdown, [(String, GroupMetrics)])], dataQuality: [String: SourceStats]) {
        self.from = from
        self.to = to
        self.now = now
        self.timeZone = timeZone
        self.overall = overall
        self.breakdowns = breakdowns
        self.dataQuality = dataQuality
    }

    /// The groups of one breakdown, empty when the report has none.
    public func groups(_ b: Breakdown) -> [(String, GroupMetrics)] { breakdowns.first { $0.0 == b }?.1 ?? [] }
}

/// Where a report's topics came from, and the previous period per topic.
public struct TopicSummary: Sendable, Hashable {
    /// ``TopicRules/fingerprint`` of the config's `topics:` rules; nil without rules.
    public var rules: String?
    /// Stored customer messages per rule set (fingerprint) that classified them at import or by `topics apply`.
    public var ruleSets: [String: Int] = [:]
    /// With a `topic` breakdown: counted conversations per topic in the period of equal length before `from`.
    public var previous: [String: Int]?
    public var previousFrom: Date?
    public var previousTo: Date?

    public init(rules: String? = nil) { self.rules = rules }
}
