import Foundation
import SwitchboardCore

/// A word or two-word phrase `topics suggest` proposes as a keyword.
public struct TopicSuggestion: Sendable, Hashable {
    /// One folded word, or two separated by a space.
    public var phrase: String
    /// Untopiced documents containing it.
    public var count: Int
    /// Distinctiveness (tf-idf style); higher first.
    public var score: Double
    /// The key of the first untopiced document (in input order) containing it.
    public var example: String
    public init(phrase: String, count: Int, score: Double, example: String) {
        self.phrase = phrase
        self.count = count
        self.score = score
        self.example = example
    }
}

/// The `topics suggest` algorithm: the most distinctive words and two-word phrases of the
/// conversations no topic rule matched. Pure; no I/O.
///
/// Documents are split and folded like the topic matcher (``TopicText``), after URLs, e-mail
/// addresses, phone numbers (7+ digits) and numbers are folded to `<url>`, `<email>`, `<phone>`,
/// `<number>`: those placeholders and stop words are never suggested and break phrases.
/// For a phrase p, with U untopiced documents of N:
///
///     count = untopiced documents containing p
///     score = count / U × (ln((N + 1) / (df + 1)) + 0.001)      df = documents of all N containing p
///
/// Phrases need count ≥ 2 (≥ 1 when U < 10). A word is dropped when a kept two-word phrase
/// holding it has the same count (the phrase says more). Sorted by score, count, then phrase.
public enum TopicSuggester {
    /// documents: the first customer message (subject + text) of each conversation in the period, with a key to show as example;
    /// untopiced: which of them have no topic (an index past its end counts as topiced).
    /// Returns the most distinctive words and two-word phrases of the untopiced ones.
    public static func suggest(documents: [(key: String, text: String)], untopiced: [Bool], limit: Int = 30) -> [TopicSuggestion] {
        guard limit > 0 else { return [] }
        func isUntopiced(_ i: Int) -> Bool { i < untopiced.count && untopiced[i] }

        // Pass 1: the untopiced documents give the candidates, their counts and examples.
        var counts: [String: Int] = [:]
        var example: [String: Int] = [:]
        var untopicedDocs = 0
        for (i, doc) in documents.enumerated() where isUntopiced(i) {
            untopicedDocs += 1
            for p in phrases(doc.text) {
                counts[p, default: 0] += 1
                if example[p] == nil { example[p] = i }
            }
        }
        guard untopicedDocs > 0 else { return [] }
        // Pass 2: how many topiced documents hold each candidate.
        var elsewhere: [String: Int] = [:]
        for (i, doc) in documents.enumerated() where !isUntopiced(i) {
            for p in phrases(doc.text) where counts[p] != nil { elsewhere[p, default: 0] += 1 }
        }

        let minCount = untopicedDocs < 10 ? 1 : 2
        var kept = counts.filter { $0.value >= minCount }
        // A word whose count equals a kept phrase holding it is said better by the phrase.
        var covered: Set<String> = []
        for (phrase, count) in kept {
            guard let space = phrase.firstIndex(of: " ") else { continue }
            for word in [String(phrase[..<space]), String(phrase[phrase.index(after: space)...])]
            where kept[word] == count {
                covered.insert(word)
            }
        }
        for word in covered { kept[word] = nil }

        let n = Double(documents.count), u = Double(untopicedDocs)
        var out: [TopicSuggestion] = []
        out.reserveCapacity(kept.count)
        for (phrase, count) in kept {
            let df = Double(count + (elsewhere[phrase] ?? 0))
            let score = Double(count) / u * (log((n + 1) / (df + 1)) + 0.001)
            out.append(TopicSuggestion(phrase: phrase, count: count, score: score, example: documents[example[phrase]!].key))
        }
        out.sort { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.count != b.count { return a.count > b.count }
            return a.phrase.utf8.lexicographicallyPrecedes(b.phrase.utf8)
        }
        return out.count > limit ? Array(out.prefix(limit)) : out
    }

    /// The distinct words and two-word phrases of one document worth suggesting.
    static func phrases(_ text: String) -> Set<String> {
        let tokens = self.tokens(text)
        var out: Set<String> = []
        var previous: String? = nil
        for t in tokens {
            guard isContent(t) else { previous = nil; continue }
            out.insert(t)
            if let p = previous { out.insert(p + " " + t) }
            previous = t
        }
        return out
    }

    /// Whether a token may be (part of) a suggestion: not a placeholder, a stop word or one letter.
    static func isContent(_ token: String) -> Bool {
        guard !token.hasPrefix("<") else { return false }
        var scalars = token.unicodeScalars.makeIterator()
        _ = scalars.next()
        guard scalars.next() != nil else { return false }
        return !stopWords.contains(token)
    }

    // MARK: Tokens

