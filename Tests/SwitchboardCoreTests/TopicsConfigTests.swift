import Foundation
import SwitchboardCore
import Testing

@Suite struct TopicsConfigTests {
    let loader = ConfigLoader(registry: ConnectorRegistry([SampleImporter.self]), environment: [:])
    let file = URL(fileURLWithPath: "/etc/switchboard/switchboard.yaml")

    @Test func thePinnedExampleLoadsAndMatches() throws {
        let config = try loader.load(yaml: #"""
            topics:
              - name: billing
                keywords: ["оплат*", "карт*", invoice]   # whole words, case-folded; a trailing * matches any ending
              - name: returns
                regex: '(?i)\b(refund|возврат)'
                channels: [email, chat]                  # optional limits: channels, sources, queues, mailboxes
              - name: VIP запросы/срочно
                keywords: ["срочно"]
                sources: [support-mailbox]
                queues: [VIP]
                mailboxes: ["Support/Billing", INBOX]
            connectors:
              - {name: support-mailbox, kind: sample}
            """#, file: file)
        #expect(config.topics.count == 3)
        #expect(config.topics[0] == TopicRule(name: "billing", keywords: ["оплат*", "карт*", "invoice"], line: 2))
        #expect(config.topics[1].regex == #"(?i)\b(refund|возврат)"#)
        #expect(config.topics[1].channels == [.email, .chat])
        #expect(config.topics[1].line == 4)
        #expect(config.topics[2].sources == ["support-mailbox"])
        #expect(config.topics[2].queues == ["VIP"])
        #expect(config.topics[2].mailboxes == ["Support/Billing", "INBOX"])
        #expect(config.topicRules.rules == config.topics)
        #expect(config.topicRules.fingerprint.count == 12)
        let names = config.topicRules.match(subject: "Оплату картой", text: "и ВОЗВРАТ", channel: .chat,
                                            source: "support-mailbox", queue: nil, mailbox: nil)
        #expect(names == ["billing", "returns"])
        #expect(config.topicRules.match(subject: nil, text: "возврат", channel: .phone, source: "x", queue: nil,
                                        mailbox: nil) == [])
    }

    @Test func noTopicsMeansNoRules() throws {
        let config = try loader.load(yaml: "connectors: []\n", file: file)
        #expect(config.topics.isEmpty)
        #expect(config.topicRules.isEmpty)
        #expect(config.topicRules.fingerprint == "")
    }

    @Test func everyBadRuleIsReportedAtOnceWithLineAndKeyPath() throws {
        let longName = String(repeating: "я", count: 65)
        let error = try #require(throws: ConfigError.self) {
            try loader.load(yaml: #"""
                topics:
                  - name: billing
                    keywords: ["оплат*", "карт*", invoice]
                  - name: returns
                    regex: '(?i)\b(refund|возврат'
                  - name: empty
                    keywords: []
                  - name: nothing
                    channels: [email]
                  - name: stars
                    keywords: ["о*плата", "", ok, "оплат *"]
                  - name: billing
                    keywords: [x1]
                  - name: "bad!name"
                    keywords: [a1]
                  - name: ""
                    keywords: [a2]
                  - name: \#(longName)
                    keywords: [a3]
                  - name: limits
                    keywords: [a4]
                    channels: [email, fax]
                    sources: [shop-mail, shop-mial]
                    queues: [VIP]
                    mailboxes: [INBOX]
                    colour: red
                  - keywords: [a5]
                    queues: []
                connectors:
                  - {name: shop-mail, kind: sample}
                  - {name: chat-log, kind: sample}
                """#, file: file)
        }
        let got = error.problems.map { "\($0.line ?? 0) \($0.keyPath)" }
        #expect(got == [
            "5 topics[1].regex",
            "7 topics[2].keywords",
            "8 topics[3].keywords",
            "11 topics[4].keywords[0]",
            "11 topics[4].keywords[1]",
            "11 topics[4].keywords[3]",
            "12 topics[5].name",
            "14 topics[6].name",
            "16 topics[7].name",
            "18 topics[8].name",
            "22 topics[9].channels[1]",
            "23 topics[9].sources[1]",
            "26 topics[9].colour",
            "27 topics[10].name",
            "28 topics[10].queues",
        ])
        func message(_ path: String) -> String { error.problems.first { $0.keyPath == path }?.message ?? "" }
        #expect(message("topics[1].regex").contains("invalid regular expression"))
        #expect(message("topics[1].regex").contains("expected ')'"))
        #expect(message("topics[2].keywords").contains("empty keyword list"))
        #expect(message("topics[3].keywords").contains("keywords or regex"))
        #expect(message("topics[4].keywords[0]").contains("only at the end"))
        #expect(message("topics[4].keywords[1]").contains("empty keyword"))
        #expect(message("topics[4].keywords[3]").contains("must follow a letter or digit"))
        #expect(message("topics[5].name").contains("defined twice"))
        #expect(message("topics[6].name").contains("'!'"))
        #expect(message("topics[7].name").contains("empty topic name"))
        #expect(message("topics[8].name").contains("at most 64"))
        #expect(message("topics[9].channels[1]").contains("unknown channel 'fax'"))
        #expect(message("topics[9].channels[1]").contains("known channels: email, phone, chat, social, sms, web"))
        #expect(message("topics[9].sources[1]").contains("did you mean 'shop-mail'"))
        #expect(message("topics[9].sources[1]").contains("known sources: shop-mail, chat-log"))
        #expect(message("topics[9].colour").contains("unknown key"))
        #expect(message("topics[10].name").contains("needs a name"))
        #expect(message("topics[10].queues").contains("empty list"))
        #expect(error.description.contains("/etc/switchboard/switchboard.yaml:5:"))
    }

    @Test func topicsMustBeAList() throws {
        let error = try #require(throws: ConfigError.self) {
            try loader.load(yaml: "topics: {billing: [invoice]}\nconnectors: []\n", file: file)
        }
        #expect(error.problems.count == 1)
        #expect(error.problems[0].keyPath == "topics")
        #expect(error.problems[0].line == 1)
    }

    @Test func namesInAnyScriptAreAllowed() throws {
        let config = try loader.load(yaml: """
            topics:
              - {name: "החזרים", keywords: [החזר]}
              - {name: "billing/cards v2", keywords: [card]}
              - {name: "доставка_и.возврат-1", keywords: [доставк*]}
            """, file: file)
        #expect(config.topics.map(\.name) == ["החזרים", "billing/cards v2", "доставка_и.возврат-1"])
        #expect(config.topicRules.match(subject: nil, text: "אני רוצה החזר", channel: .email, source: "a",
                                        queue: nil, mailbox: nil) == ["החזרים"])
    }
}
