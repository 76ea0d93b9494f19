import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

@Suite struct TopicSuggesterTests {
    /// Five topiced documents (billing, orders) and ten untopiced ones, mostly about couriers.
    static let corpus: [(key: String, text: String, untopiced: Bool)] = [
        ("t1", "Курьер привёз не тот товар", false),
        ("t2", "Не проходит оплата картой", false),
        ("u1", "Курьер не приехал, заказ 98765", true),
        ("t3", "Invoice question: payment failed", false),
        ("u2", "Курьер опоздал на 2 часа", true),
        ("u3", "Курьер нагрубил, позвоните +7 (999) 123-45-67", true),
        ("u4", "Опять курьер не позвонил", true),
        ("t4", "Оплата заказа 12345 не прошла", false),
        ("u5", "КУРЬЕР пропал", true),
        ("u6", "The courier never came, email me at john.smith@example.com", true),
        ("u7", "Courier never arrived, see https://example.com/track/123", true),
        ("u8", "השליח לא הגיע", true),
        ("t5", "Где мой заказ? Номер 555", false),
        ("u9", "הַשָּׁלִיחַ לא הגיע עד עכשיו", true),
        ("u10", "Хочу сменить адрес доставки, звоните 8 800 555-35-35 или 89161234567", true),
    ]

    func run(_ corpus: [(key: String, text: String, untopiced: Bool)], limit: Int = 30) -> [TopicSuggestion] {
        TopicSuggester.suggest(documents: corpus.map { ($0.key, $0.text) }, untopiced: corpus.map(\.untopiced), limit: limit)
    }

    @Test func theDistinctivePhrasesOfTheUntopicedComeFirst() {
        let got = run(Self.corpus)
        #expect(got.map(\.phrase) == ["курьер", "courier never", "הגיע", "השליח"])
        #expect(got.map(\.count) == [5, 2, 2, 2])
        #expect(got.map(\.example) == ["u1", "u6", "u8", "u8"])
        // 10 untopiced of 15; "курьер" is in 5 of them and in 1 topiced document.
        #expect(abs(got[0].score - 0.5 * (log(16.0 / 7.0) + 0.001)) < 1e-12)
        #expect(abs(got[1].score - 0.2 * (log(16.0 / 3.0) + 0.001)) < 1e-12)
        #expect(run(Self.corpus, limit: 2).map(\.phrase) == ["курьер", "courier never"])
        #expect(run(Self.corpus, limit: 0).isEmpty)
    }

    @Test func stopWordsPlaceholdersAndSingleLettersAreNeverSuggested() {
        // Fewer than 10 untopiced documents: a count of 1 is enough, so everything that qualifies shows.
        let docs = Self.corpus.filter(\.untopiced).prefix(9)
        let got = run(Array(docs), limit: 1000)
        let words = Set(got.flatMap { $0.phrase.split(separator: " ").map(String.init) })
        #expect(!got.isEmpty)
        for stop in ["не", "на", "the", "me", "at", "לא", "עד", "עכשיו"] { #expect(!words.contains(stop), "\(stop)") }
        for folded in ["john", "smith", "example", "com", "https", "track", "999", "123", "45", "67", "2", "98765", "<phone>",
                       "<email>", "<url>", "<number>"] {
            #expect(!words.contains(folded), "\(folded)")
        }
        #expect(got.allSatisfy { !$0.phrase.contains("<") && $0.phrase.unicodeScalars.count > 1 })
        // Placeholders break phrases: "курьер нагрубил" is one, "нагрубил позвоните" another, nothing spans the phone.
        #expect(got.contains { $0.phrase == "нагрубил позвоните" })
        #expect(!got.contains { $0.phrase.hasPrefix("позвоните ") })
        #expect(!got.contains { $0.phrase == "courier came" })   // "never" sits between
    }

    @Test func tokensFoldNumbersEmailsPhonesAndURLs() {
        #expect(TopicSuggester.tokens("Звоните +7 (999) 123-45-67, пишите Ivan.Petrov@mail.ru или www.shop.ru/help; заказ №12345 от 3 мая")
                == ["звоните", "<phone>", "пишите", "<email>", "или", "<url>", "заказ", "<number>", "от", "<number>", "мая"])
        #expect(TopicSuggester.tokens("see https://example.com/a?b=1 and 8-800-555-35-35") == ["see", "<url>", "and", "<phone>"])
        #expect(TopicSuggester.tokens("room 12-34, code 555") == ["room", "<number>", "<number>", "code", "<number>"])
        #expect(TopicSuggester.tokens("שלום, המספר 054-123-4567") == ["שלום", "המספר", "<phone>"])
        #expect(TopicSuggester.tokens("Ёлка ОПЛАТА") == ["елка", "оплата"])
    }

    @Test func aPhraseWinsOverItsWordsOnlyWhenTheirCountsAreEqual() {
        let docs: [(key: String, text: String, untopiced: Bool)] = (0..<12).map { i in
            // "credit card" in 0…5; "card" alone as well in 6…8; "credit" only in the phrase.
            let text = i < 6 ? "credit card problem \(i)" : i < 9 ? "card blocked" : "something else entirely \(i)"
            return ("d\(i)", text, true)
        }
        let got = run(docs, limit: 100)
        let phrases = got.map(\.phrase)
        #expect(phrases.contains("credit card"))
        #expect(!phrases.contains("credit"))       // same count as "credit card"
        #expect(phrases.contains("card"))          // 9 > 6
        #expect(got.first { $0.phrase == "card" }?.count == 9)
        #expect(got.first { $0.phrase == "credit card" }?.example == "d0")
        #expect(got.first { $0.phrase == "card blocked" }?.example == "d6")
    }

    @Test func deterministic() {
        let a = run(Self.corpus), b = run(Self.corpus)
        #expect(a == b)
        // The same documents in another order: the same phrases, counts and scores (examples follow input order).
        var shuffled = Self.corpus
        var rng = SplitMix(seed: 7)
        shuffled.shuffle(using: &rng)
        let c = run(shuffled)
        #expect(c.map(\.phrase) == a.map(\.phrase))
        #expect(c.map(\.count) == a.map(\.count))
        #expect(c.map(\.score) == a.map(\.score))
        let reversed = run(Self.corpus.reversed())
        #expect(reversed.map(\.phrase) == a.map(\.phrase))
        #expect(reversed.first?.example == "u5")   // the first untopiced "курьер" in reversed order
    }

    @Test func nothingUntopicedNothingSuggested() {
        #expect(TopicSuggester.suggest(documents: [("a", "курьер"), ("b", "курьер")], untopiced: [false, false]).isEmpty)
        #expect(TopicSuggester.suggest(documents: [], untopiced: []).isEmpty)
        #expect(TopicSuggester.suggest(documents: [("a", "курьер")], untopiced: []).isEmpty)
    }
}

/// A small seeded generator so the shuffle is the same on every run.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
