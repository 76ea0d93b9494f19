/// Plain text from an HTML body: tags dropped, `script`/`style`/`head` content
/// skipped, block tags and `<br>` become line breaks, common entities decoded.
enum HTMLText {
    private static let blockTags: Set<String> = ["br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "blockquote", "table"]
    private static let skipTags: Set<String> = ["script", "style", "head", "title"]
    private static let entities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "laquo": "«", "raquo": "»",
        "mdash": "—", "ndash": "–", "hellip": "…", "copy": "©",
    ]

    static func text(_ html: String) -> String {
        var out = ""
        var skipping: String? = nil
        var s = Substring(html)
        while let lt = s.firstIndex(of: "<") {
            if skipping == nil { out += decodeEntities(s[..<lt]) }
            guard let gt = s[lt...].firstIndex(of: ">") else { s = s[s.endIndex...]; break }
            let inner = s[s.index(after: lt)..<gt]
            var name = inner.prefix { !$0.isWhitespace && $0 != "/" && $0 != ">" }.lowercased()
            let closing = inner.hasPrefix("/")
            if closing { name = inner.dropFirst().prefix { !$0.isWhitespace && $0 != ">" }.lowercased() }
            if let skip = skipping {
                if closing && name == skip { skipping = nil }
            } else if skipTags.contains(name) && !closing && !inner.hasSuffix("/") {
                skipping = name
            } else if blockTags.contains(name) {
                if !out.hasSuffix("\n") { out += "\n" }
            }
            s = s[s.index(after: gt)...]
        }
        if skipping == nil { out += decodeEntities(s) }
        // Collapse runs of blank lines and trailing spaces.
        var lines: [Substring] = []
        for line in out.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingTrailingSpaces()
            if trimmed.isEmpty && (lines.last?.isEmpty ?? true) { continue }
            lines.append(trimmed)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    static func decodeEntities(_ s: Substring) -> String {
        guard s.contains("&") else { return String(s) }
        var out = ""
        var rest = s
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semi = after.prefix(10).firstIndex(of: ";") {
                let name = after[..<semi]
                var decoded: String? = entities[String(name).lowercased()]
                if decoded == nil, name.hasPrefix("#") {
                    let num = name.dropFirst()
                    let code = num.hasPrefix("x") || num.hasPrefix("X") ? UInt32(num.dropFirst(), radix: 16) : UInt32(num)
                    decoded = code.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                }
                if let d = decoded {
                    out += d
                    rest = after[after.index(after: semi)...]
                    continue
                }
            }
            out += "&"
            rest = after
        }
        out += rest
        return out
    }
}

extension Substring {
    func trimmingTrailingSpaces() -> Substring {
        var end = endIndex
        while end > startIndex, let c = self[index(before: end)].unicodeScalars.first, c == " " || c == "\t" || c == "\r" || c == "\u{A0}" {
            end = index(before: end)
        }
        return self[startIndex..<end]
    }
}
