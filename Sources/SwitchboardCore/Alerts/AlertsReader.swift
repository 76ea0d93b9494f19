import Foundation
import Yams

/// Reads `alerts:` (``AlertRule``). Every problem is reported with its line and key path (`alerts[i].key`):
/// an unknown rule or key, a key the rule does not take, a destination `notifications:` lacks, `warn_at` outside
/// (0 %, 100 %), an FRT rule for a channel without a `targets.frt` target, a source `connectors:` lacks,
/// `business_hours_only` without `business_hours:`.
enum AlertsReader {
    static let commonKeys = ["name", "rule", "notify", "business_hours_only"]

    struct Context {
        var destinations: [String]
        var sources: [String]
        /// Sources `serve` pulls on a schedule: the only ones whose runs `source_failing` watches.
        var scheduled: [String] = []
        var frtTargets: [Channel: Double]
        var hasBusinessHours: Bool
    }

    static func read(_ node: Node, _ context: Context, _ r: NodeReader) -> [AlertRule] {
        guard let seq = node.sequence else {
            r.problem(node, "alerts", "expected a list of alerts (- {name: chat-frt, rule: frt_at_risk, channel: chat, warn_at: 80%, notify: [team]})")
            return []
        }
        var out: [AlertRule] = []
        var names: Set<String> = []
        for (i, item) in seq.enumerated() {
            let path = "alerts[\(i)]"
            guard let map = item.mapping else {
                r.problem(item, path, "expected a mapping with name, rule and notify")
                continue
            }
            // The rule decides which keys are known.
            var kind: AlertRuleKind?
            if let ruleNode = map["rule"], let text = r.string(ruleNode, "\(path).rule") {
                kind = AlertRuleKind(rawValue: text)
                if kind == nil {
                    r.problem(ruleNode, "\(path).rule", "unknown rule '\(text)'\(Suggestion.hint(for: text, in: AlertRuleKind.allCases.map(\.rawValue))); known rules: \(AlertRuleKind.names)")
                }
            } else if map["rule"] == nil {
                r.problem(item, "\(path).rule", "every alert needs rule: one of \(AlertRuleKind.names)")
            }
            guard let kind else { continue }
            let allKeys = AlertRuleKind.allCases.flatMap(\.keys)
            var members: [(key: String, node: Node)] = []
            for (k, v) in map {
                guard let key = k.string else { r.problem(k, path, "keys must be strings"); continue }
                if commonKeys.contains(key) || kind.keys.contains(key) { members.append((key, v)); continue }
                if allKeys.contains(key) {
                    r.problem(k, "\(path).\(key)", "rule \(kind.rawValue) takes no \(key); its keys: \((commonKeys + kind.keys).joined(separator: ", "))")
                } else {
                    let known = commonKeys + kind.keys
                    r.problem(k, "\(path).\(key)", "unknown key\(Suggestion.hint(for: key, in: known)); keys of rule \(kind.rawValue): \(known.joined(separator: ", "))")
                }
            }
            let before = r.problems.count
            var rule = AlertRule(name: "", rule: kind, notify: [], index: i, line: item.mark?.line)
            var channelNode: Node?, clearNode: Node?
            var given: Set<String> = []
            for (k, v) in members {
                let keyPath = "\(path).\(k)"
                given.insert(k)
                switch k {
                case "name":
                    guard let n = r.string(v, keyPath) else { continue }
                    if let problem = ReportsReader.nameProblem(n) { r.problem(v, keyPath, problem) }
                    else if !names.insert(n).inserted { r.problem(v, keyPath, "the alert name '\(n)' is used twice; alert names must be unique") }
                    rule.name = n
                case "notify":
                    guard let list = r.stringList(v, keyPath) else { continue }
                    if list.isEmpty { r.problem(v, keyPath, "name at least one destination of notifications:") }
                    for (j, d) in list.enumerated() where !context.destinations.contains(d) {
                        let known = context.destinations.isEmpty ? "notifications: defines none" : "defined: \(context.destinations.joined(separator: ", "))"
                        r.problem(v.sequence?[j] ?? v, "\(keyPath)[\(j)]", "unknown destination '\(d)'\(Suggestion.hint(for: d, in: context.destinations)); \(known)")
                    }
                    rule.notify = list
                case "business_hours_only":
                    guard let b = r.bool(v, keyPath) else { continue }
                    if b && !context.hasBusinessHours {
                        r.problem(v, keyPath, "business_hours_only needs a business_hours: calendar; add one or remove the key")
                    }
                    rule.businessHoursOnly = b
                case "channel":
                    channelNode = v
                    guard let list = r.stringList(v, keyPath) else { continue }
                    for text in list {
                        guard let channel = Channel(rawValue: text) else {
                            let all = Channel.allCases.map(\.rawValue)
                            r.problem(v, keyPath, "unknown channel '\(text)'\(Suggestion.hint(for: text, in: all)); channels: \(all.joined(separator: ", "))")
                            continue
                        }
                        rule.channels.append(channel)
                    }
                case "source":
                    guard let s = r.string(v, keyPath) else { continue }
                    if !context.sources.contains(s) {
                        r.problem(v, keyPath, "unknown source '\(s)'\(Suggestion.hint(for: s, in: context.sources)); connectors: \(context.sources.joined(separator: ", "))")
                    }
                    rule.source = s
                case "topic": rule.topic = r.string(v, keyPath)
                case "warn_at":
                    guard let f = r.fraction(v, keyPath) else { continue }
                    if f <= 0 || f >= 1 {
                        r.problem(v, keyPath, "warn_at must lie between 0% and 100% of the target (exclusive), such as 80%; frt_breached warns at the target itself")
                    }
                    rule.warnAt = f
                case "threshold", "clear_below":
                    var level: Double?
                    if kind == .abandonmentAbove {
                        level = r.fraction(v, keyPath)
                    } else if let n = wholeNumber(v, keyPath, r, maximum: 1_000_000) { level = Double(n) }
                    if k == "threshold" { rule.threshold = level ?? rule.threshold } else { rule.clearBelow = level; clearNode = v }
                case "min_offered": if let n = wholeNumber(v, keyPath, r, minimum: 1) { rule.minOffered = n }
                case "failures": if let n = wholeNumber(v, keyPath, r, minimum: 1) { rule.failures = n }
                case "window":
                    guard let d = r.duration(v, keyPath) else { continue }
                    if d <= 0 { r.problem(v, keyPath, "expected a duration above zero such as 1h") } else { rule.window = d }
                default: break
                }
            }
            for key in ["name", "notify"] + (kind == .backlogAbove || kind == .abandonmentAbove || kind == .deadLettersAbove ? ["threshold"] : [])
            where !given.contains(key) {
                let hint = ["name": "a unique name such as chat-frt", "notify": "a list of notifications: names",
                            "threshold": kind == .abandonmentAbove ? "a rate such as 20%" : "a count such as 50"][key] ?? ""
                r.problem(item, "\(path).\(key)", "every \(kind.rawValue) alert needs \(key): \(hint)")
            }
            if let clear = rule.clearBelow, given.contains("threshold"), clear > rule.threshold, let clearNode {
                r.problem(clearNode, "\(path).clear_below", "clear_below must be at or below threshold (\(AlertMessage.number(rule.threshold, rate: kind == .abandonmentAbove))): "
                          + "the alert resolves once the value falls to clear_below")
            }
            if kind.perConversation {
                for channel in rule.channels where context.frtTargets[channel] == nil {
                    r.problem(channelNode ?? item, "\(path).channel",
                              "targets.frt has no target for channel '\(channel.rawValue)': add one (targets: {frt: {\(channel.rawValue): 1h}}) or alert on a channel with a target")
                }
            }
            if kind == .sourceFailing, let source = rule.source, context.sources.contains(source), !context.scheduled.contains(source) {
                r.problem(item, "\(path).source", "source '\(source)' has no schedule:, so serve never pulls it and this alert could never fire; "
                          + "give the connector a schedule (schedule: every 5m) or name a scheduled source")
            }
            guard r.problems.count == before else { continue }
            out.append(rule)
        }
        return out
    }

    /// A whole number in `minimum...maximum` written as a scalar.
    static func wholeNumber(_ node: Node, _ path: String, _ r: NodeReader, minimum: Int = 0, maximum: Int = 1_000_000) -> Int? {
        guard let text = r.string(node, path) else { return nil }
        guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= minimum, n <= maximum else {
            r.problem(node, path, "expected a whole number from \(minimum) to \(maximum), got '\(text)'")
            return nil
        }
        return n
    }
}
