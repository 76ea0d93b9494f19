import Foundation

/// JSON string literals for the hand-written JSON writers (report JSON, JSON logs).
public enum JSONString {
    /// `s` as a JSON string literal: quote, backslash and control characters escaped,
    /// everything else (non-ASCII included) written as is in UTF-8.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