    public static let urlToken = "<url>", emailToken = "<email>", phoneToken = "<phone>", numberToken = "<number>"

    /// The folded words of `text` as the suggester sees them: URLs, e-mail addresses and phone
    /// numbers (7 or more digits, with an optional `+`, spaces, dashes and parentheses) are folded
    /// to `<url>`, `<email>` and `<phone>` before the text is split; words of digits only become `<number>`.
    public static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        func words(_ s: Substring) {
            guard !s.isEmpty else { return }
            TopicText.forEachWord(String(s)) { w in
                out.append(w.unicodeScalars.allSatisfy { $0.properties.numericType != nil } ? numberToken : w)
            }
        }
        guard mayHoldEntity(text) else {
            words(Substring(text))
            return out
        }
        let ns = NSRange(text.startIndex..., in: text)
        var cursor = text.startIndex
        for m in entities.regex.matches(in: text, options: [], range: ns) {
            guard let whole = Range(m.range, in: text) else { continue }
            let token: String
            if m.range(at: 1).location != NSNotFound {
                token = urlToken
            } else if m.range(at: 2).location != NSNotFound {
                token = emailToken
            } else {
                let digits = text[whole].unicodeScalars.reduce(0) { $0 + ($1.properties.numericType != nil ? 1 : 0) }
                guard digits >= 7 else { continue }   // too short for a phone: plain numbers
                token = phoneToken
            }
            words(text[cursor..<whole.lowerBound])
            out.append(token)
            cursor = whole.upperBound
        }
        words(text[cursor...])
        return out
    }

    /// Cheap test before the regular expression: an '@', a ':' or "www", or a digit.
    private static func mayHoldEntity(_ text: String) -> Bool {
        var w = 0
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "@"), UInt8(ascii: ":"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
            case UInt8(ascii: "w"), UInt8(ascii: "W"):
                w += 1
                if w == 3 { return true }
            default: w = 0
            }
        }
        return false
    }

    private final class RegexBox: @unchecked Sendable {   // NSRegularExpression is immutable and thread-safe
        let regex: NSRegularExpression
        init(_ pattern: String) { regex = try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) }
    }

    /// 1: a URL, 2: an e-mail address, 3: a phone number candidate (its digits are counted).
    private static let entities = RegexBox(
        #"\b((?:https?|ftp)://[^\s<>"']+|www\.[^\s<>"']+)"#
            + #"|([\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)+)"#
            + #"|(\+?\(?\d[\d \t\-()]{5,}\d)"#)

    // MARK: Stop words

    /// Common function words of English, Russian and Hebrew (articles, pronouns, prepositions,
    /// conjunctions, particles, auxiliaries), plus the greetings and courtesies nearly every
    /// support message holds; folded like the text.
    static let stopWords: Set<String> = {
        let english = """
            a about above after again against all also am an and any are as at be because been before being below \
            between both but by can could did do does doing don down during each few for from further had has have \
            having he her here hers herself him himself his how if in into is it its itself just ll me more most my \
            myself no nor not now of off on once only or other our ours ourselves out over own re same she should so \
            some such than that the their theirs them themselves then there these they this those through to too \
            under until up ve very was we were what when where which while who whom why will with would you your \
            yours yourself yourselves get got via yet still even ever per let us may might must shall \
            hi hello hey thanks thank please dear regards best
            """
        let russian = """
            и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот \
            от меня еще нет о об из ему теперь когда даже ну ли если уже или ни быть был него до вас нибудь опять уж \
            вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без \
            будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один \
            почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два другой хоть после над \
            больше тот через эти нас про всего них какая много разве три эту моя впрочем свою этой перед иногда \
            лучше чуть том нельзя такой им более всегда конечно всю между это наш ваш ваша ваше ваши вашей вашего \
            мои моей мою моего также очень просто почему как какие который которые которая этим эта \
            здравствуйте привет добрый доброе спасибо пожалуйста уважением
            """
        let hebrew = """
            של את על עם זה זו זאת הוא היא הם הן אני אתה אנחנו אתם אתן לא כן גם רק אבל או אם כי מה מי איך למה מתי \
            איפה יש אין היה הייתה היו יהיה להיות כל כמו עוד כבר אז פה שם כאן אל מן מאוד הרבה קצת אחרי לפני בין \
            תחת ליד עד לי לך לו לה לנו לכם להם שלי שלך שלו שלה שלנו שלכם שלהם אותי אותך אותו אותה אותנו אותם \
            בו בה בי בך בהם ממני ממך ממנו זהו הזה הזאת האלה אלה אלו כך ככה אשר לכן אולי כדי בגלל עכשיו \
            שלום תודה בבקשה היי
            """
        var set: Set<String> = []
        for list in [english, russian, hebrew] { for w in TopicText.words(list) { set.insert(w) } }
        return set
    }()
}
