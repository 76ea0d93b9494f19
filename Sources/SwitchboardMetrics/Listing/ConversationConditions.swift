import Foundation
import SwitchboardCore

/// The conditions of `switchboard conversations` (and of `GET /conversations`): which of the
/// conversations a report counts are listed. Every condition given must hold (they combine with
/// AND); none given lists every counted conversation of the period and filters.
///
/// Each condition reads the clocks of the one ``ConversationBuilder`` and the FCR verdicts of the
/// ``Dataset``, so a listed conversation shows exactly what `explain` shows for it.
///
/// ```swift
/// var conditions = ConversationConditions()
/// try conditions.set("frt-over", "4h")
/// try conditions.set("not-fcr", nil)
/// ```
public struct ConversationConditions: Sendable, Equatable {
    /// Not resolved as of now (what `unresolved` counts; abandoned and missed calls included).
    public var unresolved = false
    /// First response later than this many seconds after the open (calendar time).
    public var frtOver: Double?
    /// First response later than its channel's `targets.frt` (what a target's `beyond` counts).
    public var frtMissed = false
    /// Resolved, and the resolution time (last resolution − open, calendar) is above this many seconds.
    public var resolutionOver: Double?
    /// Resolved but not first-contact resolved (FCR eligible − FCR).
    public var notFCR = false
    /// Calls whose outcome is `abandoned` (after `phone.short_abandon`).
    public var abandoned = false
    /// Lost calls (`abandoned`, `missed`, `timeout`) whose caller was never reached within
    /// `phone.recovery_window`: one row per caller, their last such call.
    public var neverReached = false
    /// Reopened at least once.
    public var reopened = false
    /// A message conversation open at this instant (one of its backlog intervals holds it).
    public var inBacklogAt: Date?
    /// Holds a survey answer whose score is below this value.
    public var surveyBelow: Double?

    public init() {}

    /// The condition names, as flags (`--frt-over`) and query parameters (`frt-over=`).
    public static let names = ["unresolved", "frt-over", "frt-missed", "resolution-over", "not-fcr", "abandoned", "reopened",
                               "in-backlog-at", "survey-below", "never-reached"]
    /// The conditions that take no value.
    public static let flags: Set<String> = ["unresolved", "frt-missed", "not-fcr", "abandoned", "reopened", "never-reached"]

    /// Whether no condition is set.
    public var isEmpty: Bool { self == ConversationConditions() }

    static let durationExpected = "expected a duration such as 30s, 5m, 4h, 7d or 1h30m"

    /// Sets the condition `name` from its text value (nil or empty for the conditions without a value,
    /// `1`/`true`/`yes`/`on` also accepted; `0`/`false`/`no`/`off` leave it unset).
    /// - Parameter timeZone: the zone a date in `in-backlog-at` is read in (the business timezone).
    /// - Throws: ``ReportOptions/Problem`` naming the condition: unknown, a malformed duration, time or number.
    public mutating func set(_ name: String, _ value: String?, timeZone: TimeZone = TimeZone(identifier: "UTC")!) throws {
        if Self.flags.contains(name) {
            let on: Bool
            switch (value ?? "").lowercased() {
            case "", "1", "true", "yes", "on": on = true
            case "0", "false", "no", "off": on = false
            default: throw ReportOptions.Problem(option: name, value: value, expected: "takes no value (or 1/0)")
            }
            switch name {
            case "unresolved": unresolved = on
            case "frt-missed": frtMissed = on
            case "not-fcr": notFCR = on
            case "abandoned": abandoned = on
            case "never-reached": neverReached = on
            default: reopened = on
            }
            return
        }
        guard let value, !value.isEmpty else {
            guard Self.names.contains(name) else { throw Self.unknown(name) }
            throw ReportOptions.Problem(option: name, value: nil, expected: "needs a value")
        }
        switch name {
        case "frt-over", "resolution-over":
            guard let s = ConfigValues.seconds(value) else {
                throw ReportOptions.Problem(option: name, value: value, expected: Self.durationExpected)
            }
            if name == "frt-over" { frtOver = s } else { resolutionOver = s }
        case "in-backlog-at":
            inBacklogAt = try ReportOptions.time(value, option: name, timeZone: timeZone)
        case "survey-below":
            guard let n = Double(value.trimmingCharacters(in: .whitespaces)), n.isFinite else {
                throw ReportOptions.Problem(option: name, value: value, expected: "expected a score such as 4 or 7.5")
            }
            surveyBelow = n
        default:
            throw Self.unknown(name)
        }
    }

