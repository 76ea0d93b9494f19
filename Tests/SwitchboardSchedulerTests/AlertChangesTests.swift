import Foundation
import SwitchboardCore
import SwitchboardScheduler
import Testing

/// How the alert monitor turns an evaluation into state changes (``AlertMonitor/changes(rules:evaluation:open:now:)``).
@Suite struct AlertChangesTests {
    static let now = Date(timeIntervalSince1970: 1_773_050_400)
    static let rules = [AlertRule(name: "chat-frt", rule: .frtAtRisk, notify: ["ops", "team"]),
                        AlertRule(name: "backlog", rule: .backlogAbove, threshold: 5, notify: ["lead"], businessHoursOnly: true)]

    static func finding(_ alert: String, _ subject: String, _ state: AlertState, episode: Date? = nil) -> AlertFinding {
        AlertFinding(alert: alert, rule: alert == "backlog" ? .backlogAbove : .frtAtRisk, subject: subject, episode: episode, state: state,
                     facts: AlertFacts(source: "chats", conversationKey: subject))
    }

    static func open(_ alert: String, _ subject: String, _ state: AlertState) -> AlertRecord {
        AlertRecord(alert: alert, rule: alert == "backlog" ? "backlog_above" : "frt_at_risk", subject: subject,
                    episode: now.addingTimeInterval(-600), state: state, openedAt: now.addingTimeInterval(-60),
                    changedAt: now.addingTimeInterval(-60), facts: AlertFacts(source: "chats", conversationKey: subject))
    }

    @Test func newFindingsOpenMoreSevereOnesEscalateAndMissingOnesResolve() {
        let episode = Self.now.addingTimeInterval(-300)
        let evaluation = AlertEvaluation(
            findings: [Self.finding("chat-frt", "chats/new", .warning, episode: episode), Self.finding("chat-frt", "chats/late", .breached),
                       Self.finding("chat-frt", "chats/same", .warning), Self.finding("backlog", "all", .breached)],
            evaluated: ["chat-frt", "backlog"],
            clearing: [AlertEvaluation.key("chat-frt", "chats/answered"): AlertFacts(source: "chats", conversationKey: "answered", agent: "anna")])
        let open = [Self.open("chat-frt", "chats/late", .warning), Self.open("chat-frt", "chats/same", .warning),
                    Self.open("chat-frt", "chats/answered", .breached), Self.open("removed", "all", .breached)]
        let changes = AlertMonitor.changes(rules: Self.rules, evaluation: evaluation, open: open, now: Self.now)
        let summary = changes.map { "\($0.kind) \($0.record.alert) \($0.record.subject) \($0.record.state.rawValue) \($0.notify)" }
        #expect(summary == [
            "open chat-frt chats/new warning [\"ops\", \"team\"]",
            "escalate chat-frt chats/late breached [\"ops\", \"team\"]",
            "open backlog all breached [\"lead\"]",
            "resolve chat-frt chats/answered resolved [\"ops\", \"team\"]",
            "resolve removed all resolved []",
        ])
        #expect(changes[0].record.episode == episode && changes[0].record.openedAt == Self.now)
        #expect(changes[2].record.episode == Self.now, "a condition's episode is the moment it opens")
        #expect(changes[3].record.facts.agent == "anna" && changes[3].record.resolvedAt == Self.now)
    }

    @Test func aRuleNotEvaluatedKeepsItsOpenAlerts() {
        let evaluation = AlertEvaluation(findings: [], evaluated: ["chat-frt"])
        let changes = AlertMonitor.changes(rules: Self.rules, evaluation: evaluation, open: [Self.open("backlog", "all", .breached)], now: Self.now)
        #expect(changes.isEmpty, "business_hours_only outside business hours: neither opened nor resolved")
    }

    @Test func aConversationNoLongerWatchedClosesWithoutANotice() {
        let evaluation = AlertEvaluation(findings: [], evaluated: ["chat-frt"], silent: [AlertEvaluation.key("chat-frt", "chats/old")])
        let changes = AlertMonitor.changes(rules: Self.rules, evaluation: evaluation,
                                           open: [Self.open("chat-frt", "chats/old", .breached), Self.open("chat-frt", "chats/answered", .breached)],
                                           now: Self.now)
        #expect(changes.map { "\($0.kind) \($0.record.subject) \($0.notify)" } == ["resolve chats/old []", "resolve chats/answered [\"ops\", \"team\"]"])
    }
}

