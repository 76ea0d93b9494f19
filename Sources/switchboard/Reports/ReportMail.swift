import Foundation
import SwitchboardCore
import SwitchboardMetrics
import SwitchboardScan
import SwitchboardScheduler

/// A scheduled report as a message, and its delivery to `notifications:` destinations: what `serve` sends
/// at each slot and `switchboard reports send` sends at once.
///
/// The mail holds the report three ways, each exactly what `switchboard report` prints for the same options
/// and `--now`: the HTML page (`--format html`) as the body, the table (`--format table`) as its plain-text
/// alternative, and the CSV (`--format csv`) as an attachment. Chat destinations (Slack, Telegram) show the table
/// in a code block (the message is ``NotificationTextStyle/preformatted``); a webhook posts the message's
/// ``NotificationEvent``: the report's name, period and JSON report (`--format json`).
struct ReportMail: ReportSending {
    let publisher: ReportPublisher
    let store: any MetricsStore
    /// Destination name → destination.
    let destinations: [String: any NotificationDestination]

    /// The `switchboard report` options of `report` at `now` (`--period P --now T --by … --channel …`).
    static func options(_ report: ScheduledReport, now: Date, format: ReportOptions.Format) -> ReportOptions {
        var options = ReportOptions(format: format, now: Timestamp.formatISO8601(now), period: report.period.rawValue, by: report.by)
        for (name, values) in report.filters where !values.isEmpty { options.filters[name] = values }
        return options
    }

    /// The message of `report` at `now`, and the period it covers.
    func message(_ report: ScheduledReport, now: Date) async throws -> (NotificationMessage, from: Date, to: Date) {
        let timeZone = publisher.engine.settings.timeZone
        let request = try Self.options(report, now: now, format: .html).request(timeZone: timeZone, currentTime: now)
        let html = try await publisher.render(store: store, request: request, format: .html)
        // One computation for the table, the CSV and the JSON (the webhook's); the HTML loads the previous period too.
        let computed = try await publisher.engine.report(store: store, request: request)
        let table = ReportPublisher.render(computed, format: .table)
        let csv = ReportPublisher.render(computed, format: .csv)
        let from = request.from ?? now, to = request.to ?? now
        let first = Self.day(from, timeZone), last = Self.day(to.addingTimeInterval(-0.001), timeZone)
        let days = first == last ? first : "\(first) – \(last)"
        let subject = "Switchboard report \(report.name): \(report.period.words), \(days)"
        let attachment = NotificationMessage.Attachment(filename: "\(report.name)-\(first).csv", contentType: "text/csv; charset=utf-8",
                                                        data: Data(csv.utf8))
        let event = NotificationEvent(type: "report", id: "report:\(report.name):\(Timestamp.formatISO8601(now))", data: [
            .init("report", .string(report.name)), .init("period", .string(report.period.rawValue)),
            .init("from", .time(from)), .init("to", .time(to)), .init("slot", .time(now)), .init("subject", .string(subject)),
            .init("result", .json(ReportPublisher.render(computed, format: .json))),
        ])
        return (NotificationMessage(subject: subject, text: table, html: html, attachments: [attachment],
                                    textStyle: .preformatted, event: event), from, to)
    }

    /// `2026-11-30`, the local date in `timeZone`.
    static func day(_ date: Date, _ timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    /// Renders the report for `slot` (its "now") once and delivers it to each destination.
    func send(_ report: ScheduledReport, slot: Date, to names: [String]) async -> ReportDelivery {
        let rendered: (NotificationMessage, from: Date, to: Date)
        do {
            rendered = try await message(report, now: slot)
        } catch let problem as ReportOptions.Problem {
            return ReportDelivery(periodFrom: slot, periodTo: slot, failures: names.map { ($0, "the report cannot be computed: \(problem.flagMessage)") })
        } catch {
            return ReportDelivery(periodFrom: slot, periodTo: slot, failures: names.map { ($0, "the report cannot be computed: \(error)") })
        }
        var delivery = ReportDelivery(periodFrom: rendered.from, periodTo: rendered.to)
        for name in names {
            guard let destination = destinations[name] else {
                delivery.failures.append((name, "no destination named \(name) in notifications:"))
                continue
            }
            do {
                try await destination.deliver(rendered.0)
                delivery.delivered.append(name)
            } catch {
                delivery.failures.append((name, "\(error)"))
            }
        }
        return delivery
    }
}

/// Checks of `reports:` that need the metrics: breakdown and channel names (`switchboard check`, `serve`).
enum ReportsCheck {
    static func problems(_ config: SwitchboardConfig) -> [ConfigProblem] {
        var out: [ConfigProblem] = []
        for report in config.reports {
            let options = ReportMail.options(report, now: Date(), format: .html)
            for (key, check) in [("by", { _ = try options.breakdowns() }), ("channel", { _ = try options.channels() })] as [(String, () throws -> Void)] {
                do { try check() } catch let problem as ReportOptions.Problem {
                    out.append(ConfigProblem(file: config.file.path, line: report.keyLines[key] ?? report.line, column: nil,
                                             keyPath: report.keyPath(key), message: "'\(problem.value ?? "")': \(problem.expected)"))
                } catch {}
            }
            if let slot = emptySlot(report, config) {
                out.append(ConfigProblem(file: config.file.path, line: report.keyLines["period"] ?? report.line, column: nil,
                                         keyPath: report.keyPath("period"),
                                         message: "'\(report.period.rawValue)' has not begun at the slot \(Timestamp.formatISO8601(slot)): the "
                                             + "schedule fires when the period begins, so every mail would be empty; schedule it later in "
                                             + "the period, or use yesterday, previous-week or previous-month"))
            }
        }
        return out
    }

    /// A slot among the next few at which the report's period is still empty (`today` sent at midnight).
    static func emptySlot(_ report: ScheduledReport, _ config: SwitchboardConfig) -> Date? {
        let slots = ReportSlots(schedule: report.schedule, timeZone: config.timeZone)
        let businessTimeZone = config.businessHours?.timeZone ?? config.timeZone
        var cursor = Date()
        for _ in 0..<8 {
            guard let slot = slots.next(after: cursor) else { return nil }
            let range = report.period.range(at: slot, timeZone: businessTimeZone)
            if range.to <= range.from { return slot }
            cursor = slot
        }
        return nil
    }
}
