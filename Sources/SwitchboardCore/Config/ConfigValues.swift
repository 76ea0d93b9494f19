import Foundation

/// Parsers for the config's value syntaxes: durations (`30s`, `5m`, `72h`, `7d`,
/// `1h30m`) and sizes (`1MiB`, `512KiB`, `10MB`, plain bytes).
public enum ConfigValues {
    /// Seconds of a duration string, nil when it is not one.
    public static func seconds(_ text: String) -> Double? {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { return nil }
        if let plain = Double(s), plain >= 0 { return plain }
        var total = 0.0
        var number = ""
        var sawUnit = false
        var chars = Array(s)
        chars.append(" ")
        var i = 0
        while i < chars.count - 1 {
            let c = chars[i]
            if c.isNumber || c == "." { number.append(c); i += 1; continue }
            guard let value = Double(number) else { return nil }
            let unit: Double
            if c == "m" && chars[i + 1] == "s" { unit = 0.001; i += 1 }
            else {
                switch c {
                case "s": unit = 1
                case "m": unit = 60
                case "h": unit = 3600
                case "d": unit = 86400
                case "w": unit = 604_800
                default: return nil
                }
            }
            total += value * unit
            number = ""
            sawUnit = true
            i += 1
        }
        guard number.isEmpty, sawUnit else { return nil }
        return total
    }

    /// Bytes of a size string, nil when it is not one.
    public static func bytes(_ text: String) -> Int? {
        let s = text.trimmingCharacters(in: .whitespaces)
        let digits = s.prefix(while: { $0.isNumber || $0 == "." })
        guard let value = Double(digits) else { return nil }
        let unit = s.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let factors: [String: Double] = [
            "": 1, "b": 1, "k": 1024, "kb": 1000, "kib": 1024, "m": 1_048_576, "mb": 1_000_000,
            "mib": 1_048_576, "g": 1_073_741_824, "gb": 1_000_000_000, "gib": 1_073_741_824,
        ]
        guard let f = factors[unit] else { return nil }
        return Int(value * f)
    }

    /// `2026-01-07` as (year, month, day), validated.
    public static func date(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              Timestamp.isValid(year: y, month: m, day: d, hour: 0, minute: 0, second: 0) else { return nil }
        return (y, m, d)
    }
}
