import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Anchors and aliases are refused in a config, with the line; `&` and `*` elsewhere are not.
@Suite struct YAMLAliasTests {
    func load(_ yaml: String) throws -> SwitchboardConfig {
        try ConfigLoader(registry: ConnectorRegistry([]), environment: [:])
            .load(yaml: yaml, file: URL(fileURLWithPath: "/tmp/aliases.yaml"))
    }

    func refusal(_ yaml: String) -> ConfigProblem? {
        do {
            _ = try load(yaml)
            return nil
        } catch let error as ConfigError {
            return error.problems.first { $0.message.contains("anchors and aliases") }
        } catch {
            return nil
        }
    }

    @Test(arguments: [
        ("connectors: []\ntimezone: &tz UTC\n", 2, 11),
        ("connectors: []\nbusiness_hours:\n  timezone: *tz\n", 3, 13),
        ("connectors: []\nagents:\n  - &a {id: anna}\n", 3, 5),
        ("connectors: []\nagents:\n  -   *a\n", 3, 7),
        ("connectors: [*c]\n", 1, 14),
        ("connectors: []\nx: {a: 1, b: *b}\n", 2, 14),
        ("connectors: []\nx: {\"a\":*b}\n", 2, 9),
        ("connectors: []\n*k : 1\n", 2, 1),
        ("connectors: []\nx: !!str &t value\n", 2, 10),
        ("--- &doc\nconnectors: []\n", 1, 5),
        ("connectors: []\nx: |\n  *not-an-alias\ny: *alias\n", 4, 4),
        ("connectors: []\nx: 'it''s'\ny: &z 1\n", 3, 4),
        ("connectors: []\nx: \"a\\\"b\n  c\"\ny: *z\n", 4, 4),
        ("connectors: []\nx: plain\n  continued\ny: *z\n", 4, 4),
        ("connectors: []\nx:\n  - plain\n  - *z\n", 4, 5),
    ])
    func anchorsAndAliasesAreRefusedWithTheirLine(yaml: String, line: Int, column: Int) throws {
        let problem = try #require(refusal(yaml), "\(yaml)")
        #expect(problem.line == line && problem.column == column, "\(yaml) → \(problem)")
        #expect(problem.description.contains("/tmp/aliases.yaml:\(line):"))
    }

    @Test(arguments: [
        "connectors: []\ntimezone: \"*/5 * * * *\"\n",
        "connectors: []\ntopics: 'R&D *urgent*'\n",
        "connectors: []\ntopics: R&D *urgent* a&b\n",
        "connectors: []\nx: [R&D, a*b, \"*c\", '&d']\n",
        "connectors: []\nx: {k: a*b, l: R&D}\n",
        "connectors: []\n# &comment *too\nx: 1 # &trailing\n",
        "connectors: []\nx: |\n  *starred line\n  &amp; too\n\n  *after a blank\ny: 1\n",
        "connectors: []\nx:\n  - y: >\n      *folded\n",
        "connectors: []\nx: multi line\n  *continued plain\n",
        "connectors: []\nx:\n  long text\n  *continued at its own indent\n",
        "connectors: []\nurl: imaps://*:pw@host\n",
        "connectors: []\nx: \"a\n  *inside quotes\"\n",
        "connectors: []\nx: [a\n  *b]\n",
    ])
    func ampersandsAndStarsElsewhereAreFine(yaml: String) {
        #expect(refusal(yaml) == nil, "\(yaml)")
    }

    @Test func aDeepAliasChainIsRefusedBeforeItIsExpanded() throws {
        var yaml = "connectors: []\nx:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1..<30 { yaml += "  l\(level): &l\(level) [*l\(level - 1), *l\(level - 1), *l\(level - 1)]\n" }
        yaml += "  k: {*l29 : 1}\n"
        let started = ContinuousClock.now
        let problem = try #require(refusal(yaml))
        #expect(problem.line == 3)
        #expect(ContinuousClock.now - started < .seconds(2))
    }
}
