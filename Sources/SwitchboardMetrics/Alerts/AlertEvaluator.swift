import Foundation
import SwitchboardCore

/// What the alert rules read from the store besides the conversations: recent pull runs and dead letters.
public struct AlertStoreFacts: Sendable {
    /// Per pull source, its recent runs, newest first (``InteractionStore/runs(source:limit:)``).
    public var runs: [String: [IngestRun]]
    /// When recent dead letters were written, newest first, by source ("" for every source).
    public var deadLetters: [String: [Date]]

    public init(runs: [String: [IngestRun]] = [:], deadLetters: [String: [Date]] = [:]) {
        self.runs = runs
        self.deadLetters = deadLetters
    }
}

/// Evaluates the `alerts:` rules on a ``Dataset`` (conversations rebuilt as of `now`) and the store's facts.
/// Pure and cheap: one pass over the conversations per evaluation.
///
/// - `frt_at_risk`: a customer-initiated message conversation, not resolved, without an agent reply, waiting
///   at least `warn_at` × its channel's `targets.frt` → `warning`; longer than the target → `breached`.
///   Conversations waiting longer than `max(resolution.idle_after, 2 × target)` are no longer watched.
/// - `frt_breached`: the same conversation once it waits longer than the target → `breached`.
/// - `backlog_above`: open message conversations now (the report's backlog), filtered by channel, source and
///   topic, more than `threshold`.
/// - `abandonment_above`: inbound calls opened in the last `window`; offered = answered, abandoned, missed, timeout;
///   abandoned ÷ offered above `threshold` with at least `min_offered` offered.
/// - `source_failing`: the last `failures` finished runs of a pull source all failed (one alert per source).
/// - `dead_letters_above`: more than `threshold` dead letters written in the last `window`.
public struct AlertEvaluator: Sendable {
    public let rules: [AlertRule]
    public let settings: MetricsSettings

    public init(rules: [AlertRule], settings: MetricsSettings) {
        self.rules = rules
        self.settings = settings
    }

    /// - Parameter open: the open alerts, so conversation alerts that clear get the facts of their clearing.
    public func evaluate(_ data: Dataset, facts: AlertStoreFacts, now: Date, open: [AlertRecord] = []) -> AlertEvaluation {
        let calendar = BusinessCalendar(hours: settings.businessHours)
        let inHours = calendar.isOpen(now)
        var findings: [AlertFinding] = []
        var evaluated: Set<String> = []
        var measured: [Measured] = []
        let opened = Set(open.map { AlertEvaluation.key($0.alert, $0.subject) })
        for rule in rules where !rule.businessHoursOnly || inHours {
            evaluated.insert(rule.name)
            switch rule.rule {
            case .frtAtRisk, .frtBreached: findings += waiting(rule, data, now: now)
            case .backlogAbove: measured += backlog(rule, data, now: now)
            case .abandonmentAbove: measured += abandonment(rule, data, now: now)
            case .sourceFailing: measured += failing(rule, facts)
            case .deadLettersAbove: measured += deadLetters(rule, facts, now: now)
            }
        }
        // A breached condition holds until its value falls to `clear_below` (hysteresis), a new one fires above `threshold`.
        for k in measured.indices where opened.contains(AlertEvaluation.key(measured[k].finding.alert, measured[k].finding.subject)) {
            measured[k].firing = measured[k].holding
        }
        findings += measured.filter(\.firing).map(\.finding)
        var evaluation = AlertEvaluation(findings: findings, evaluated: evaluated)
        (evaluation.clearing, evaluation.silent) = clearing(open, findings: findings, data)
        // A condition that clears is described as measured now (its value under the threshold).
        for m in measured where !m.firing { evaluation.clearing[AlertEvaluation.key(m.finding.alert, m.finding.subject)] = m.finding.facts }
        return evaluation
    }

    /// A condition as measured at one evaluation: whether it is beyond its threshold, and whether it is still beyond
    /// its `clear_below` (what keeps an alert already breached open; the same when the rule has none).
    struct Measured {
        var finding: AlertFinding
        var firing: Bool
        var holding: Bool

        init(finding: AlertFinding, firing: Bool, holding: Bool? = nil) {
            self.finding = finding
            self.firing = firing
            self.holding = holding ?? firing
        }
    }

