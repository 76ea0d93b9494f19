import Foundation

/// What the replays of the CSV kinds (`phone-csv`, `survey-csv`) share: the context kept with a rejected
/// line, and the file and line number its provenance names.
extension ReplayContext {
    /// The context of a rejected CSV line of `kind`: the header line of its file (`header`), or that the
    /// line was the header itself (`header_line`).
    public static func csvLine(kind: String, header: String?, isHeader: Bool) -> ReplayContext {
        if isHeader { return ReplayContext(kind: kind, values: ["header_line": "true"]) }
        return ReplayContext(kind: kind, values: header.map { ["header": $0] } ?? [:])
    }
}

extension DeadLetter {
    /// The file and line number of a provenance such as `file:calls.csv#L12` (`calls.csv`, 12); line 0 when it
    /// names none.
    public static func fileAndLine(_ provenance: String) -> (file: String, line: Int) {
        var p = Substring(provenance)
        if p.hasPrefix("file:") { p = p.dropFirst(5) }
        guard let hash = p.lastIndex(of: "#") else { return (String(p), 0) }
        let tail = p[p.index(after: hash)...]
        return (String(p[..<hash]), Int(tail.hasPrefix("L") ? tail.dropFirst() : tail) ?? 0)
    }
}
