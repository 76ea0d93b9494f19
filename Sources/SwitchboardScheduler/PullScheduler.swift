import Foundation
import Logging
import ServiceLifecycle
import SwitchboardCore

/// Something that happened in the scheduler, for observers (tests, metrics).
public enum SchedulerEvent: Sendable, Hashable {
    /// A source's next run is due at the date.
    case scheduled(source: String, at: Date)
    /// A run started (the lock is being taken).
    case started(source: String)
    /// A run ended (including `skipped`).
    case finished(source: String, run: RunStatus)
}

/// Runs every scheduled pull source on its own timer inside `switchboard serve`.
///
/// - Each source has one loop: wait for the next fire time, take the source lock, pull, compute
///   the next time. A pull therefore never overlaps itself; a tick that passes while a pull runs is
///   not made up (`every` keeps its cadence: the next tick after the end).
/// - A failure backs off (``Backoff``) for that source only; a success returns to the schedule.
/// - A throttled run (the origin asked to slow down: ``ConnectorError/Code/throttled``) backs off the
///   same way, at least as long as the origin asked, without counting as a failure.
/// - A source whose lock is held elsewhere (another instance) is skipped until its next time.
/// - Holding the lock, a run first closes the source's scheduled runs still recorded as `running`:
///   their instance died mid-pull (``PullExecution/closeInterruptedRuns(name:clock:)``).
/// - Graceful shutdown stops the timers; a pull in progress ends at its next checkpoint, which is
///   committed with its batch (``StoppableSink``), and `run()` returns after that.
///
/// ```swift
/// let scheduler = PullScheduler(jobs: jobs, store: store, timeZone: config.timeZone, logger: logger)
/// let group = ServiceGroup(configuration: .init(services: [app, scheduler], gracefulShutdownSignals: [.sigterm]))
/// ```
public actor PullScheduler: Service {
    /// One scheduled pull source.
    public struct Job: Sendable {
        public var name: String
        public var kind: String
        public var schedule: Schedule
        public var source: any PullSource

        public init(name: String, kind: String, schedule: Schedule, source: any PullSource) {
            self.name = name
            self.kind = kind
            self.schedule = schedule
            self.source = source
        }
    }

    nonisolated let jobs: [Job]
    nonisolated let locks: any SourceLocking
    nonisolated let timeZone: TimeZone
    nonisolated let clock: any SchedulerClock
    nonisolated let backoff: Backoff
    nonisolated let random: @Sendable () -> Double
    nonisolated let logger: Logger
    nonisolated let execution: PullExecution
    nonisolated let onEvent: @Sendable (SchedulerEvent) -> Void
    nonisolated let stop = StopSignal()
    private var statuses: [String: SourceStatus]

    /// - Parameters:
    ///   - locks: the per-source lock; nil uses the store when it is ``SourceLocking``, else a process-local lock.
    ///   - clock: the time source and sleeper (a manual clock in tests).
    ///   - random: the jitter draw, 0..<1.
    ///   - redactor: hides secrets in status messages and logs.
    ///   - onEvent: called for every ``SchedulerEvent``.
    public init(jobs: [Job], store: any InteractionStore, locks: (any SourceLocking)? = nil,
                privacy: PrivacySettings = PrivacySettings(), topicRules: TopicRules = .empty, timeZone: TimeZone,
                clock: any SchedulerClock = SystemSchedulerClock(), backoff: Backoff = Backoff(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                batchSize: Int = 5000, redactor: SecretRedactor = SecretRedactor(),
                logger: Logger = Logger(label: "switchboard.scheduler"),
                onEvent: @escaping @Sendable (SchedulerEvent) -> Void = { _ in }) {
        self.jobs = jobs
        if let locks { self.locks = locks }
        else if let shared = store as? any SourceLocking { self.locks = shared }
        else { self.locks = ProcessSourceLocks() }
        self.timeZone = timeZone
        self.clock = clock
        self.backoff = backoff
        self.random = random
        self.logger = logger
        self.onEvent = onEvent
        execution = PullExecution(store: store, policy: IngestPolicy(privacy: privacy, topicRules: topicRules),
                                  batchSize: batchSize, redactor: redactor)
        statuses = Dictionary(uniqueKeysWithValues: jobs.map {
            ($0.name, SourceStatus(source: $0.name, kind: $0.kind, schedule: $0.schedule.description))
        })
    }

    // MARK: running

    /// Runs until graceful shutdown (or cancellation), then waits for pulls in progress.
    public nonisolated func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await runUntilStopped()
            } onGracefulShutdown: { [stop] in
                stop.trigger()
            }
        } onCancel: { [stop] in
            stop.trigger()
        }
    }

    /// Runs every source's loop until ``requestStop()``; returns after the last pull in progress ended.
    public nonisolated func runUntilStopped() async {
        await withTaskGroup(of: Void.self) { group in
            for job in jobs { group.addTask { await self.loop(job) } }
        }
        // No sources (or none that fires again): stay up until asked to stop, as a service must.
        await stop.wait()
    }

    /// Stops the timers; pulls in progress end at their next checkpoint.
    public nonisolated func requestStop() { stop.trigger() }

    /// Returns once a stop was requested (graceful shutdown, cancellation or ``requestStop()``).
    public nonisolated func stopRequested() async { await stop.wait() }

    /// Every source's state, sorted by name.
    public func status() -> SchedulerStatus {
        SchedulerStatus(generatedAt: clock.now(), timezone: timeZone.identifier,
                        sources: statuses.values.sorted { $0.source < $1.source })
    }

    /// ``status()`` as the `GET /status` JSON body.
    public func statusJSON() -> Data { status().json() }

    private nonisolated func loop(_ job: Job) async {
        var log = logger
        log[metadataKey: "connector.source"] = "\(job.name)"
        log[metadataKey: "connector.kind"] = "\(job.kind)"
        let anchor = clock.now()
        // `every`: the first run at start-up; cron: the first matching time.
        var next: Date? = job.schedule.interval == nil ? job.schedule.next(after: anchor, in: timeZone) : anchor
        var throttles = 0   // consecutive throttled runs
        while let due = next, !stop.isTriggered {
            await scheduled(job.name, at: due, log)
            guard await sleep(until: due) else { break }
            let run = await attempt(job, log)
            let failures = await record(job.name, run)
            throttles = run.result == .throttled ? throttles + 1 : run.result == .skipped ? throttles : 0
            next = nextTime(job, after: run, failures: run.result == .throttled ? throttles : failures, anchor: anchor, log)
        }
        await scheduled(job.name, at: nil, log)
    }

    /// Sleeps until `deadline`; false when stopped first.
    private nonisolated func sleep(until deadline: Date) async -> Bool {
        await clock.sleep(until: deadline, unless: stop)
    }

    private nonisolated func attempt(_ job: Job, _ log: Logger) async -> RunStatus {
        let started = clock.now()
        await markRunning(job.name, started)
        onEvent(.started(source: job.name))
        let lease: SourceLease?
        do {
            lease = try await locks.tryLock(source: job.name)
        } catch {
            let message = execution.redactor.redact("cannot take the source lock: \(error)")
            log.warning("scheduled pull could not take its lock", metadata: ["error": "\(message)"])
            return RunStatus(startedAt: started, finishedAt: clock.now(), result: .failed, message: message)
        }
        guard let lease else {
            log.info("scheduled pull skipped: another instance holds the source lock")
            return RunStatus(startedAt: started, finishedAt: clock.now(), result: .skipped,
                             message: "another instance holds this source's lock; retrying at the next scheduled time")
        }
        for dead in await execution.closeInterruptedRuns(name: job.name, clock: clock) {
            log.warning("closed an interrupted run of this source (its instance stopped mid-pull)",
                        metadata: ["run_id": "\(dead.id)", "run_started_at": "\(Timestamp.formatISO8601(dead.startedAt))"])
        }
        log.info("scheduled pull started")
        let run = await execution.run(name: job.name, source: job.source, stop: stop, clock: clock)
        await lease.release()
        var meta: Logger.Metadata = [
            "result": "\(run.result?.rawValue ?? "")", "read": "\(run.read)", "stored": "\(run.stored)",
            "duplicates": "\(run.duplicates)", "rejected": "\(run.rejected)",
            "seconds": "\(String(format: "%.3f", (run.finishedAt ?? started).timeIntervalSince(started)))",
        ]
        if let message = run.message { meta["error"] = "\(message)" }
        if run.result == .failed { log.warning("scheduled pull failed", metadata: meta) }
        else if run.result == .throttled { log.warning("scheduled pull throttled by the server", metadata: meta) }
        else { log.info("scheduled pull finished", metadata: meta) }
        return run
    }

    /// The next fire time after a run: the schedule after success or skip, the back-off after a failure.
    private nonisolated func nextTime(_ job: Job, after run: RunStatus, failures: Int, anchor: Date, _ log: Logger) -> Date? {
        let now = clock.now()
        if stop.isTriggered { return nil }
        if run.result == .failed {
            let delay = backoff.delay(failures: failures, schedule: job.schedule, random: random())
            let at = now.addingTimeInterval(delay)
            log.info("backing off after \(failures) consecutive failure(s)",
                     metadata: ["retry_in_seconds": "\(Int(delay.rounded()))"])
            return at
        }
        if run.result == .throttled {
            // `failures` counts the consecutive throttled runs here; the origin's own wait is the least.
            let delay = min(backoff.cap, max(backoff.delay(failures: failures, schedule: job.schedule, random: random()),
                                             run.retryAfter ?? 0))
            log.warning("throttled by the server \(failures) time(s) in a row: backing off, not failing the source",
                        metadata: ["retry_in_seconds": "\(Int(delay.rounded()))", "reason": "\(run.message ?? "")"])
            return now.addingTimeInterval(delay)
        }
        if let interval = job.schedule.interval {
            // The first tick of the start-up grid strictly after now.
            let ticks = (now.timeIntervalSince(anchor) / interval).rounded(.down) + 1
            return anchor.addingTimeInterval(ticks * interval)
        }
        return job.schedule.next(after: now, in: timeZone)
    }

    // MARK: status

    private func scheduled(_ name: String, at date: Date?, _ log: Logger) {
        statuses[name]?.nextRunAt = date
        if let date {
            log.debug("next scheduled pull", metadata: ["at": "\(Timestamp.formatISO8601(date))"])
            onEvent(.scheduled(source: name, at: date))
        }
    }

    private func markRunning(_ name: String, _ started: Date) {
        statuses[name]?.running = true
        statuses[name]?.nextRunAt = nil
        statuses[name]?.lastRun = RunStatus(startedAt: started)
    }

    /// Stores the finished run; returns the consecutive failures after it.
    private func record(_ name: String, _ run: RunStatus) -> Int {
        guard var s = statuses[name] else { return 0 }
        s.running = false
        s.lastRun = run
        switch run.result {
        case .failed:
            s.consecutiveFailures += 1
            s.lastError = run.message
        case .ok, .stopped:
            s.consecutiveFailures = 0
            s.lastSuccessAt = run.finishedAt
        case .skipped, .throttled, nil:
            break
        }
        statuses[name] = s
        onEvent(.finished(source: name, run: run))
        return s.consecutiveFailures
    }
}