    /// For open conversation alerts without a finding now: the conversation's facts as they are (its agent).
    private func clearing(_ open: [AlertRecord], findings: [AlertFinding], _ data: Dataset) -> ([String: AlertFacts], Set<String>) {
        let current = Set(findings.map { AlertEvaluation.key($0.alert, $0.subject) })
        var wanted: [Int64: [(key: String, facts: AlertFacts)]] = [:]
        for r in open where AlertRuleKind(rawValue: r.rule)?.perConversation == true && !current.contains(AlertEvaluation.key(r.alert, r.subject)) {
            guard let source = r.facts.source, let key = r.facts.conversationKey,
                  let s = data.tables.names.find(source), let k = data.tables.keys.find(key) else { continue }
            wanted[Int64(s) << 32 | Int64(UInt32(bitPattern: k)), default: []].append((AlertEvaluation.key(r.alert, r.subject), r.facts))
        }
        guard !wanted.isEmpty else { return ([:], []) }
        var out: [String: AlertFacts] = [:]
        var silent = Set<String>()
        for c in data.conversations {
            let id = Int64(c.source) << 32 | Int64(UInt32(bitPattern: data.tables.conversationKey[Int(c.number)]))
            guard let alerts = wanted[id] else { continue }
            for (key, known) in alerts {
                var facts = known
                let agent = c.firstResponder >= 0 ? c.firstResponder : c.lastAgent
                facts.agent = (agent >= 0 ? data.name(agent) : nil).flatMap { $0.isEmpty ? nil : $0 } ?? facts.agent
                if let reply = c.firstResponseAt {
                    facts.detail = "first response at \(Timestamp.formatISO8601(reply))"
                    // Said in the notice, so a breach that happened while no instance was running is not lost.
                    if let since = facts.waitingSince, let target = facts.targetSeconds, reply.timeIntervalSince(since) > target {
                        facts.detail! += ", after the first-response target of \(AlertMessage.duration(target)) (breached)"
                    }
                }
                else if c.resolved { facts.detail = "resolved without a reply" }
                else {
                    facts.detail = "no longer watched: waiting longer than resolution.idle_after and twice the target"
                    silent.insert(key)
                }
                out[key] = facts
            }
        }
        return (out, silent)
    }

    /// The subject of a conversation alert.
    public static func subject(source: String, key: String) -> String { "\(source)/\(key)" }

    private func waiting(_ rule: AlertRule, _ data: Dataset, now: Date) -> [AlertFinding] {
        var out: [AlertFinding] = []
        let source = rule.source.flatMap { data.tables.names.find($0) }
        if rule.source != nil && source == nil { return [] }
        for c in data.conversations {
            guard c.call == nil, c.customerInitiated, c.firstResponseAt == nil, !c.resolved, let opened = c.openedAt else { continue }
            guard rule.channels.isEmpty || rule.channels.contains(c.channel), let target = settings.targets.frt[c.channel] else { continue }
            if let source, c.source != source { continue }
            let age = now.timeIntervalSince(opened)
            guard age <= max(settings.idleAfter, 2 * target) else { continue }
            let state: AlertState
            if age > target { state = .breached }
            else if rule.rule == .frtAtRisk && age >= rule.warnAt * target { state = .warning }
            else { continue }
            let sourceName = data.source(of: c), key = data.key(of: c)
            let agent = c.lastAgent >= 0 ? data.name(c.lastAgent) : nil
            out.append(AlertFinding(alert: rule.name, rule: rule.rule, subject: Self.subject(source: sourceName, key: key), episode: opened,
                                    state: state, facts: AlertFacts(source: sourceName, conversationKey: key,
                                                                    customer: data.customerName(c.customer), channel: c.channel.rawValue,
                                                                    waitingSince: opened, agent: agent.flatMap { $0.isEmpty ? nil : $0 },
                                                                    targetSeconds: target)))
        }
        return out
    }

