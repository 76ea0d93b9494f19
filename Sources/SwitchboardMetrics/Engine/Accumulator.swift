import Foundation
import SwitchboardCore
import SwitchboardScan

/// One group's KPI parts (overall, one channel, one agent, …), filled while conversations and surveys
/// are walked, merged part by part of the walk, then finished into a ``GroupMetrics``. Each KPI family
/// is one ``KPIPart``; this class only holds them and hands every event to the families that read it.
final class Accumulator {
    // Each accumulator is filled by one part of the walk and never lends a property out across calls,
    // so the run-time exclusivity checks (one per property access, a measurable share of the walk) are off.
    @exclusivity(unchecked) var volume = VolumePart()
    @exclusivity(unchecked) var resolution = ResolutionPart()
    @exclusivity(unchecked) var frt = FRTPart()
    @exclusivity(unchecked) var fcr = FCRPart()
    @exclusivity(unchecked) var phone = PhonePart()
    @exclusivity(unchecked) var recovery = RecoveryPart()
    @exclusivity(unchecked) var staffing = StaffingPart()
    @exclusivity(unchecked) var stages = StagePart()
    @exclusivity(unchecked) var surveys = SurveyPart()
    @exclusivity(unchecked) var backlog = BacklogPart()
    @exclusivity(unchecked) var customers: CustomerPart
    @exclusivity(unchecked) var topics = TopicPart()

    init(customers: Int, layout: CustomerPart.Layout, trackBacklog: Bool) {
        self.customers = CustomerPart(customers: customers, layout: layout)
        backlog.track = trackBacklog
    }

    /// An empty accumulator of the same kind as `o` (a breakdown group's), to merge kept values into without changing them.
    convenience init(emptyLike o: Accumulator) {
        self.init(customers: 0, layout: .sparse, trackBacklog: o.backlog.track)
        staffing.track = o.staffing.track
    }

    /// A customer conversation opened in the period (any conversation that counts in volume).
    func addVolume(_ c: Conversation, day: Int, hour: Int, weekday: Int) { volume.add(c, day: day, hour: hour, weekday: weekday) }

    /// A conversation without a customer, by its first interaction's time.
    func addOutbound(_ c: Conversation) { volume.addOutbound(c) }

    /// A conversation counted in `conversations`.
    func addConversation(_ c: Conversation, open: Date, fcr verdict: FCRVerdict, calendar: BusinessCalendar, hasTopic: Bool) {
        resolution.add(c, open: open, calendar: calendar)
        frt.add(c, open: open, calendar: calendar)
        fcr.add(c, verdict: verdict)
        customers.add(c)
        topics.add(hasTopic: hasTopic)
    }

    /// An inbound call conversation opened in the period (any outcome).
    func addCall(_ c: Conversation, hour: Int, weekday: Int, answerWithin: Double) {
        phone.add(c, hour: hour, weekday: weekday, answerWithin: answerWithin)
    }

    /// The same call in the stage funnel: it reached stage `reached` of `stages` (-1: none; ``StageMatcher``).
    func addStages(_ c: Conversation, reached: Int, stages count: Int, hour: Int, weekday: Int) {
        if let call = c.call { stages.add(call, reached: reached, stages: count, hour: hour, weekday: weekday) }
    }

    /// A lost call opened in the period, with what became of it.
    func addLostCall(_ c: Conversation, _ v: RecoveryVerdict, day: Int) { recovery.add(c, v, day: day) }

    /// An inbound call opened in the period, in its concrete local hour (staffing groups only).
    func addStaffing(_ c: Conversation, day: Int, hour: Int, answerWithin: Double) {
        staffing.add(c, day: day, hour: hour, answerWithin: answerWithin)
    }

    func addSurvey(_ s: SurveyInfo) { surveys.add(s) }

    func addBacklog(open: Date) { backlog.add(open: open) }

    /// Gives back the spare capacity of every family's lists (kept for later reports).
    func compact() {
        volume.compact(); resolution.compact(); frt.compact(); fcr.compact(); phone.compact(); recovery.compact()
        staffing.compact(); stages.compact(); surveys.compact(); backlog.compact(); customers.compact(); topics.compact()
    }

    /// Makes room in every family's lists for the values of `others`, about to be merged in.
    func reserve(for others: [Accumulator]) {
        volume.reserve(for: others.map(\.volume)); resolution.reserve(for: others.map(\.resolution))
        frt.reserve(for: others.map(\.frt)); fcr.reserve(for: others.map(\.fcr)); phone.reserve(for: others.map(\.phone))
        recovery.reserve(for: others.map(\.recovery)); staffing.reserve(for: others.map(\.staffing))
        stages.reserve(for: others.map(\.stages)); surveys.reserve(for: others.map(\.surveys))
        backlog.reserve(for: others.map(\.backlog)); customers.reserve(for: others.map(\.customers))
        topics.reserve(for: others.map(\.topics))
    }

    /// Adds another part's values after this one's (lists keep part order).
    func merge(_ o: Accumulator) {
        volume.merge(o.volume)
        resolution.merge(o.resolution)
        frt.merge(o.frt)
        fcr.merge(o.fcr)
        phone.merge(o.phone)
        recovery.merge(o.recovery)
        staffing.merge(o.staffing)
        stages.merge(o.stages)
        surveys.merge(o.surveys)
        backlog.merge(o.backlog)
        customers.merge(o.customers)
        topics.merge(o.topics)
    }

    /// The group's metrics. Targets are listed in family order: FRT per channel, phone answer, FCR, CSAT.
    func finish(settings: MetricsSettings, daily: [(String, Int)], name: @escaping (Int32) -> String, to: Date,
                period: (from: Date, to: Date)? = nil, loggedIn: (any LoggedInAgents)? = nil) -> GroupMetrics {
        let c = FinishContext(settings: settings, daily: daily, name: name, to: to, period: period, loggedIn: loggedIn)
        var g = GroupMetrics()
        volume.finish(into: &g, c)
        resolution.finish(into: &g, c)
        frt.finish(into: &g, c)
        phone.finish(into: &g, c)
        recovery.finish(into: &g, c)
        staffing.finish(into: &g, c)
        stages.finish(into: &g, c)
        fcr.finish(into: &g, c)
        surveys.finish(into: &g, c)
        backlog.finish(into: &g, c)
        customers.finish(into: &g, c)
        topics.finish(into: &g, c)
        return g
    }
}

extension Channel {
    /// Number of channels.
    static let count = allCases.count

    /// Position in ``Channel/allCases`` (the schema order).
    var order: Int {
        switch self {
        case .email: return 0
        case .phone: return 1
        case .chat: return 2
        case .social: return 3
        case .sms: return 4
        case .web: return 5
        }
    }
}
