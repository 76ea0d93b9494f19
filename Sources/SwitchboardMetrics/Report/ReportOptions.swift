import Foundation
import SwitchboardCore

/// The options of one report as a person wrote them — the `switchboard report` flags or the
/// query parameters of `GET /report` — and the one place they are read into a ``ReportRequest``,
/// so the command and the served page accept the same values and say the same things about bad ones.
///
/// ```swift
/// var options = ReportOptions(format: .json)
/// options.from = "2026-03-01"
/// options.by = ["channel,agent"]
/// let request = try options.request(timeZone: settings.timeZone)
/// ```
public struct ReportOptions: Sendable, Equatable {
    /// The output formats.
    public enum Format: String, Sendable, CaseIterable {
        case table, json, csv, html

        /// The HTTP content type of a report in this format.
        public var contentType: String {
            switch self {
            case .table: "text/plain; charset=utf-8"
            case .json: "application/json"
            case .csv: "text/csv; charset=utf-8"
            case .html: "text/html; charset=utf-8"
            }
        }
    }

    /// The option names, as flags (`--from`) and query parameters (`from=`): the period, the breakdowns,
    /// one filter per filterable breakdown (``Breakdown/filters``) and the format.
    public static let names = ["from", "to", "now", "period", "by"] + Breakdown.filters.map(\.name) + ["format"]

    public var format: Format
    /// Start of the period: a date (midnight in the business timezone) or an ISO 8601 timestamp.
    public var from: String?
    /// End of the period (exclusive), like ``from``.
    public var to: String?
    /// "Now" for inferred resolutions and the backlog, like ``from``; nil: the current time.
    public var now: String?
    /// A period named relative to now (``ReportPeriod``: `previous-week`, …), instead of ``from`` and ``to``.
    public var period: String?
    /// Breakdowns, each value one name or a comma-separated list.
    public var by: [String]
    /// Filter values by breakdown name (``Breakdown/filters``), as given (repeatable).
    public var filters: [String: [String]]

    public init(format: Format = .table, from: String? = nil, to: String? = nil, now: String? = nil, period: String? = nil,
                by: [String] = [], channel: [String] = [], source: [String] = [], agent: [String] = [], topic: [String] = [],
                queue: [String] = []) {
        self.format = format
        self.from = from
        self.to = to
        self.now = now
        self.period = period
        self.by = by
        filters = [:]
        for (name, values) in [("channel", channel), ("source", source), ("agent", agent), ("topic", topic), ("queue", queue)]
        where !values.isEmpty {
            filters[name] = values
        }
    }

    public var channel: [String] { get { filters["channel"] ?? [] } set { filters["channel"] = newValue } }
    public var source: [String] { get { filters["source"] ?? [] } set { filters["source"] = newValue } }
    public var agent: [String] { get { filters["agent"] ?? [] } set { filters["agent"] = newValue } }
    public var topic: [String] { get { filters["topic"] ?? [] } set { filters["topic"] = newValue } }
    public var queue: [String] { get { filters["queue"] ?? [] } set { filters["queue"] = newValue } }

    /// A bad option value: which option, the value given and what was expected.
    public struct Problem: Error, Sendable, Equatable {
        public var option: String
        public var value: String?
        public var expected: String

        /// `--now 'someday': expected …` — the phrasing of the command line.
        public var flagMessage: String { message(prefix: "--") }
        /// `query parameter now='someday': expected …` — the phrasing of `GET /report`.
        public var queryMessage: String {
            if let value { return "query parameter \(option)='\(value)': \(expected)" }
            return "query parameter \(option): \(expected)"
        }

        func message(prefix: String) -> String {
            if let value { return "\(prefix)\(option) '\(value)': \(expected)" }
            return "\(prefix)\(option): \(expected)"
        }
    }

    static let timeExpected = "expected a date (2026-03-01) or an ISO 8601 timestamp (2026-03-01T12:00:00Z)"