    static func unknown(_ name: String) -> ReportOptions.Problem {
        ReportOptions.Problem(option: name, value: nil, expected: "unknown condition; expected one of \(names.joined(separator: ", "))")
    }

    /// The conditions as query parameters (flags as `name=1`), in ``names`` order.
    public func query() -> [(String, String)] {
        var out: [(String, String)] = []
        if unresolved { out.append(("unresolved", "1")) }
        if let v = frtOver { out.append(("frt-over", "\(JSONWriter.format(v))s")) }
        if frtMissed { out.append(("frt-missed", "1")) }
        if let v = resolutionOver { out.append(("resolution-over", "\(JSONWriter.format(v))s")) }
        if notFCR { out.append(("not-fcr", "1")) }
        if abandoned { out.append(("abandoned", "1")) }
        if reopened { out.append(("reopened", "1")) }
        if let t = inBacklogAt { out.append(("in-backlog-at", Timestamp.formatISO8601(t))) }
        if let v = surveyBelow { out.append(("survey-below", JSONWriter.format(v))) }
        if neverReached { out.append(("never-reached", "1")) }
        return out
    }

    /// The conditions in words, for headings (`unresolved; first response over 4 h 00 m`).
    public var summary: String {
        var parts: [String] = []
        if unresolved { parts.append("unresolved") }
        if let v = frtOver { parts.append("first response over \(HTMLFormat.duration(v))") }
        if frtMissed { parts.append("first response beyond its channel's target") }
        if let v = resolutionOver { parts.append("resolution time over \(HTMLFormat.duration(v))") }
        if notFCR { parts.append("resolved, not first-contact resolved") }
        if abandoned { parts.append("abandoned calls") }
        if reopened { parts.append("reopened") }
        if let t = inBacklogAt { parts.append("in the backlog at \(Timestamp.formatISO8601(t))") }
        if let v = surveyBelow { parts.append("a survey score below \(JSONWriter.format(v))") }
        if neverReached { parts.append("callers never reached after a lost call (their last one)") }
        return parts.isEmpty ? "none" : parts.joined(separator: "; ")
    }
}

/// The order of a conversation list: a field, ascending unless written with a leading `-`.
public struct ConversationSort: Sendable, Equatable {
    public enum Field: String, Sendable, CaseIterable {
        case opened, frt, resolution, source, customer, agent
    }

    public var field: Field
    public var descending: Bool

    public init(field: Field = .opened, descending: Bool = false) {
        self.field = field
        self.descending = descending
    }

    /// Reads `opened`, `-frt`, `resolution`, …
    /// - Throws: ``ReportOptions/Problem`` naming `sort`.
    public init(_ text: String) throws {
        let descending = text.hasPrefix("-")
        guard let field = Field(rawValue: String(text.dropFirst(descending ? 1 : 0))) else {
            throw ReportOptions.Problem(option: "sort", value: text, expected: "expected one of \(Field.allCases.map(\.rawValue).joined(separator: ", ")), "
                                        + "with a leading - for descending order (--sort=-frt)")
        }
        self.init(field: field, descending: descending)
    }

    public var text: String { (descending ? "-" : "") + field.rawValue }
}

extension ReportOptions.Problem {
    /// A problem with an option or query parameter outside ``ReportOptions`` (the conversation list's own).
    public init(_ option: String, value: String?, expected: String) {
        self.init(option: option, value: value, expected: expected)
    }
}
