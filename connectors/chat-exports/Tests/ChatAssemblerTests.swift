import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import ChatExportConnectors

/// The external id is built in one buffer; it must read exactly as the documented
/// `chat|epoch ms|author|text digest|n` written with string interpolation.
@Suite struct ChatAssemblerIdTests {
    @Test func externalIdMatchesTheDocumentedForm() {
        var scratch: [UInt8] = []
        let cases: [(String, Int64, String, UInt64, Int)] = [
            ("whatsapp:Anna", 1_704_096_000_000, "Anna (Support)", 0x0123_4567_89AB_CDEF, 0),
            ("whatsapp:Чат", 0, "+7 916 138-38-66", 0, 12),
            ("telegram:42", -86_400_123, "", .max, 1_000_000),
            ("whatsapp:x", Int64.max, "Ärger 😀", 0xF00D, 9),
            ("whatsapp:x", Int64.min + 1, "a|b", 1, 10),
        ]
        for (chat, ms, author, digest, n) in cases {
            let built = ChatAssembler.externalId(chatId: chat, ms: ms, author: author, digest: digest, n: n, scratch: &scratch)
            #expect(built == "\(chat)|\(ms)|\(author)|\(InteractionID.hex16(digest))|\(n)")
        }
    }
}

/// The byte-level lookups of the WhatsApp parser against plain reference implementations.
@Suite struct WhatsAppLookupTests {
    /// A deterministic generator (tests must not depend on the run).
    struct Rng {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    @Test func byteKeyTableFindsExactlyWhatWasInserted() {
        var table = ByteKeyTable(capacity: 300)
        var reference: [[UInt8]: Int] = [:]
        var rng = Rng(state: 7)
        let alphabet = Array("ab~ +7(Support)".utf8) + [0xD0, 0x90, 0xE2, 0x80, 0x8E]
        for _ in 0..<2000 {
            let key = (0..<rng.next(6)).map { _ in alphabet[rng.next(alphabet.count)] }
            let found = key.withUnsafeBufferPointer { table.find($0) }
            #expect(found == reference[key], "\(key)")
            if found == nil {
                let added = key.withUnsafeBufferPointer { table.insert($0) }
                if reference.count < 300 {
                    #expect(added == reference.count)
                    reference[key] = reference.count
                } else {
                    #expect(added == nil)   // full: nothing more is added
                }
            } else {
                #expect(key.withUnsafeBufferPointer { table.insert($0) } == nil)
            }
        }
        #expect(table.count == 300)
    }

    @Test func bytePatternsCountLikeAPlainSearch() {
        let words = ["<Media omitted>", " created group \"", "image omitted", "<attached: ", " left", "ab", "abab", "бв"]
        let patterns = BytePatterns(words)
        let utf8 = words.map { Array($0.utf8) }
        func plain(_ t: [UInt8], stopAtFirst: Bool) -> Int {
            var n = 0, i = 0
            while i < t.count {
                if let p = utf8.first(where: { i + $0.count <= t.count && Array(t[i..<i + $0.count]) == $0 }) {
                    n += 1
                    if stopAtFirst { return n }
                    i += p.count
                } else { i += 1 }
            }
            return n
        }
        var rng = Rng(state: 11)
        let pieces = words + ["a", "b", " ", "x", "<", "Media", "б", "в", "left"]
        for _ in 0..<500 {
            let text = Array((0..<rng.next(12)).map { _ in pieces[rng.next(pieces.count)] }.joined().utf8)
            text.withUnsafeBufferPointer { t in
                #expect(patterns.occurrences(in: t, stopAtFirst: false) == plain(text, stopAtFirst: false))
                #expect(patterns.occurrences(in: t, stopAtFirst: true) == plain(text, stopAtFirst: true))
                #expect(patterns.matchesPrefix(t) == utf8.contains { text.starts(with: $0) })
            }
        }
    }
}

/// Occurrence numbers of identical messages within one millisecond (the table is only
/// filled once a second message shares the millisecond).
@Suite struct ChatAssemblerOccurrenceTests {
    @Test func identicalMessagesInOneMillisecondAreNumbered() throws {
        let settings = try ConnectorHarness.settings(for: WhatsAppImporter.self, yaml: "")
        let options = try ChatOptions(source: "wa", settings: settings, context: ConnectorContext(timeZone: Samples.utc),
                                      platform: "whatsapp")
        var assembler = ChatAssembler(options: options, platform: "whatsapp", chatId: "whatsapp:x")
        let t0 = Date(timeIntervalSince1970: 1_704_096_000)
        let t1 = t0.addingTimeInterval(60)
        let sequence: [(Date, String, String)] = [
            (t0, "A", "hi"), (t0, "B", "hi"), (t0, "A", "hi"), (t0, "A", "other"), (t0, "A", "hi"),
            (t1, "A", "hi"), (t1, "A", "hi"), (t0, "A", "hi"),
        ]
        let ns = sequence.enumerated().map { k, m in
            assembler.interaction(for: ChatMessage(time: m.0, authorName: m.1, text: m.2, provenance: "f#L\(k)"))
                .externalId.split(separator: "|").last.map(String.init)
        }
        #expect(ns == ["0", "0", "1", "0", "2", "0", "1", "0"])
    }
}

/// The first pass may scan a file in two parts at once: merged, the parts give exactly the scan of the whole.
@Suite struct WhatsAppSplitScanTests {
    /// Day-first dates whose day and month change at different rates, a year-first line, continuation
    /// lines, system lines and a handful of authors.
    func export(lines: Int) -> String {
        var text = "\u{FEFF}01/02/2024, 08:00 - Messages and calls are end-to-end encrypted.\n"
        let authors = ["Anna (Support)", "+7 916 138-38-66", "Customer 5", "~\u{202F}Boris", "Customer 9"]
        for k in 0..<lines {
            let day = 1 + (k / 7) % 28, month = 1 + (k / 200) % 12
            switch k % 13 {
            case 5: text += "second line of the message before\n"
            case 8: text += "2024-\(month)-\(day), 09:1\(k % 10) - \(authors[k % 5]): year first \(k)\n"
            case 11: text += String(format: "%02d/%02d/2024, 10:%02d - Customer 9 left\n", day, month, k % 60)
            default: text += String(format: "%02d/%02d/2024, 10:%02d - %@: message %d\n", day, month, k % 60, authors[k % 5], k)
            }
        }
        return text
    }