    /// Reads the options from query parameters in the order given; `format` defaults to `defaultFormat`.
    /// `by` and the filters may repeat; the others may appear once.
    /// - Throws: ``Problem`` for an unknown parameter, a repeated single one or an unknown format.
    public init(query: [(String, String)], defaultFormat: Format = .html) throws {
        self.init(format: defaultFormat)
        var seen: Set<String> = []
        for (key, value) in query {
            if Breakdown.named(key)?.filterable == true {
                filters[key, default: []].append(value)
                continue
            }
            switch key {
            case "by": by.append(value)
            case "from", "to", "now", "period", "format":
                guard seen.insert(key).inserted else {
                    throw Problem(option: key, value: nil, expected: "given more than once; give it at most once")
                }
                switch key {
                case "from": from = value
                case "to": to = value
                case "now": now = value
                case "period": period = value
                default:
                    guard let f = Format(rawValue: value) else { throw Self.formatProblem(value) }
                    format = f
                }
            default:
                throw Problem(option: key, value: nil,
                              expected: "unknown parameter; expected one of \(Self.names.joined(separator: ", "))")
            }
        }
    }

    static func formatProblem(_ value: String) -> Problem {
        Problem(option: "format", value: value,
                expected: "expected one of \(Format.allCases.map(\.rawValue).joined(separator: ", "))")
    }

    /// Parses a format name.
    /// - Throws: ``Problem`` naming `format` when it is not one of ``Format``.
    public static func format(_ value: String) throws -> Format {
        guard let f = Format(rawValue: value) else { throw formatProblem(value) }
        return f
    }

    /// The breakdowns of ``by`` in the order given, without repeats.
    /// - Throws: ``Problem`` naming `by` for an unknown breakdown.
    public func breakdowns() throws -> [Breakdown] {
        var out: [Breakdown] = []
        for v in by.flatMap({ $0.split(separator: ",") }) {
            let name = v.trimmingCharacters(in: .whitespaces).lowercased()
            guard let b = Breakdown.named(name) else {
                throw Problem(option: "by", value: name,
                              expected: "expected one of \(Breakdown.all.map(\.name).joined(separator: ", "))")
            }
            if !out.contains(b) { out.append(b) }
        }
        return out
    }

    /// Parses a period name.
    /// - Throws: ``Problem`` naming `period` when it is not one of ``ReportPeriod``.
    public static func period(_ value: String) throws -> ReportPeriod {
        guard let p = ReportPeriod(rawValue: value) else {
            throw Problem(option: "period", value: value, expected: "expected one of \(ReportPeriod.names)")
        }
        return p
    }

    /// The channels of ``channel``.
    /// - Throws: ``Problem`` naming `channel` for an unknown channel.
    public func channels() throws -> Set<Channel> {
        var out: Set<Channel> = []
        for name in channel {
            guard let c = Channel(rawValue: name) else {
                throw Problem(option: "channel", value: name,
                              expected: "expected one of \(Channel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            out.insert(c)
        }
        return out
    }

    /// Reads a time option (`from`, `to`, `now`) in `timeZone`.
    /// - Throws: ``Problem`` naming the option when the text is neither a date nor a timestamp.
    public static func time(_ text: String?, option: String, timeZone: TimeZone) throws -> Date? {
        guard let text else { return nil }
        guard let d = ReportTime.parse(text, timeZone: timeZone) else {
            throw Problem(option: option, value: text, expected: timeExpected)
        }
        return d
    }

    /// The request these options describe; dates are read in `timeZone` (the business timezone).
    /// - Parameter currentTime: "now" when ``now`` is not given.
    /// - Throws: ``Problem`` naming the first bad option, or `to` when the period is empty.
    public func request(timeZone: TimeZone, currentTime: Date = Date()) throws -> ReportRequest {
        var from = try Self.time(from, option: "from", timeZone: timeZone)
        var to = try Self.time(to, option: "to", timeZone: timeZone)
        let now = try Self.time(now, option: "now", timeZone: timeZone) ?? currentTime
        if let period {
            let named = try Self.period(period)
            if self.from != nil || self.to != nil {
                throw Problem(option: "period", value: period, expected: "give either period or from/to, not both")
            }
            (from, to) = named.range(at: now, timeZone: timeZone)
            if let f = from, let t = to, t <= f {
                throw Problem(option: "period", value: period,
                              expected: "has not begun at now (\(Timestamp.formatISO8601(now))): it would be empty")
            }
        }
        if let from, let to, to <= from {
            throw Problem(option: "to", value: self.to, expected: "must be after from (\(self.from ?? ""))")
        }
        var request = ReportRequest(from: from, to: to, now: now, by: try breakdowns())
        for (name, values) in filters where !values.isEmpty { request.filters[name] = Set(values) }
        request.channels = try channels()
        return request
    }
}