    private func backlog(_ rule: AlertRule, _ data: Dataset, now: Date) -> [Measured] {
        let source = rule.source.flatMap { data.tables.names.find($0) }
        let topicLabel = rule.topic.flatMap { Topics.normalize(label: $0) }
        let topic = topicLabel.flatMap { label in data.topicNames.firstIndex(of: label).map(Int32.init) }
        var count = 0
        if !((rule.source != nil && source == nil) || (rule.topic != nil && topic == nil)) {
            for c in data.conversations where c.call == nil && c.openedAt != nil {
                guard rule.channels.isEmpty || rule.channels.contains(c.channel) else { continue }
                if let source, c.source != source { continue }
                if let topic, !data.topics(of: c).contains(topic) { continue }
                var isOpen = false
                c.forEachBacklogInterval { start, end in
                    if start <= now && (end.map { $0 > now } ?? true) { isOpen = true }
                }
                if isOpen { count += 1 }
            }
        }
        var scope = rule.channels.isEmpty ? "every channel" : "channel " + rule.channels.map(\.rawValue).joined(separator: ", ")
        if let s = rule.source { scope += ", source \(s)" }
        if let t = rule.topic { scope += ", topic \(t)" }
        return [Measured(finding: condition(rule, value: Double(count), detail: "open conversations (\(scope))",
                                            channel: rule.channels.count == 1 ? rule.channels[0].rawValue : nil),
                         firing: Double(count) > rule.threshold, holding: Double(count) > (rule.clearBelow ?? rule.threshold))]
    }

    private func abandonment(_ rule: AlertRule, _ data: Dataset, now: Date) -> [Measured] {
        let counts = Self.calls(data, from: now.addingTimeInterval(-rule.window), to: now, source: rule.source,
                                answerWithin: settings.targets.phoneAnswerWithin)
        let rate = counts.offered > 0 ? Double(counts.abandoned) / Double(counts.offered) : 0
        let finding = condition(rule, value: rate, detail: "\(counts.abandoned) of \(counts.offered) calls offered in the last \(AlertMessage.duration(rule.window)) abandoned",
                                channel: "phone")
        let enough = counts.offered >= rule.minOffered && counts.offered > 0
        return [Measured(finding: finding, firing: enough && rate > rule.threshold, holding: enough && rate > (rule.clearBelow ?? rule.threshold))]
    }

    /// Inbound calls opened in [from, to]: offered (answered, abandoned, missed, timeout), abandoned, and answered
    /// within `answerWithin`.
    public static func calls(_ data: Dataset, from: Date, to: Date, source: String?, answerWithin: Double)
        -> (offered: Int, abandoned: Int, withinTarget: Int) {
        let sourceNumber = source.flatMap { data.tables.names.find($0) }
        if source != nil && sourceNumber == nil { return (0, 0, 0) }
        var offered = 0, abandoned = 0, within = 0
        for c in data.conversations {
            guard let call = c.call, let opened = c.openedAt, opened >= from, opened <= to else { continue }
            if let sourceNumber, c.source != sourceNumber { continue }
            switch call.outcome {
            case .answered:
                offered += 1
                if (call.waitSeconds ?? 0) <= answerWithin { within += 1 }
            case .abandoned: offered += 1; abandoned += 1
            case .missed, .timeout: offered += 1
            default: break
            }
        }
        return (offered, abandoned, within)
    }

    private func failing(_ rule: AlertRule, _ facts: AlertStoreFacts) -> [Measured] {
        var out: [Measured] = []
        for (source, runs) in facts.runs.sorted(by: { $0.key < $1.key }) where rule.source == nil || rule.source == source {
            let finished = runs.filter { $0.status == "ok" || $0.status == "failed" }
            let failed = finished.prefix { $0.status == "failed" }.count
            let detail = finished.first.map { $0.status == "ok" ? "the last run succeeded" : ($0.error.map { String($0.prefix(300)) } ?? "the last runs failed") }
            var finding = condition(rule, value: Double(failed), detail: detail ?? "no finished run", channel: nil)
            finding.subject = source
            finding.facts.source = source
            finding.facts.threshold = Double(rule.failures)
            out.append(Measured(finding: finding, firing: failed >= rule.failures))
        }
        return out
    }

    private func deadLetters(_ rule: AlertRule, _ facts: AlertStoreFacts, now: Date) -> [Measured] {
        let since = now.addingTimeInterval(-rule.window)
        let count = (facts.deadLetters[rule.source ?? ""] ?? []).filter { $0 > since && $0 <= now }.count
        var finding = condition(rule, value: Double(count), detail: "dead letters written in the last \(AlertMessage.duration(rule.window))", channel: nil)
        finding.facts.source = rule.source
        return [Measured(finding: finding, firing: Double(count) > rule.threshold,
                         holding: Double(count) > (rule.clearBelow ?? rule.threshold))]
    }

    private func condition(_ rule: AlertRule, value: Double, detail: String, channel: String?) -> AlertFinding {
        AlertFinding(alert: rule.name, rule: rule.rule, subject: rule.source ?? "all", episode: nil, state: .breached,
                     facts: AlertFacts(channel: channel, value: value, threshold: rule.threshold, detail: detail))
    }
}
