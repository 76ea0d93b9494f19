import Foundation
import Logging
import ServiceLifecycle
import SwitchboardCore

/// What the alert monitor asks at each tick: every rule evaluated at `now` (the CLI evaluates on the
/// metrics loader's dataset and the store's runs and dead letters).
public protocol AlertEvaluating: Sendable {
    /// - Parameter open: the alerts open before this evaluation.
    func evaluate(now: Date, open: [AlertRecord]) async throws -> AlertEvaluation
}

/// Watches the config's `alerts:` inside `switchboard serve`: every `interval` seconds it evaluates the rules,
/// records each state change in the store (``AlertLog``) with one notice per destination, and delivers the
/// notices due.
///
/// - State changes: a finding without an open alert opens one (`warning` or `breached`); a finding more severe
///   than its open alert escalates it (`warning` → `breached`); an open alert of an evaluated rule without a
///   finding resolves. A conversation alert's episode is the conversation's open, so a conversation alerts once
///   per rule ever; a condition's episode is the moment it began.
/// - The evaluation, the changes and the deliveries happen under the lock `alerts:monitor` (``SourceLocking``: on PostgreSQL an advisory lock
///   shared by every instance), so several instances record — and send — each change once, each from an evaluation
///   made after the last change. The instance holding the lock keeps it from tick to tick; the others skip theirs.
/// - A notice is marked delivered only after its destination accepted it; a refused one is retried with
///   back-off (``Backoff``), in order (a later notice of the same alert to the same destination waits for the
///   earlier one). `GET /status` shows the notices still pending and why they failed. Since the outbox is in the
///   store, a restart of `serve` neither repeats nor loses a notice.
public actor AlertMonitor: Service {
    nonisolated let rules: [AlertRule]
    nonisolated let evaluator: any AlertEvaluating
    nonisolated let log: any AlertLog
    nonisolated let locks: any SourceLocking
    nonisolated let destinations: [String: any NotificationDestination]
    nonisolated let timeZone: TimeZone
    nonisolated let clock: any SchedulerClock
    nonisolated let interval: Double
    nonisolated let backoff: Backoff
    nonisolated let random: @Sendable () -> Double
    nonisolated let redactor: SecretRedactor
    nonisolated let logger: Logger
    nonisolated let stop = StopSignal()
    private var state: AlertsStatus
    /// The lock while this instance leads (evaluates, records, sends). Kept from tick to tick, so one instance with
    /// one view of the conversations decides every change: two instances whose live states lag each other by a
    /// poll would otherwise open and resolve a condition in turn. Given up after a failed tick, at shutdown, and
    /// every ``leaseRenewal`` seconds (re-taken at once when free), so a lock the server dropped is noticed.
    private var lease: SourceLease?
    private var leaseTakenAt: ContinuousClock.Instant?
    static let leaseRenewal: Int64 = 60

    /// - Parameters:
    ///   - interval: seconds between evaluations (default 1 s: a warning is sent within about a second of its moment).
    ///   - backoff: the delays between attempts of a refused notice (first `backoff.base`).
    public init(rules: [AlertRule], evaluator: any AlertEvaluating, log: any AlertLog, locks: any SourceLocking,
                destinations: [String: any NotificationDestination], timeZone: TimeZone,
                clock: any SchedulerClock = SystemSchedulerClock(), interval: Double = 1, backoff: Backoff = Backoff(base: 5, cap: 600),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, redactor: SecretRedactor = SecretRedactor(),
                logger: Logger = Logger(label: "switchboard.alerts")) {
        self.rules = rules
        self.evaluator = evaluator
        self.log = log
        self.locks = locks
        self.destinations = destinations
        self.timeZone = timeZone
        self.clock = clock
        self.interval = interval
        self.backoff = backoff
        self.random = random
        self.redactor = redactor
        self.logger = logger
        state = AlertsStatus(rules: rules.map(\.name))
    }

    /// The lock every evaluation takes (on PostgreSQL an advisory lock shared by every instance). A `:` keeps it
    /// apart from the locks of pull sources, whose names cannot hold one (a connector may be named `alerts`).
    public static let lockName = "alerts:monitor"

    /// The monitor's state for `GET /status`.
    public func status() -> AlertsStatus { state }

    /// Open alerts per rule (`switchboard_alerts_open`), as of the last tick.
    public func openByRule() -> [String: Int] { state.openByRule }

    public nonisolated func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await loop()
            } onGracefulShutdown: { [stop] in
                stop.trigger()
            }
        } onCancel: { [stop] in
            stop.trigger()
        }
    }

    private nonisolated func loop() async {
        while !stop.isTriggered {
            let started = ContinuousClock.now
            let now = await tick()
            // A slow evaluation (a large store read cold on every tick) is followed by a pause as long as itself.
            let took = started.duration(to: .now)
            let elapsed = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
            let next = now.addingTimeInterval(elapsed < interval ? interval : 2 * elapsed)
            guard await clock.sleep(until: next, unless: stop) else { break }
        }
        await releaseLease()
    }

    /// One evaluation and delivery pass; returns the "now" it evaluated at (read once the lock is held).
    @discardableResult
    public func tick() async -> Date {
        var now = clock.now()
        defer { state.evaluatedAt = now }
        // The whole tick holds the lock: an evaluation is compared with the alerts as they are after it, never with
        // changes another instance made from a later look. The lock is kept from tick to tick (see ``lease``).
        if let held = lease, let taken = leaseTakenAt, taken.duration(to: .now) > .seconds(Self.leaseRenewal) {
            await held.release()
            lease = nil
        }
        if lease == nil {
            do { lease = try await locks.tryLock(source: Self.lockName) } catch {
                fail("cannot take the alerts' lock: \(error)")
                return now
            }
            leaseTakenAt = .now
        }
        guard lease != nil else {
            // Another instance evaluates, records and sends this tick; the open alerts (GET /status, the
            // switchboard_alerts_open gauge) are still read, so this instance does not show a stale count.
            if let open = try? await log.openAlerts() { state.open = open.map(AlertsStatus.Open.init) }
            return now
        }
        now = clock.now()
        do {
            let open = try await log.openAlerts()
            var evaluation: AlertEvaluation
            do {
                evaluation = try await evaluator.evaluate(now: now, open: open)
            } catch {
                throw EvaluationFailed(message: "cannot evaluate the alerts: \(error)")
            }
            // A detail may quote a run's error as the store holds it (`switchboard pull` records it unredacted):
            // no secret of the config reaches the store's alerts, a notice, /alerts or /status.
            evaluation.findings = evaluation.findings.map { f in
                var f = f
                f.facts.detail = f.facts.detail.map(redactor.redact)
                return f
            }
            evaluation.clearing = evaluation.clearing.mapValues { facts in
                var facts = facts
                facts.detail = facts.detail.map(redactor.redact)
                return facts
            }
            let changes = Self.changes(rules: rules, evaluation: evaluation, open: open, now: now)
            if !changes.isEmpty {
                _ = try await log.recordAlertChanges(changes)
                for c in changes {
                    logger.info("alert \(c.record.state.rawValue)", metadata: ["alert": "\(c.record.alert)", "subject": "\(c.record.subject)"])
                }
            }
            state.open = try await log.openAlerts().map(AlertsStatus.Open.init)
            try await deliver(now: now)
            state.lastError = nil
        } catch {
            fail("\(error)")
            // The store or the lock's connection may be gone: let another instance take over.
            await releaseLease()
        }
        return now
    }

    /// Gives up leading (at shutdown, after a failed tick).
    public func releaseLease() async {
        let held = lease
        lease = nil
        await held?.release()
    }

    private func fail(_ message: String) {
        let text = redactor.redact(message)
        state.lastError = text
        logger.warning("alerts: \(text)")
    }

    /// Sends the notices due, in order; records each outcome.
    private func deliver(now: Date) async throws {
        let pending = try await log.pendingAlertNotices(dueBy: nil, limit: 200)
        var blocked = Set<String>()
        // A destination that refused once in this pass is not tried again before the next one (a dead endpoint
        // costs one timeout per pass, not one per notice).
        var refusing = Set<String>()
        var failing: [AlertsStatus.Pending] = []
        for notice in pending {
            // SIGTERM: stop between notices (those not sent stay in the outbox for the next start).
            if stop.isTriggered { break }
            let key = "\(notice.alert)\u{1F}\(notice.subject)\u{1F}\(notice.episode.timeIntervalSince1970)\u{1F}\(notice.destination)"
            guard !blocked.contains(key), !refusing.contains(notice.destination), notice.nextAttemptAt <= now else {
                blocked.insert(key)
                failing.append(.init(notice))
                continue
            }
            do {
                guard let destination = destinations[notice.destination] else {
                    throw NotificationError(.refused, "the destination '\(notice.destination)' is no longer in notifications:")
                }
                // Stopping mid-delivery: the notice stays queued (sent again at the next start, same webhook-id).
                guard try await Self.deliver(AlertMessage.make(notice, timeZone: timeZone), to: destination, unless: stop) else { break }
                try await log.markAlertNoticeSent(id: notice.id, at: clock.now())
                logger.info("alert notice sent", metadata: ["alert": "\(notice.alert)", "state": "\(notice.state.rawValue)",
                                                          "destination": "\(notice.destination)"])
            } catch let error as StoreError {
                throw error
            } catch {
                let attempts = notice.attempts + 1
                let delay = backoff.delay(failures: attempts, schedule: .every(seconds: max(1, Int(backoff.base))), random: random())
                let reason = redactor.redact("\(error)")
                try await log.markAlertNoticeFailed(id: notice.id, attempts: attempts, nextAttemptAt: now.addingTimeInterval(delay), error: reason)
                logger.warning("alert notice not delivered; retrying with back-off",
                               metadata: ["alert": "\(notice.alert)", "destination": "\(notice.destination)", "error": "\(reason)",
                                          "retry_in_seconds": "\(Int(delay.rounded()))"])
                refusing.insert(notice.destination)
                var failed = notice
                failed.attempts = attempts
                failed.lastError = reason
                failed.nextAttemptAt = now.addingTimeInterval(delay)
                failing.append(.init(failed))
                blocked.insert(key)
            }
        }
        state.pending = failing
    }

    /// Delivers `message`; true once the destination accepted it. When `stop` triggers first, returns false at
    /// once without waiting for the delivery in flight (libcurl's own timeout ends it), so a hanging destination
    /// (up to 30 s for HTTP, 120 s for SMTP) does not hold up serve's shutdown.
    public static func deliver(_ message: NotificationMessage, to destination: any NotificationDestination,
                               unless stop: StopSignal) async throws -> Bool {
        let (outcomes, first) = AsyncStream<Result<Bool, any Error>>.makeStream()
        _ = Task {
            do { try await destination.deliver(message); first.yield(.success(true)) } catch { first.yield(.failure(error)) }
        }
        let stopping = Task {
            await stop.wait()
            first.yield(.success(false))
        }
        defer {
            stopping.cancel()
            first.finish()
        }
        var iterator = outcomes.makeAsyncIterator()
        return try (await iterator.next() ?? .success(false)).get()
    }

    /// The state changes that bring the stored alerts in line with `evaluation`.
    public static func changes(rules: [AlertRule], evaluation: AlertEvaluation, open: [AlertRecord], now: Date) -> [AlertChange] {
        let byName = Dictionary(rules.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var openByKey: [String: AlertRecord] = [:]
        for r in open { openByKey[r.alert + "\u{1F}" + r.subject] = r }
        var out: [AlertChange] = []
        var found = Set<String>()
        for f in evaluation.findings {
            guard let rule = byName[f.alert], evaluation.evaluated.contains(f.alert) else { continue }
            let key = f.alert + "\u{1F}" + f.subject
            guard found.insert(key).inserted else { continue }
            if var r = openByKey[key] {
                guard f.state.severity > r.state.severity else { continue }
                r.state = f.state
                r.changedAt = now
                r.facts = f.facts
                out.append(AlertChange(kind: .escalate, record: r, notify: rule.notify))
            } else {
                let r = AlertRecord(alert: f.alert, rule: f.rule.rawValue, subject: f.subject, episode: f.episode ?? now, state: f.state,
                                    openedAt: now, changedAt: now, facts: f.facts)
                out.append(AlertChange(kind: .open, record: r, notify: rule.notify))
            }
        }
        for r in open where !found.contains(r.alert + "\u{1F}" + r.subject) {
            let rule = byName[r.alert]
            // Rules not evaluated now (business_hours_only out of hours) keep their alerts; alerts of a rule
            // removed from the config, and conversations no longer watched, are closed without notices.
            if let rule, !evaluation.evaluated.contains(rule.name) { continue }
            var resolved = r
            resolved.state = .resolved
            resolved.changedAt = now
            resolved.resolvedAt = now
            if let facts = evaluation.clearing[AlertEvaluation.key(r.alert, r.subject)] { resolved.facts = facts }
            let quiet = evaluation.silent.contains(AlertEvaluation.key(r.alert, r.subject))
            out.append(AlertChange(kind: .resolve, record: resolved, notify: quiet ? [] : rule?.notify ?? []))
        }
        return out
    }
}

struct EvaluationFailed: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
