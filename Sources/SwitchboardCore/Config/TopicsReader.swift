import Foundation
import Yams

/// Reads `topics:` (DESIGN §5 "Topics"):
///
/// ```yaml
/// topics:
///   - name: billing
///     keywords: ["оплат*", "карт*", invoice]   # whole words, case-folded; a trailing * matches any ending
///   - name: returns
///     regex: '(?i)\b(refund|возврат)'
///     channels: [email, chat]                  # optional limits: channels, sources, queues, mailboxes
/// ```
///
/// Every problem is reported with its line and key path (`topics[i].key`); `connectors` are the
/// connector names of the config, which a `sources` limit must name.
enum TopicsReader {
    static let keys = ["name", "keywords", "regex", "channels", "sources", "queues", "mailboxes"]
    static let maxNameLength = 64

    static func read(_ node: Node, connectors: [String], _ r: NodeReader) -> [TopicRule] {
        guard let seq = node.sequence else {
            r.problem(node, "topics", "expected a list of topic rules (- name: billing, keywords: [\"оплат*\", invoice])")
            return []
        }
        var rules: [TopicRule] = []
        var names: Set<String> = []
        for (i, item) in seq.enumerated() {
            let path = "topics[\(i)]"
            guard let members = r.mapping(item, path, known: keys) else { continue }
            var rule = TopicRule(name: "", line: item.mark?.line)
            var hasName = false, hasKeywords = false, hasRegex = false
            for (k, v, _) in members {
                let keyPath = "\(path).\(k)"
                switch k {
                case "name":
                    hasName = true
                    guard let name = r.string(v, keyPath) else { continue }
                    rule.name = name
                    if let problem = nameProblem(name) {
                        r.problem(v, keyPath, problem)
                    } else if !names.insert(name).inserted {
                        r.problem(v, keyPath, "the topic '\(name)' is defined twice; topic names must be unique")
                    }
                case "keywords":
                    hasKeywords = true
                    guard let list = r.stringList(v, keyPath) else { continue }
                    if list.isEmpty {
                        r.problem(v, keyPath, "empty keyword list: give at least one keyword, or leave keywords out and give regex")
                    }
                    for (j, keyword) in list.enumerated() {
                        if case .failure(let problem) = TopicRules.parse(keyword: keyword) {
                            r.problem(v.sequence?[j] ?? v, "\(keyPath)[\(j)]", problem.description)
                        }
                    }
                    rule.keywords = list
                case "regex":
                    hasRegex = true
                    guard let pattern = r.string(v, keyPath) else { continue }
                    if case .failure(let problem) = TopicRules.compile(regex: pattern) {
                        r.problem(v, keyPath, problem.description)
                    }
                    rule.regex = pattern
                case "channels":
                    guard let list = limit(v, keyPath, r) else { continue }
                    var set: Set<Channel> = []
                    let known = Channel.allCases.map(\.rawValue)
                    for (j, name) in list.enumerated() {
                        if let channel = Channel(rawValue: name) {
                            set.insert(channel)
                        } else {
                            r.problem(v.sequence?[j] ?? v, "\(keyPath)[\(j)]",
                                      "unknown channel '\(name)'\(Suggestion.hint(for: name, in: known)); known channels: \(known.joined(separator: ", "))")
                        }
                    }
                    rule.channels = set
                case "sources":
                    guard let list = limit(v, keyPath, r) else { continue }
                    for (j, name) in list.enumerated() where !connectors.contains(name) {
                        let known = connectors.isEmpty ? "there are no connectors" : "known sources: \(connectors.joined(separator: ", "))"
                        r.problem(v.sequence?[j] ?? v, "\(keyPath)[\(j)]",
                                  "unknown source '\(name)'\(Suggestion.hint(for: name, in: connectors)): a source is the name of an entry of connectors; \(known)")
                    }
                    rule.sources = Set(list)
                case "queues":
                    if let list = limit(v, keyPath, r) { rule.queues = Set(list) }
                default:
                    if let list = limit(v, keyPath, r) { rule.mailboxes = Set(list) }
                }
            }
            if !hasName { r.problem(item, "\(path).name", "every topic needs a name") }
            if !hasKeywords && !hasRegex {
                r.problem(item, "\(path).keywords", "a topic needs keywords or regex (or both)")
            }
            rules.append(rule)
        }
        return rules
    }

    /// A limit list; an empty one is a problem (it would match nothing).
    private static func limit(_ node: Node, _ path: String, _ r: NodeReader) -> [String]? {
        guard let list = r.stringList(node, path) else { return nil }
        if list.isEmpty {
            r.problem(node, path, "empty list: it would match nothing; leave the limit out to allow any")
            return nil
        }
        return list
    }

    /// What is wrong with a topic name, if anything.
    static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "empty topic name" }
        if name.count > maxNameLength {
            return "the topic name is \(name.count) characters long; at most \(maxNameLength) are allowed"
        }
        if let bad = name.first(where: { !($0.isLetter || $0.isNumber || "-_./ ".contains($0)) }) {
            return "a topic name may hold letters, digits, '-', '_', '.', '/' and spaces only, not '\(bad)'"
        }
        if name.first == " " || name.last == " " || name.contains("  ") {
            return "a topic name may not begin or end with a space or hold two spaces in a row"
        }
        return nil
    }
}
