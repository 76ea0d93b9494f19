import Foundation
import SwitchboardCore
import Testing

@Suite struct TopicRulesTests {
    func match(_ rules: TopicRules, subject: String? = nil, _ text: String?, channel: Channel = .email,
               source: String = "mail", queue: String? = nil, mailbox: String? = nil) -> [String] {
        rules.match(subject: subject, text: text, channel: channel, source: source, queue: queue, mailbox: mailbox)
    }

    @Test func wordsSplitAndFoldAcrossScripts() {
        #expect(TopicText.words("Хочу ОПЛАТИТЬ картой, ёлка!") == ["хочу", "оплатить", "картой", "елка"])
        #expect(TopicText.words("רוֹצֶה הֶחְזֵר כספי") == ["רוצה", "החזר", "כספי"])
        #expect(TopicText.words("Credit-card #42, e-mail: A.B") == ["credit", "card", "42", "e", "mail", "a", "b"])
        // й written decomposed (и + U+0306) stays й; a soft hyphen does not split a word.
        #expect(TopicText.words("мои\u{0306} счёт") == ["мой", "счет"])
        #expect(TopicText.words("опла\u{00AD}та") == ["оплата"])
        #expect(TopicText.words("") == [])
    }

    @Test func russianPrefixKeywordsMatchInflectedWords() throws {
        let rules = try TopicRules([TopicRule(name: "billing", keywords: ["оплат*", "карт*", "invoice"])])
        #expect(match(rules, "Не проходит Оплату") == ["billing"])
        #expect(match(rules, "Заплатил картой вчера") == ["billing"])
        #expect(match(rules, subject: "Счёт", "ОПЛАТА") == ["billing"])
        #expect(match(rules, subject: "Re: your INVOICE", nil) == ["billing"])
        #expect(match(rules, "предоплата не нужна") == [])   // a prefix keyword matches word beginnings only
        #expect(match(rules, "invoices") == [])               // a keyword without * is the whole word
    }

    @Test func yoAndCaseFold() throws {
        let rules = try TopicRules([TopicRule(name: "account", keywords: ["счёт"])])
        #expect(match(rules, "СЧЕТ не пришёл") == ["account"])
        #expect(match(rules, "счёт") == ["account"])
    }

    @Test func hebrewKeywordsIgnoreNiqqudAndMatchWholeWords() throws {
        let rules = try TopicRules([TopicRule(name: "refund", keywords: ["החזר"])])
        #expect(match(rules, "רוצה החזר כספי") == ["refund"])
        #expect(match(rules, "רוצה הֶחְזֵר כספי") == ["refund"])        // niqqud in the text
        #expect(match(rules, "בקשה:החזר!") == ["refund"])              // punctuation separates
        #expect(match(rules, "ההחזרים שלי") == [])                     // not inside another word
        let pointed = try TopicRules([TopicRule(name: "refund", keywords: ["הֶחְזֵר"])])
        #expect(match(pointed, "רוצה החזר כספי") == ["refund"])       // niqqud in the keyword
    }

    @Test func englishWholeWords() throws {
        let rules = try TopicRules([TopicRule(name: "cards", keywords: ["card"])])
        #expect(match(rules, "My CARD was declined.") == ["cards"])
        #expect(match(rules, "two cards") == [])
        #expect(match(rules, "a postcard") == [])
        #expect(match(rules, "card") == ["cards"])
    }

    @Test func multiWordKeywords() throws {
        let rules = try TopicRules([
            TopicRule(name: "cc", keywords: ["credit card"]),
            TopicRule(name: "pay", keywords: ["не прошла оплат*"]),
        ])
        #expect(match(rules, "My credit  card, please") == ["cc"])
        #expect(match(rules, "credit-card") == ["cc"])
        #expect(match(rules, "credit limit, card") == [])
        #expect(match(rules, "card credit") == [])
        #expect(match(rules, "credit") == [])
        #expect(match(rules, "Почему НЕ ПРОШЛА оплатА?") == ["pay"])
        #expect(match(rules, "не прошла") == [])
    }

