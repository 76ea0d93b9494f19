import Foundation
import Testing
@testable import EmailConnectors

/// The e-mail path's byte-level shortcuts (CR LF, trimming, the quote markers, file reading) must give
/// exactly what the Foundation calls they replaced gave. The oracle is that earlier code, kept here.
@Suite("E-mail text fast paths")
struct TextFastPathTests {
    /// QuoteStripper.strip as it was written with Foundation's search, replace and trim.
    static func referenceStrip(_ raw: String) -> String {
        let text = raw.contains("\r") ? raw.replacingOccurrences(of: "\r\n", with: "\n") : raw
        guard text.contains(">") || text.contains("wrote") || text.contains("Original") || text.contains("пиш")
            || text.contains("писал") || text.contains("Исходное") || text.contains("From:") else {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var kept: [Substring] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var i = 0
        while i < lines.count {
            let line = lines[i].trimmingTrailingSpaces()
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix(">") { i += 1; continue }
            if QuoteStripper.isSeparator(trimmed) { break }
            if QuoteStripper.isAttribution(trimmed) && followedByQuote(lines, after: i) { break }
            if trimmed.hasPrefix("From:") && (i + 1..<min(lines.count, i + 4)).contains(where: { j in
                ["Sent:", "Date:", "Отправлено:"].contains { lines[j].hasPrefix($0) } }) { break }
            kept.append(line)
            i += 1
        }
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func followedByQuote(_ lines: [Substring], after i: Int) -> Bool {
        var j = i + 1
        while j < lines.count && lines[j].allSatisfy(\.isWhitespace) { j += 1 }
        return j == lines.count || lines[j].drop { $0 == " " }.hasPrefix(">")
    }

    /// Pieces that stress the shortcuts: line ends, white space the character set knows but Unicode's
    /// White_Space does not (U+200B), combining marks right after a marker, a character whose
    /// decomposition holds `>` (≯), Cyrillic markers, emoji sequences.
    static let pieces = [
        "\r\n", "\r", "\n", " ", "\t", "\u{200B}", "\u{3000}", "\u{A0}", "\u{2028}", "\u{85}", "wrote", "wrote:", ">",
        "> quoted", "\u{301}", "≯", "From:", "Sent: Monday", "пишет:", "Исходное", "-----Original Message-----",
        "hello", "Привет", "é", "e\u{301}", "👍🏽", "On Mon, Ann wrote:", "x", "писал", "\u{200D}", "\u{FE0F}", "🇷🇺",
        "\u{1F3FB}", "\u{0903}", "\u{1161}", "\u{11A8}", "한", "\u{0600}", "\u{E0061}", "\u{20DD}", "ـ", "\u{2066}",
    ]

    /// Deterministic pseudo-random texts (SplitMix64), so a failure names a reproducible case.
    static func texts(count: Int, seed: UInt64 = 0x5EED) -> [String] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return (0..<count).map { _ in
            (0..<Int(next() % 24)).map { _ in pieces[Int(next() % UInt64(pieces.count))] }.joined()
        }
    }

    @Test("strip gives what the Foundation version gave, on 10,000 generated texts")
    func stripMatchesReference() {
        for text in Self.texts(count: 10_000) {
            #expect(QuoteStripper.strip(text) == Self.referenceStrip(text), "text: \(text.debugDescription)")
        }
    }

    @Test("trimmed(_:) equals trimmingCharacters(in:) for the sets the parser uses")
    func trimMatchesFoundation() {
        let sets: [CharacterSet] = [.whitespaces, .whitespacesAndNewlines, CharacterSet(charactersIn: "\"' \t\r\n")]
        for text in Self.texts(count: 2000, seed: 7) + ["", "   ", "\u{200B}a\u{200B}", " \"utf-8\" ", "\r\n"] {
            for set in sets { #expect(text.trimmed(set) == text.trimmingCharacters(in: set), "text: \(text.debugDescription)") }
        }
    }

    @Test("CR LF to LF byte by byte equals Foundation's replacement, lone CRs kept")
    func lineEnds() {
        for text in Self.texts(count: 2000, seed: 11) + ["\r", "a\r", "\r\r\n", "\r\n\r"] {
            #expect(QuoteStripper.unixLineEnds(text) == text.replacingOccurrences(of: "\r\n", with: "\n"))
        }
    }

    @Test("FileContents reads small, empty and larger-than-buffer files, and names a missing one")
    func fileContents() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sb-filecontents-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let big = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let files = ["small": Data("From: a@b.example\n\nhi".utf8), "empty": Data(), "big": big]
        for (name, data) in files { try data.write(to: dir.appendingPathComponent(name)) }
        var reader = FileContents()
        for name in ["small", "big", "empty", "small"] {
            let read = try reader.withContents(of: dir.appendingPathComponent(name).path) { Data($0) }
            #expect(read == files[name], "\(name)")
        }
        let missing = dir.appendingPathComponent("missing").path
        #expect(throws: (any Error).self) { try reader.withContents(of: missing) { _ in () } }
        do { try reader.withContents(of: missing) { _ in () } } catch {
            #expect("\(error)".contains(missing) && "\(error)".contains("No such file"))
        }
    }
}
