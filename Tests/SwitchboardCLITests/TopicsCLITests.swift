import Foundation
import SwitchboardCore
import Testing

/// `topics apply`, `topics suggest`, `explain` and the report's topics, end to end through the binary.
@Suite(.timeLimit(.minutes(10))) struct TopicsCLITests {
    static let rulesA = """
        topics:
          - {name: billing, keywords: [invoice]}
        """
    static let rulesB = """
        topics:
          - {name: billing, keywords: ["invoice*", "оплат*"]}
          - {name: returns, regex: '(?i)\\b(refund|возврат)', channels: [email, chat]}
        """

    /// `n` conversations: a customer message (texts rotating through billing, returns, delivery and
    /// untopiced ones), an agent reply an hour later; a few carry a native label.
    static func jsonl(_ n: Int) -> String {
        let texts = ["Where is my invoice for March?", "Оплату списали дважды", "I want a refund", "Хочу оформить возврат",
                     "My tracking number does not work", "The tracking number shows nothing", "hello there"]
        var lines: [String] = []
        for k in 0..<n {
            let day = 2 + k % 20, minute = k % 60
            let at = String(format: "2026-03-%02dT10:%02d:00Z", day, minute)
            let reply = String(format: "2026-03-%02dT11:%02d:00Z", day, minute)
            let label = k % 10 == 0 ? #", "topics": ["vip"]"# : ""
            lines.append(#"{"externalId": "q\#(k)", "channel": "email", "platform": "helpdesk", "conversationKey": "T-\#(k)", "kind": "message", "direction": "inbound", "actorRole": "customer", "occurredAt": "\#(at)", "customerKey": "c\#(k % 50)@example.com", "subject": "Ticket \#(k)", "text": "\#(texts[k % texts.count])"\#(label)}"#)
            lines.append(#"{"externalId": "a\#(k)", "channel": "email", "platform": "helpdesk", "conversationKey": "T-\#(k)", "kind": "message", "direction": "outbound", "actorRole": "agent", "actorId": "anna", "occurredAt": "\#(reply)", "customerKey": "c\#(k % 50)@example.com", "text": "Looking into it"}"#)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func config(_ rules: String) -> String {
        """
        store: {sqlite: ./sb.db}
        timezone: UTC
        agents: [{id: anna, emails: [anna@example.com]}]
        \(rules)
        connectors:
          - {name: helpdesk, kind: jsonl, path: ./tickets.jsonl}
        """
    }

    static let report = ["report", "--format", "json", "--from", "2026-03-01", "--to", "2026-04-01", "--now", "2026-04-02",
                         "--by", "topic"]

    /// A workspace whose history was imported under rule set A and whose config now holds rule set B.
    static func history(_ n: Int) throws -> Workspace {
        let ws = try Workspace(config: config(rulesA))
        try ws.write("tickets.jsonl", jsonl(n))
        let imported = try ws.run(["import", "helpdesk", "--quiet"])
        #expect(imported.status == 0, "\(imported.stderr)")
        try ws.write("switchboard.yaml", config(rulesB))
        return ws
    }

    @Test func applyKilledHalfWayThenRestartedEqualsAnUninterruptedApply() throws {
        let interrupted = try Self.history(1200)
        let before = try JSONParser.parse(try interrupted.run(Self.report).stdout)
        let ruleSets = try #require(before["topics"]?["rule_sets"]?.members)
        #expect(ruleSets.count == 1 && ruleSets[0].1.number == 1200)     // every customer message, by rule set A
        #expect(before["by_topic"]?["returns"] == nil)

        let killed = try interrupted.run(["topics", "apply", "--batch-size", "100"],
                                         env: ["SWITCHBOARD_CRASH_AFTER_TOPIC_BATCHES": "4"])
        #expect(killed.status == 9, "SIGKILL after four batches: \(killed.stderr)")
        let resumed = try JSONParser.parse(try interrupted.run(["topics", "apply", "--batch-size", "100", "--json"]).stdout)
        #expect(resumed["resumed_after"]?.number ?? 0 > 0)
        #expect(resumed["read"]?.number == 800)

        let whole = try Self.history(1200)
        let once = try whole.run(["topics", "apply"])
        #expect(once.status == 0, "\(once.stderr)")
        #expect(once.stdout.contains("1200 customer messages read"), "\(once.stdout)")
        let a = try interrupted.run(Self.report), b = try whole.run(Self.report)
        #expect(a.status == 0 && a.stdout == b.stdout)
        let after = try JSONParser.parse(a.stdout)
        for topic in ["billing", "returns", "vip", "(none)"] { #expect(after["by_topic"]?[topic] != nil, "\(topic)") }
        #expect(after["topics"]?["rule_sets"]?.members?.count == 1)
        #expect(after["topics"]?["rules"]?.string == after["topics"]?["rule_sets"]?.members?.first?.0)

        let again = try JSONParser.parse(try whole.run(["topics", "apply", "--json"]).stdout)
        #expect(again["changed"]?.number == 0 && again["current"]?.number == 1200)
    }

    @Test func suggestNamesTheWordsOfUntopicedConversations() throws {
        let ws = try Self.history(140)
        _ = try ws.run(["topics", "apply", "--quiet"])
        let text = try ws.run(["topics", "suggest", "--now", "2026-04-02"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix("54 of 140 conversations without a topic"), "\(text.stdout)")
        let lines = try ws.run(["topics", "suggest", "--now", "2026-04-02", "--json"]).stdout.split(separator: "\n")
        let first = try JSONParser.parse(String(try #require(lines.first)))
        #expect(first["phrase"]?.string == "tracking number", "\(lines.prefix(3))")
        #expect(first["example"]?.string?.hasPrefix("helpdesk/T-") == true)
        // Filters and period apply: no untopiced e-mail in a period without conversations.
        let empty = try ws.run(["topics", "suggest", "--now", "2026-04-02", "--from", "2026-05-01", "--to", "2026-06-01"])
        #expect(empty.stdout.contains("0 of 0 conversations"), "\(empty.stdout)")
    }

    @Test func explainNamesEachTopicAndWhatGaveIt() throws {
        let ws = try Self.history(20)
        _ = try ws.run(["topics", "apply", "--quiet"])
        let out = try ws.run(["explain", "T-10", "--now", "2026-04-02"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("topics:\n"))
        #expect(out.stdout.contains("vip: label from the source on 2026-03-12T10:10:00.000Z [file:tickets.jsonl#L21]"), "\(out.stdout)")
        #expect(out.stdout.contains("rule 'returns' (rule set "), "\(out.stdout)")
        let none = try ws.run(["explain", "T-6", "--now", "2026-04-02"])
        #expect(none.stdout.contains("topics: none"), "\(none.stdout)")
    }

    @Test func badRulesAreConfigErrorsWithFileAndLineAllAtOnce() throws {
        let ws = try Workspace(config: """
            store: {sqlite: ./sb.db}
            topics:
              - {name: billing, keywords: []}
              - {name: returns, regex: '(unclosed'}
              - {name: billing, keywords: [invoice]}
              - {name: calls, keywords: [call], channels: [fax], sources: [nowhere]}
            connectors:
              - {name: helpdesk, kind: jsonl, path: ./tickets.jsonl}
            """)
        let r = try ws.run(["check"])
        #expect(r.status == 2)
        for fragment in [":3:", ":4:", ":5:", ":6:", "topics[0].keywords", "topics[1].regex", "topics[2].name", "fax", "nowhere"] {
            #expect(r.stderr.contains(fragment), "\(fragment) in \(r.stderr)")
        }
    }
}
