import Foundation

/// When a pull source runs in `switchboard serve` (the connector entry's `schedule:`).
///
/// Two forms:
/// - `every 5m`, `every 90s`, `every 1h30m` — a fixed interval of elapsed time (units s, m, h);
///   the first run is at start-up, later runs keep the cadence of the first (a run that
///   overruns skips the ticks it covered).
/// - a 5-field cron expression (``CronExpression``), e.g. `*/10 8-20 * * mon-fri`, evaluated
///   on wall-clock fields in the config `timezone`; also `@hourly`, `@daily`, `@weekly`,
///   `@monthly`, `@yearly`.
///
/// ```swift
/// let schedule = try Schedule("every 5m")
/// schedule.interval   // 300
/// ```
public enum Schedule: Sendable, Hashable, CustomStringConvertible {
    /// A fixed interval in whole seconds.
    case every(seconds: Int)
    case cron(CronExpression)

    static let macros = ["@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
                         "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *",
                         "@annually": "0 0 1 1 *"]

    /// Parses `every …` or a cron expression.
    /// - Throws: ``ScheduleError`` saying what was expected.
    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let lower = trimmed.lowercased()
        if lower == "every" || lower.hasPrefix("every ") {
            self = .every(seconds: try Self.interval(String(trimmed.dropFirst(5)).trimmingCharacters(in: .whitespaces)))
        } else if let expanded = Self.macros[lower] {
            self = .cron(try CronExpression(expanded))
        } else if lower.hasPrefix("@") {
            throw ScheduleError("unknown macro '\(trimmed)': use one of \(Self.macros.keys.sorted().joined(separator: ", ")), a 5-field cron expression or \"every 5m\"")
        } else {
            self = .cron(try CronExpression(trimmed))
        }
    }

    /// `5m`, `90s`, `1h30m` → seconds.
    static func interval(_ text: String) throws -> Int {
        let hint = "expected an interval after 'every' such as 30s, 5m, 1h or 1h30m (units s, m, h)"
        guard !text.isEmpty else { throw ScheduleError(hint) }
        var total = 0, number = 0, digits = 0
        for c in text {
            if let d = c.wholeNumberValue, c.isASCII {
                number = number * 10 + d
                digits += 1
                guard number < 10_000_000 else { throw ScheduleError("interval '\(text)' is too long") }
                continue
            }
            let unit: Int
            switch c {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            default: throw ScheduleError("'\(text)': \(hint)")
            }
            guard digits > 0 else { throw ScheduleError("'\(text)': \(hint)") }
            total += number * unit
            number = 0
            digits = 0
        }
        guard digits == 0 else { throw ScheduleError("'\(text)': a number needs a unit; \(hint)") }
        guard total >= 1 else { throw ScheduleError("'\(text)': the interval must be at least 1s") }
        return total
    }

    /// The fixed interval in seconds (`every`), nil for cron.
    public var interval: Double? {
        if case .every(let s) = self { return Double(s) }
        return nil
    }

    /// The next fire time after `date`: `date + interval` for `every`, the next matching
    /// wall-clock time in `timeZone` for cron (nil when it never fires again).
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        switch self {
        case .every(let s): return date.addingTimeInterval(Double(s))
        case .cron(let c): return c.next(after: date, in: timeZone)
        }
    }

    /// `every 5m` / the cron text.
    public var description: String {
        switch self {
        case .every(let s):
            var parts: [String] = []
            if s >= 3600 { parts.append("\(s / 3600)h") }
            if s % 3600 >= 60 { parts.append("\(s % 3600 / 60)m") }
            if s % 60 > 0 { parts.append("\(s % 60)s") }
            return "every " + parts.joined()
        case .cron(let c): return c.text
        }
    }
}

/// Why a `schedule:` value is not a schedule; the message says what was expected.
public struct ScheduleError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