    @Test func regexRulesWithCyrillicWordBoundaries() throws {
        let rules = try TopicRules([TopicRule(name: "returns", regex: #"(?i)\b(refund|возврат)"#)])
        #expect(match(rules, "Хочу ВОЗВРАТ денег") == ["returns"])
        #expect(match(rules, subject: "Refund please", "thanks") == ["returns"])
        #expect(match(rules, "это невозврат") == [])
        #expect(match(rules, nil) == [])
        let hebrew = try TopicRules([TopicRule(name: "he", regex: #"\bהחזר\b"#)])
        #expect(match(hebrew, "רוצה החזר כספי") == ["he"])
        #expect(match(hebrew, "ההחזר") == [])
    }

    @Test func severalRulesInRuleOrderEachOnce() throws {
        let rules = try TopicRules([
            TopicRule(name: "returns", regex: "(?i)refund"),
            TopicRule(name: "billing", keywords: ["оплат*", "refund"]),
            TopicRule(name: "delivery", keywords: ["доставк*"]),
            TopicRule(name: "billing", keywords: ["карт*"]),
        ])
        #expect(match(rules, subject: "Оплата картой", "refund please, refund") == ["returns", "billing"])
        #expect(match(rules, "доставка и оплата") == ["billing", "delivery"])
        #expect(match(rules, "hello there") == [])
        #expect(match(rules, subject: nil, nil) == [])
    }

    @Test func limits() throws {
        let rules = try TopicRules([
            TopicRule(name: "chat-only", keywords: ["help"], channels: [.chat]),
            TopicRule(name: "shop", keywords: ["help"], sources: ["shop-mail"]),
            TopicRule(name: "vip", keywords: ["help"], queues: ["VIP"]),
            TopicRule(name: "billing-box", keywords: ["help"], mailboxes: ["Support/Billing"]),
            TopicRule(name: "any", keywords: ["help"]),
        ])
        #expect(match(rules, "help", channel: .email) == ["any"])
        #expect(match(rules, "help", channel: .chat) == ["chat-only", "any"])
        #expect(match(rules, "help", source: "shop-mail") == ["shop", "any"])
        #expect(match(rules, "help", queue: "VIP") == ["vip", "any"])
        #expect(match(rules, "help", queue: "vip") == ["any"])
        #expect(match(rules, "help", mailbox: "Support/Billing") == ["billing-box", "any"])
        #expect(match(rules, "help", channel: .chat, source: "shop-mail", queue: "VIP", mailbox: "Support/Billing")
                == ["chat-only", "shop", "vip", "billing-box", "any"])
        #expect(match(rules, "nothing", channel: .chat) == [])
    }

    @Test func invalidRulesThrowNamingTheRule() {
        let bad = #expect(throws: TopicRuleError.self) {
            try TopicRules([TopicRule(name: "broken", regex: "(unclosed")])
        }
        #expect(bad?.rule == "broken")
        #expect(bad?.description.contains("broken") == true)
        #expect(bad?.message.contains("expected ')'") == true)
        #expect(throws: TopicRuleError.self) { try TopicRules([TopicRule(name: "star", keywords: ["о*плата"])]) }
        #expect(throws: TopicRuleError.self) { try TopicRules([TopicRule(name: "empty", keywords: [""])]) }
        #expect(throws: TopicRuleError.self) { try TopicRules([TopicRule(name: "star-only", keywords: ["*"])]) }
        #expect(throws: TopicRuleError.self) { try TopicRules([TopicRule(name: "punct", keywords: ["!!"])]) }
    }

    @Test func fingerprint() throws {
        let base = [
            TopicRule(name: "billing", keywords: ["оплат*", "invoice"], line: 3),
            TopicRule(name: "returns", regex: "(?i)refund", channels: [.email, .chat]),
        ]
        let a = try TopicRules(base)
        #expect(a.fingerprint.count == 12)
        #expect(a.fingerprint.allSatisfy { "0123456789abcdef".contains($0) })
        var moved = base
        moved[0].line = 40
        #expect(try TopicRules(moved).fingerprint == a.fingerprint)           // stable; the line is not part of it
        #expect(try TopicRules(base).fingerprint == a.fingerprint)
        var changes: [[TopicRule]] = []
        var c = base; c[0].name = "billing2"; changes.append(c)
        c = base; c[0].keywords = ["оплат*"]; changes.append(c)
        c = base; c[0].keywords = ["invoice", "оплат*"]; changes.append(c)
        c = base; c[0].keywords = ["оплат", "invoice"]; changes.append(c)
        c = base; c[1].regex = "(?i)refunds"; changes.append(c)
        c = base; c[1].channels = [.email]; changes.append(c)
        c = base; c[1].channels = nil; changes.append(c)
        c = base; c[1].sources = ["mail"]; changes.append(c)
        c = base; c[1].queues = ["vip"]; changes.append(c)
        c = base; c[1].mailboxes = ["INBOX"]; changes.append(c)
        c = base; c.reverse(); changes.append(c)
        c = base; c.removeLast(); changes.append(c)
        let prints = try changes.map { try TopicRules($0).fingerprint }
        #expect(!prints.contains(a.fingerprint))
        #expect(Set(prints).count == prints.count)
        #expect(TopicRules.empty.fingerprint == "")
        #expect(try TopicRules([]).fingerprint == "")
        #expect(TopicRules.empty.isEmpty)
        #expect(!a.isEmpty)
        #expect(a.rules == base)
    }

    @Test func mailboxFromProvenance() {
        #expect(TopicRules.mailbox(fromProvenance: "imap://host/INBOX;UIDVALIDITY=7;UID=42") == "INBOX")
        #expect(TopicRules.mailbox(fromProvenance: "imaps://mail.example.com:993/Support%2FBilling;UIDVALIDITY=9;UID=1")
                == "Support/Billing")
        #expect(TopicRules.mailbox(fromProvenance: "imaps://host/Support/Billing;UIDVALIDITY=9;UID=1") == "Support/Billing")
        #expect(TopicRules.mailbox(fromProvenance: "IMAP://host/%D0%9F%D0%BE%D0%B4%D0%B4%D0%B5%D1%80%D0%B6%D0%BA%D0%B0;UIDVALIDITY=1;UID=2")
                == "Поддержка")
        #expect(TopicRules.mailbox(fromProvenance: "imap://host/INBOX") == "INBOX")
        #expect(TopicRules.mailbox(fromProvenance: "imap://host") == nil)
        #expect(TopicRules.mailbox(fromProvenance: "file:Master.csv#L12") == nil)
        #expect(TopicRules.mailbox(fromProvenance: "webhook:meta@2026") == nil)
        #expect(TopicRules.mailbox(fromProvenance: "") == nil)
    }
}