    @Test func anyTwoPartsMergeIntoTheWholeScan() throws {
        let text = export(lines: 400)
        let url = try Samples.temporaryFile("WhatsApp Chat with Anna.txt", Data(text.utf8))
        let whole = try WhatsAppImporter.scan(url, from: 0, to: nil)
        #expect(whole.headers > 300 && whole.authors.count == 5 && whole.firstChanges > 0)
        var starts: [UInt64] = [0]
        for (i, b) in text.utf8.enumerated() where b == 0x0A { starts.append(UInt64(i + 1)) }
        for b in starts {
            let merged = try WhatsAppImporter.scan(url, from: 0, to: b).merged(with: WhatsAppImporter.scan(url, from: b, to: nil))
            #expect(merged == whole, "split at \(b)")
        }
        for offset in stride(from: UInt64(0), through: UInt64(text.utf8.count) + 1, by: 7) {
            let expected = starts.first { $0 >= offset }
            #expect(try WhatsAppImporter.lineStart(atOrAfter: offset, in: url) == expected, "offset \(offset)")
        }
    }

    @Test func aBigFileIsScannedInTwoHalvesWithTheSameResult() async throws {
        let text = export(lines: 100_000)
        #expect(UInt64(text.utf8.count) > WhatsAppImporter.parallelScanBytes)
        let url = try Samples.temporaryFile("chat.txt", Data(text.utf8))
        // The split point exists, so firstPass really takes the two-half path.
        let middle = try #require(try WhatsAppImporter.lineStart(atOrAfter: UInt64(text.utf8.count) / 2, in: url))
        #expect(middle > 0 && middle < UInt64(text.utf8.count))
        #expect(try await WhatsAppImporter.firstPass(url) == WhatsAppImporter.scan(url, from: 0, to: nil))
    }
}

/// The per-line time cache answers exactly what the converter answers, repeats and invalid dates included.
@Suite struct WhatsAppLastTimeTests {
    @Test func cachedTimesEqualConvertedOnes() {
        let zone = TimeZone(identifier: "Europe/Berlin")!
        let converter = LocalTimeConverter(timeZone: zone)
        var times = LastTime(converter: LocalTimeConverter(timeZone: zone))
        let sequence: [(Int, Int, Int, Int, Int, Int)] = [
            (2024, 3, 31, 1, 59, 0), (2024, 3, 31, 1, 59, 0), (2024, 3, 31, 2, 30, 0), (2024, 3, 31, 2, 30, 0),
            (2024, 3, 31, 3, 0, 0), (2024, 2, 30, 10, 0, 0), (2024, 2, 30, 10, 0, 0), (2024, 10, 27, 2, 30, 0),
            (2024, 10, 27, 2, 30, 5), (2024, 10, 27, 2, 30, 5), (2023, 12, 31, 23, 59, 59),
            // The same time of day on consecutive days, months and years: the cache key is the whole date.
            (2024, 3, 30, 10, 0, 0), (2024, 3, 31, 10, 0, 0), (2024, 4, 31, 10, 0, 0), (2025, 4, 31, 10, 0, 0),
        ]
        for c in sequence {
            let cached = times.date((c.0, c.1, c.2), hour: c.3, minute: c.4, second: c.5)
            let direct = converter.date(year: c.0, month: c.1, day: c.2, hour: c.3, minute: c.4, second: c.5)
            #expect(cached == direct, "\(c)")
        }
    }
}
