import Foundation

/// Topic labels as stored: the one normal form every store and the metrics read.
///
/// A label is trimmed, runs of white space and control characters become one space, it is cut to
/// ``maxLength`` characters; a list keeps distinct labels, sorted byte-wise, at most ``maxCount``.
/// Case is kept: `Billing` and `billing` are two topics (name rules as the sources label).
///
/// ```swift
/// Topics.normalize([" vip", "billing", "vip"])   // ["billing", "vip"]
/// Topics.encode(["vip", "billing"])              // "billing\nvip"
/// ```
public enum Topics {
    /// Longest label kept, in characters.
    public static let maxLength = 64
    /// Most labels kept per interaction.
    public static let maxCount = 32
    /// Separator of the stored form (never inside a normalised label).
    public static let separator: Character = "\n"

    /// One label in normal form; nil when nothing is left.
    public static func normalize(label: String) -> String? {
        var out = ""
        var space = false
        for ch in label {
            if ch.isWhitespace || ch.unicodeScalars.allSatisfy({ $0.properties.generalCategory == .control }) {
                space = !out.isEmpty
                continue
            }
            if space { out.append(" ") }
            space = false
            out.append(ch)
            if out.count >= maxLength { break }
        }
        return out.isEmpty ? nil : out
    }

    /// Whether a label is in normal form already, checked without allocating (the common case: the
    /// store binds every interaction's topics): at most 64 bytes, no control character, no white space
    /// but single spaces between other characters.
    @inline(__always) static func isNormal(_ label: String) -> Bool {
        guard label.utf8.count <= maxLength else { return false }
        var previousSpace = true, ascii = true
        for b in label.utf8 {
            if b == 0x20 {
                if previousSpace { return false }
                previousSpace = true
                continue
            }
            if b < 0x20 || b == 0x7F { return false }
            if b >= 0x80 { ascii = false }
            previousSpace = false
        }
        guard !previousSpace else { return false }   // empty, or a trailing space
        return ascii || label.unicodeScalars.allSatisfy { $0.isASCII || !($0.properties.isWhitespace || $0.properties.generalCategory == .control) }
    }

    /// Distinct labels in normal form, sorted byte-wise.
    public static func normalize(_ labels: [String]) -> [String] {
        guard !labels.isEmpty else { return [] }
        if labels.count == 1, isNormal(labels[0]) { return labels }
        var set = Set<String>()
        for l in labels { if let n = normalize(label: l) { set.insert(n) } }
        let sorted = set.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return sorted.count > maxCount ? Array(sorted.prefix(maxCount)) : sorted
    }

    /// The stored text of a list: normalised labels joined by newlines; nil for none.
    public static func encode(_ labels: [String]) -> String? {
        if labels.count == 1, isNormal(labels[0]) { return labels[0] }
        let n = normalize(labels)
        return n.isEmpty ? nil : n.joined(separator: String(separator))
    }

    /// The labels of a stored text (nil or empty: none).
    public static func decode(_ text: String?) -> [String] {
        guard let text, !text.isEmpty else { return [] }
        return text.split(separator: separator).map(String.init)
    }
}
