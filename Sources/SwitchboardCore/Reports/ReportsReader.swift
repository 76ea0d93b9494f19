import Foundation
import Yams

/// Reads `reports:` (``ScheduledReport``). Every problem is reported with its line and key path
/// (`reports[i].key`); `destinations` are the names of `notifications:`, which `notify` must name.
/// Breakdown and channel names are checked by the metrics (`switchboard check`), which own them.
enum ReportsReader {
    static let keys = ["name", "schedule", "period", "by", "notify"] + ScheduledReport.filterKeys

    static func read(_ node: Node, destinations: [String], _ r: NodeReader) -> [ScheduledReport] {
        guard let seq = node.sequence else {
            r.problem(node, "reports", "expected a list of reports (- {name: weekly, schedule: \"0 8 * * mon\", period: previous-week, notify: [lead]})")
            return []
        }
        var out: [ScheduledReport] = []
        var names: Set<String> = []
        for (i, item) in seq.enumerated() {
            let path = "reports[\(i)]"
            guard let members = r.mapping(item, path, known: keys) else { continue }
            var name: String?, schedule: Schedule?, period: ReportPeriod?, notify: [String]?
            var report = ScheduledReport(name: "", schedule: .every(seconds: 1), period: .yesterday, notify: [], index: i,
                                         line: item.mark?.line)
            var valid = true
            for (k, v, _) in members {
                let keyPath = "\(path).\(k)"
                report.keyLines[k] = v.mark?.line
                switch k {
                case "name":
                    guard let n = r.string(v, keyPath) else { valid = false; continue }
                    if let problem = nameProblem(n) { r.problem(v, keyPath, problem); valid = false }
                    else if !names.insert(n).inserted {
                        r.problem(v, keyPath, "the report name '\(n)' is used twice; report names must be unique"); valid = false
                    }
                    name = n
                case "schedule":
                    guard let text = r.string(v, keyPath) else { valid = false; continue }
                    do { schedule = try Schedule(text) }
                    catch let error as ScheduleError { r.problem(v, keyPath, error.message); valid = false }
                    catch { r.problem(v, keyPath, "\(error)"); valid = false }
                case "period":
                    guard let text = r.string(v, keyPath) else { valid = false; continue }
                    if let p = ReportPeriod(rawValue: text) { period = p }
                    else {
                        r.problem(v, keyPath, "unknown period '\(text)'\(Suggestion.hint(for: text, in: ReportPeriod.allCases.map(\.rawValue))); expected one of \(ReportPeriod.names)")
                        valid = false
                    }
                case "by": report.by = r.stringList(v, keyPath) ?? []
                case "notify":
                    guard let list = r.stringList(v, keyPath) else { valid = false; continue }
                    if list.isEmpty { r.problem(v, keyPath, "name at least one destination of notifications:"); valid = false }
                    for (j, d) in list.enumerated() where !destinations.contains(d) {
                        let known = destinations.isEmpty ? "notifications: defines none" : "defined: \(destinations.joined(separator: ", "))"
                        r.problem(v.sequence?[j] ?? v, "\(keyPath)[\(j)]", "unknown destination '\(d)'\(Suggestion.hint(for: d, in: destinations)); \(known)")
                        valid = false
                    }
                    notify = list
                default:
                    report.filters[k] = r.stringList(v, keyPath) ?? []
                }
            }
            for (key, value) in [("name", name != nil), ("schedule", schedule != nil), ("period", period != nil), ("notify", notify != nil)]
            where !value && !members.contains(where: { $0.key == key }) {
                let hint = ["name": "a unique name such as weekly", "schedule": "\"every 24h\" or a cron expression such as \"0 8 * * mon\"",
                            "period": "one of \(ReportPeriod.names)", "notify": "a list of notifications: names"][key] ?? ""
                r.problem(item, "\(path).\(key)", "every report needs \(key): \(hint)")
                valid = false
            }
            guard valid, let name, let schedule, let period, let notify else { continue }
            report.name = name
            report.schedule = schedule
            report.period = period
            report.notify = notify
            out.append(report)
        }
        return out
    }

    /// Why `name` cannot name a report or destination (it appears in file names, logs and lock keys).
    static func nameProblem(_ name: String) -> String? {
        if name.isEmpty || name.count > 64 || name.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0))) }) {
            return "a name may hold 1 to 64 ASCII letters, digits, '-', '_' and '.' only"
        }
        return nil
    }
}
