import Foundation
import SwitchboardCore
import Testing

@Suite struct TopicsTests {
    @Test func labelsAreTrimmedFoldedCutAndSorted() {
        #expect(Topics.normalize([" vip", "billing", "vip", "", "  "]) == ["billing", "vip"])
        #expect(Topics.normalize(["a\tb\n c"]) == ["a b c"])
        #expect(Topics.normalize([String(repeating: "я", count: 100)]) == [String(repeating: "я", count: Topics.maxLength)])
        // Byte-wise order: Latin before Cyrillic before Hebrew; case kept.
        #expect(Topics.normalize(["שאלה", "оплата", "Billing", "billing"]) == ["Billing", "billing", "оплата", "שאלה"])
        #expect(Topics.normalize((0..<50).map { "t\($0)" }).count == Topics.maxCount)
    }

    @Test func storedFormRoundTrips() {
        #expect(Topics.encode([]) == nil)
        #expect(Topics.encode(["", " "]) == nil)
        #expect(Topics.encode(["vip", "billing"]) == "billing\nvip")
        #expect(Topics.decode("billing\nvip") == ["billing", "vip"])
        #expect(Topics.decode(nil) == [] && Topics.decode("") == [])
    }

    @Test func jsonFormCarriesNativeTopicsOnly() throws {
        var i = Interaction(source: "s", externalId: "e", channel: .chat, platform: "p", conversationKey: "c", kind: .message,
                            direction: .inbound, actorRole: .customer, occurredAt: Date(timeIntervalSince1970: 0), provenance: "x",
                            topics: ["vip"])
        i.ruleTopics = ["billing"]
        let data = try JSONEncoder().encode(i)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""topics":["vip"]"#))
        #expect(!text.contains("billing"))
        let back = try JSONDecoder().decode(Interaction.self, from: data)
        #expect(back.topics == ["vip"] && back.ruleTopics.isEmpty)
        i.topics = []
        #expect(!String(decoding: try JSONEncoder().encode(i), as: UTF8.self).contains("topics"))
    }
}

@Suite struct TopicsNormalFormTests {
    /// The no-allocation check agrees with the full fold on every kind of label.
    @Test func theFastCheckAgreesWithTheFold() {
        let labels = ["support", "Support/Billing", "оплата", "חשבון", "a b", "a  b", " a", "a ", "", "a\tb", "a\u{00A0}b",
                      "a\u{2028}b", String(repeating: "x", count: 64), String(repeating: "x", count: 65),
                      String(repeating: "я", count: 32), String(repeating: "я", count: 33), "+74950000001", "a\u{7F}"]
        for l in labels {
            let fast = Topics.encode([l])
            let full = Topics.normalize(label: l)
            #expect(fast == full, "\(l.debugDescription)")
        }
    }
}
