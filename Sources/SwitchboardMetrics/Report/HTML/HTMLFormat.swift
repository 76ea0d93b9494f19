import Foundation

/// Formatting of report values for people (HTML report): durations as `1 h 05 m`,
/// rates as `92.4 %`, counts with thin-space digit groups, and HTML escaping.
public enum HTMLFormat {
    /// `&`, `<`, `>`, `"` and `'` escaped for text and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// `45 s`, `7 m 05 s`, `1 h 05 m`, `2 d 03 h`; `—` for nil or not finite.
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "—" }
        let sign = seconds < 0 ? "−" : ""
        let s = Int(abs(seconds).rounded())
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        if s < 60 { return "\(sign)\(s) s" }
        if s < 3600 { return "\(sign)\(s / 60) m \(two(s % 60)) s" }
        if s < 86400 { return "\(sign)\(s / 3600) h \(two(s % 3600 / 60)) m" }
        return "\(sign)\(s / 86400) d \(two(s % 86400 / 3600)) h"
    }

    /// A fraction as a percentage with one decimal: 0.9243 → `92.4 %`; `—` for nil.
    public static func percent(_ fraction: Double?) -> String {
        guard let fraction, fraction.isFinite else { return "—" }
        return String(format: "%.1f", fraction * 100).replacingOccurrences(of: "-0.0", with: "0.0") + " %"
    }

    /// A count with narrow no-break spaces between groups of three digits: `12 345`.
    public static func count(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "\u{202F}" }
            out.append(c)
        }
        return (n < 0 ? "−" : "") + out
    }

    /// A plain number with up to `decimals` decimals (trailing zeros dropped): 4.50 → `4.5`.
    public static func number(_ v: Double?, decimals: Int = 1) -> String {
        guard let v, v.isFinite else { return "—" }
        var s = String(format: "%.\(decimals)f", v)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }

    /// A change between two values for a KPI tile, e.g. `▲ 12.5 %` or `▼ 3 m 10 s`.
    /// Rates change in percentage points (`▲ 2.1 pp`).
    public static func change(current: Double?, previous: Double?, kind: ValueKind) -> String? {
        guard let current, let previous, current.isFinite, previous.isFinite else { return nil }
        let d = current - previous
        let arrow = d > 0 ? "▲" : d < 0 ? "▼" : "="
        let magnitude: String
        switch kind {
        case .duration: magnitude = duration(abs(d))
        case .rate: magnitude = number(abs(d) * 100) + " pp"
        case .count: magnitude = count(Int(abs(d).rounded()))
        case .score: magnitude = number(abs(d))
        }
        return d == 0 ? "= no change" : "\(arrow) \(magnitude)"
    }

    /// How a value is shown.
    public enum ValueKind: Sendable {
        case duration, rate, count, score
    }

    /// Formats a value of the given kind.
    public static func value(_ v: Double?, _ kind: ValueKind) -> String {
        switch kind {
        case .duration: return duration(v)
        case .rate: return percent(v)
        case .count: return v.map { count(Int($0.rounded())) } ?? "—"
        case .score: return number(v)
        }
    }
}
