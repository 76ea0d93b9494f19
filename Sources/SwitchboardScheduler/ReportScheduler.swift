import Foundation
import Logging
import ServiceLifecycle
import SwitchboardCore

/// Sends the config's `reports:` on their schedules inside `switchboard serve`.
///
/// - A report's slots are its schedule's fire times (``ReportSlots``). Whenever the report wakes — at
///   start-up, at each slot, at a retry — it looks at the **latest** slot not after now: when the sent log
///   (``ReportSendLog``) lacks a destination for it, the report is rendered for that slot and sent there.
///   So a slot missed while serve was down is sent once at start-up if it is still the latest; older
///   missed slots are not sent, and a slot still failing when the next one comes is given up for it.
/// - The send takes the lock `report:NAME` (``SourceLocking``: a PostgreSQL advisory lock shared by every
///   instance), reads the log, sends, and records each accepted destination before releasing the lock: two
///   instances never both send a slot. An instance finding the lock held looks again shortly.
/// - A destination that refuses is not recorded; the report retries with back-off (``Backoff``) and
///   `GET /status` shows the reason.
public actor ReportScheduler: Service {
    nonisolated let reports: [ScheduledReport]
    nonisolated let sender: any ReportSending
    nonisolated let log: any ReportSendLog
    nonisolated let locks: any SourceLocking
    nonisolated let timeZone: TimeZone
    nonisolated let clock: any SchedulerClock
    nonisolated let backoff: Backoff
    nonisolated let random: @Sendable () -> Double
    nonisolated let redactor: SecretRedactor
    nonisolated let logger: Logger
    nonisolated let stop = StopSignal()
    /// How soon an instance that found the lock held looks again.
    nonisolated let busyRetry: Double
    private var statuses: [String: ReportStatus]

    /// - Parameters:
    ///   - timeZone: the config timezone, in which cron schedules are read.
    ///   - clock: the time source and sleeper (a manual clock in tests).
    public init(reports: [ScheduledReport], sender: any ReportSending, log: any ReportSendLog, locks: any SourceLocking,
                timeZone: TimeZone, clock: any SchedulerClock = SystemSchedulerClock(), backoff: Backoff = Backoff(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, busyRetry: Double = 10,
                redactor: SecretRedactor = SecretRedactor(), logger: Logger = Logger(label: "switchboard.reports")) {
        self.reports = reports
        self.sender = sender
        self.log = log
        self.locks = locks
        self.timeZone = timeZone
        self.clock = clock
        self.backoff = backoff
        self.random = random
        self.busyRetry = busyRetry
        self.redactor = redactor
        self.logger = logger
        statuses = Dictionary(uniqueKeysWithValues: reports.map { ($0.name, ReportStatus(report: $0)) })
    }

    /// Every report's state, sorted by name.
    public func status() -> [ReportStatus] { statuses.values.sorted { $0.report < $1.report } }

    public nonisolated func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withTaskGroup(of: Void.self) { group in
                    for report in reports { group.addTask { await self.loop(report) } }
                }
                await stop.wait()
            } onGracefulShutdown: { [stop] in
                stop.trigger()
            }
        } onCancel: { [stop] in
            stop.trigger()
        }
    }

    enum Outcome { case sent, alreadySent, busy, failed(String) }

    private nonisolated func loop(_ report: ScheduledReport) async {
        var log = logger
        log[metadataKey: "report"] = "\(report.name)"
        let slots = ReportSlots(schedule: report.schedule, timeZone: timeZone)
        if let last = try? await self.log.reportSends(report: report.name, limit: 1).first {
            await update(report.name) { $0.lastSlot = last.slot; $0.lastSentAt = last.sentAt }
        }
        var failures = 0
        var failing: Date?
        while !stop.isTriggered {
            let now = clock.now()
            let upcoming = slots.next(after: now)
            var wake = upcoming
            if let slot = slots.latest(atOrBefore: now) {
                if let old = failing, old != slot {
                    log.warning("a newer slot has come before this one could be sent everywhere: it is given up",
                                metadata: ["slot": "\(Timestamp.formatISO8601(old))", "newer_slot": "\(Timestamp.formatISO8601(slot))"])
                }
                failing = nil
                let outcome = await attempt(report, slot: slot, log)
                switch outcome {
                case .sent, .alreadySent:
                    failures = 0
                    await update(report.name) { s in
                        s.lastAttemptAt = now
                        s.consecutiveFailures = 0
                        if case .sent = outcome { s.lastSlot = slot; s.lastSentAt = self.clock.now() }
                        else if s.lastSlot.map({ $0 < slot }) ?? true { s.lastSlot = slot }
                    }
                case .busy:
                    wake = [upcoming, now.addingTimeInterval(busyRetry)].compactMap { $0 }.min()
                case .failed(let reason):
                    failing = slot
                    failures += 1
                    let delay = backoff.delay(failures: failures, schedule: report.schedule, random: random())
                    wake = [upcoming, now.addingTimeInterval(delay)].compactMap { $0 }.min()
                    log.warning("scheduled report not sent; retrying with back-off",
                                metadata: ["slot": "\(Timestamp.formatISO8601(slot))", "error": "\(reason)",
                                           "retry_in_seconds": "\(Int(delay.rounded()))"])
                    await update(report.name) { s in
                        s.lastAttemptAt = now
                        s.consecutiveFailures = failures
                        s.lastError = reason
                    }
                }
            }
            await update(report.name) { $0.nextRunAt = wake }
            guard let wake, await sleep(until: wake) else { break }
        }
        await update(report.name) { $0.nextRunAt = nil }
    }

    /// One look at `slot`: under the report's lock, sends it to the destinations the log lacks.
    private nonisolated func attempt(_ report: ScheduledReport, slot: Date, _ log: Logger) async -> Outcome {
        let lease: SourceLease?
        do {
            lease = try await locks.tryLock(source: "report:\(report.name)")
        } catch {
            return .failed(redactor.redact("cannot take the report's lock: \(error)"))
        }
        guard let lease else {
            log.info("another instance is sending this report; looking again shortly")
            return .busy
        }
        let outcome = await send(report, slot: slot, log)
        await lease.release()
        return outcome
    }

    /// Holding the report's lock: sends `slot` to the destinations the log lacks and records each delivery.
    private nonisolated func send(_ report: ScheduledReport, slot: Date, _ log: Logger) async -> Outcome {
        let pending: [String]
        do {
            let sent = try await self.log.destinationsSent(report: report.name, slot: slot)
            pending = report.notify.filter { !sent.contains($0) }
        } catch {
            return .failed(redactor.redact("cannot read the sent log: \(error)"))
        }
        guard !pending.isEmpty else { return .alreadySent }
        log.info("sending scheduled report", metadata: ["slot": "\(Timestamp.formatISO8601(slot))",
                                                        "destinations": "\(pending.joined(separator: ","))"])
        let delivery = await sender.send(report, slot: slot, to: pending)
        var problems: [String] = delivery.failures.map { "\($0.destination): \(redactor.redact($0.reason))" }
        for destination in delivery.delivered {
            let send = ReportSend(report: report.name, slot: slot, destination: destination, periodFrom: delivery.periodFrom,
                                  periodTo: delivery.periodTo, sentAt: clock.now())
            do { _ = try await self.log.recordReportSend(send) }
            catch { problems.append("\(destination): delivered, but the sent log could not record it (it may be sent again): \(redactor.redact("\(error)"))") }
        }
        if problems.isEmpty {
            log.info("scheduled report sent", metadata: ["slot": "\(Timestamp.formatISO8601(slot))",
                                                         "destinations": "\(delivery.delivered.joined(separator: ","))"])
            return .sent
        }
        return .failed(problems.joined(separator: "; "))
    }

    private func update(_ name: String, _ change: (inout ReportStatus) -> Void) {
        guard var s = statuses[name] else { return }
        change(&s)
        statuses[name] = s
    }

    /// Sleeps until `deadline`; false when stopped first.
    private nonisolated func sleep(until deadline: Date) async -> Bool {
        await clock.sleep(until: deadline, unless: stop)
    }
}