/// A notice's delivery does not hold up serve's shutdown (``AlertMonitor/deliver(_:to:unless:)``).
@Suite struct AlertDeliveryStopTests {
    /// A destination that accepts after `seconds` (a receiver that hangs).
    struct Slow: NotificationDestination {
        struct Settings: Decodable, Sendable { var seconds: Double }
        static let kind = "slow"
        static let summary = "accepts late"
        static let settings: [SettingSpec] = []
        let name: String
        let seconds: Double
        init(name: String, settings: Settings) {
            self.name = name
            seconds = settings.seconds
        }
        func deliver(_ message: NotificationMessage) async throws {
            // Like libcurl on a thread of its own: not cancellable.
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { c.resume() }
            }
        }
    }

    @Test func aHangingDeliveryIsNotWaitedForOnceStopped() async throws {
        let message = NotificationMessage(subject: "s", text: "t")
        let stop = StopSignal()
        #expect(try await AlertMonitor.deliver(message, to: Slow(name: "quick", settings: .init(seconds: 0.05)), unless: stop),
                "an accepted delivery is reported as such")
        Task {
            try await Task.sleep(for: .milliseconds(100))
            stop.trigger()
        }
        let started = ContinuousClock.now
        let delivered = try await AlertMonitor.deliver(message, to: Slow(name: "hanging", settings: .init(seconds: 20)), unless: stop)
        #expect(!delivered && started.duration(to: .now) < .seconds(5), "stopped before the 20 s delivery ended")
    }
}

/// A tick of ``AlertMonitor`` on an in-memory outbox: what it records and sends carries no configured secret.
@Suite struct AlertMonitorSecretTests {
    actor MemoryLog: AlertLog {
        var records: [AlertRecord] = []
        var notices: [AlertNotice] = []
        func openAlerts() -> [AlertRecord] { records.filter { $0.resolvedAt == nil } }
        func recordAlertChanges(_ changes: [AlertChange]) -> Int {
            for c in changes {
                records.append(c.record)
                for d in c.notify {
                    notices.append(AlertNotice(id: Int64(notices.count + 1), alert: c.record.alert, rule: c.record.rule, subject: c.record.subject,
                                               episode: c.record.episode, state: c.record.state, destination: d, createdAt: c.record.changedAt,
                                               facts: c.record.facts, nextAttemptAt: c.record.changedAt))
                }
            }
            return changes.count
        }
        func pendingAlertNotices(dueBy: Date?, limit: Int) -> [AlertNotice] { notices.filter { $0.sentAt == nil } }
        func markAlertNoticeSent(id: Int64, at: Date) {
            if let i = notices.firstIndex(where: { $0.id == id }) { notices[i].sentAt = at }
        }
        func markAlertNoticeFailed(id: Int64, attempts: Int, nextAttemptAt: Date, error: String) {}
    }

    /// A failing source whose run error (as `switchboard pull` stores it) quotes a password.
    struct LeakyEvaluation: AlertEvaluating {
        func evaluate(now: Date, open: [AlertRecord]) -> AlertEvaluation {
            AlertEvaluation(findings: [AlertFinding(alert: "pbx-down", rule: .sourceFailing, subject: "pbx", episode: nil, state: .breached,
                                                    facts: AlertFacts(source: "pbx", detail: "cannot log in with password pbx-pass-7d6e5f"))],
                            evaluated: ["pbx-down"])
        }
    }

