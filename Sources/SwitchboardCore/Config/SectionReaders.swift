import Foundation
import Yams

/// Reads `agents:`.
enum AgentsReader {
    static let keys = ["id", "name", "emails", "phones", "names", "handles"]

    static func read(_ node: Node, _ r: NodeReader) -> [Agent] {
        guard let seq = node.sequence else {
            r.problem(node, "agents", "expected a list of agents (- id: anna …)")
            return []
        }
        var agents: [Agent] = []
        var ids: Set<String> = []
        for (i, item) in seq.enumerated() {
            let path = "agents[\(i)]"
            guard let members = r.mapping(item, path, known: keys) else { continue }
            var agent = Agent(id: "")
            for (k, v, _) in members {
                switch k {
                case "id": agent.id = r.string(v, "\(path).id") ?? ""
                case "name": agent.name = r.string(v, "\(path).name")
                case "emails": agent.emails = r.stringList(v, "\(path).emails") ?? []
                case "phones": agent.phones = r.stringList(v, "\(path).phones") ?? []
                case "names": agent.names = r.stringList(v, "\(path).names") ?? []
                default:
                    for (platform, h, _) in r.mapping(v, "\(path).handles", known: nil) ?? [] {
                        if let s = r.string(h, "\(path).handles.\(platform)") { agent.handles[platform] = s }
                    }
                }
            }
            if agent.id.isEmpty { r.problem(item, "\(path).id", "every agent needs an id") }
            else if !ids.insert(agent.id).inserted { r.problem(item, "\(path).id", "agent id '\(agent.id)' is listed twice") }
            agents.append(agent)
        }
        return agents
    }
}

/// Reads `business_hours:`.
enum BusinessHoursReader {
    static let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    static func read(_ node: Node, defaultZone: TimeZone, _ r: NodeReader) -> BusinessHoursSettings? {
        guard let members = r.mapping(node, "business_hours", known: ["timezone", "weekly", "holidays"]) else { return nil }
        var result = BusinessHoursSettings(timeZone: defaultZone, weekly: [:], holidays: [])
        for (k, v, _) in members {
            switch k {
            case "timezone": if let tz = r.timeZone(v, "business_hours.timezone") { result.timeZone = tz }
            case "weekly":
                for (day, spec, _) in r.mapping(v, "business_hours.weekly", known: days) ?? [] {
                    guard let text = r.string(spec, "business_hours.weekly.\(day)") else { continue }
                    guard let intervals = intervals(text) else {
                        r.problem(spec, "business_hours.weekly.\(day)",
                                  "expected open hours such as \"09:00-18:00\" or \"09:00-13:00,14:00-18:00\" (or \"closed\"), got '\(text)'")
                        continue
                    }
                    result.weekly[days.firstIndex(of: day)! + 1] = intervals
                }
            default:
                for (i, d) in (r.stringList(v, "business_hours.holidays") ?? []).enumerated() {
                    if ConfigValues.date(d) == nil {
                        r.problem(v.sequence?[i] ?? v, "business_hours.holidays[\(i)]", "expected a date YYYY-MM-DD, got '\(d)'")
                    } else {
                        result.holidays.insert(d)
                    }
                }
            }
        }
        return result
    }

    /// `09:00-13:00,14:00-18:00` → intervals in minutes; `22:00-06:00` runs overnight (end + 1440).
    static func intervals(_ text: String) -> [BusinessInterval]? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t.isEmpty || t == "closed" || t == "off" { return [] }
        var out: [BusinessInterval] = []
        for part in t.split(separator: ",") {
            let ends = part.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
            guard ends.count == 2, let a = minutes(ends[0]), let b = minutes(ends[1]), a != b, a < 1440 else { return nil }
            out.append(BusinessInterval(start: a, end: b > a ? b : b + 1440))
        }
        return out.sorted { $0.start < $1.start }
    }

    static func minutes(_ hhmm: String) -> Int? {
        let p = hhmm.split(separator: ":")
        guard p.count == 2, let h = Int(p[0]), let m = Int(p[1]), (0...24).contains(h), (0...59).contains(m),
              h * 60 + m <= 1440 else { return nil }
        return h * 60 + m
    }
}