    final class Inbox: @unchecked Sendable {
        let lock = NSLock()
        var texts: [String] = []
    }

    struct Recorder: NotificationDestination {
        struct Settings: Decodable, Sendable {}
        static let kind = "recorder"
        static let summary = "keeps what it is sent"
        static let settings: [SettingSpec] = []
        let inbox: Inbox
        init(name: String, settings: Settings) { inbox = Inbox() }
        init(_ inbox: Inbox) { self.inbox = inbox }
        func deliver(_ message: NotificationMessage) async throws {
            let json = message.event?.json(timestamp: Date(timeIntervalSince1970: 0)) ?? ""
            inbox.lock.withLock { inbox.texts.append(message.subject + "\n" + message.text + "\n" + json) }
        }
    }

    @Test func aRunErrorQuotingASecretIsRedactedInTheStoreAndTheNotice() async throws {
        let log = MemoryLog()
        let inbox = Inbox()
        let monitor = AlertMonitor(rules: [AlertRule(name: "pbx-down", rule: .sourceFailing, notify: ["ops"])], evaluator: LeakyEvaluation(),
                                   log: log, locks: ProcessSourceLocks(), destinations: ["ops": Recorder(inbox)],
                                   timeZone: TimeZone(identifier: "UTC")!, clock: ManualClock(AlertChangesTests.now),
                                   redactor: SecretRedactor(secrets: ["pbx-pass-7d6e5f"]))
        await monitor.tick()
        let sent = inbox.lock.withLock { inbox.texts }
        #expect(sent.count == 1 && sent[0].contains("cannot log in with password"), "\(sent)")
        let stored = await log.records.map { $0.facts.detail ?? "" } + log.notices.map { $0.facts.detail ?? "" }
        #expect(!stored.isEmpty)
        for text in sent + stored { #expect(!text.contains("pbx-pass-7d6e5f"), "\(text)") }
    }
}

/// Several instances: the one that takes the lock keeps it from tick to tick, so a single view of the conversations
/// decides every change; the others only read the open alerts until it lets go.
@Suite struct AlertMonitorLeadTests {
    final class Counter: @unchecked Sendable {
        let lock = NSLock()
        var count = 0
    }

    struct Counting: AlertEvaluating {
        let counter: Counter
        func evaluate(now: Date, open: [AlertRecord]) -> AlertEvaluation {
            counter.lock.withLock { counter.count += 1 }
            return AlertEvaluation(findings: [AlertFinding(alert: "backlog", rule: .backlogAbove, subject: "all", episode: nil, state: .breached,
                                                           facts: AlertFacts(value: 51, threshold: 50))], evaluated: ["backlog"])
        }
    }

    @Test func theInstanceHoldingTheLockLeadsUntilItLetsGo() async throws {
        let log = AlertMonitorSecretTests.MemoryLog()
        let locks = ProcessSourceLocks()
        let (a, b) = (Counter(), Counter())
        func monitor(_ counter: Counter) -> AlertMonitor {
            AlertMonitor(rules: [AlertRule(name: "backlog", rule: .backlogAbove, threshold: 50, notify: [])], evaluator: Counting(counter: counter),
                         log: log, locks: locks, destinations: [:], timeZone: TimeZone(identifier: "UTC")!,
                         clock: ManualClock(AlertChangesTests.now))
        }
        let (first, second) = (monitor(a), monitor(b))
        for _ in 0..<3 {
            await first.tick()
            await second.tick()
        }
        #expect(a.count == 3 && b.count == 0, "the first keeps leading")
        #expect(await second.status().open.map(\.alert) == ["backlog"], "a follower still shows the open alerts")
        await first.releaseLease()
        await second.tick()
        await first.tick()
        #expect(a.count == 3 && b.count == 1, "the second leads once the first let go")
        #expect(await log.records.count == 1, "one alert opened in all")
    }
}
