import Foundation

extension TextReportRenderer {
    /// The agent time table (one row per agent) and the transfer rate per queue; empty without agent events.
    static func agentTime(_ a: AgentTimeReport?) -> String {
        guard let a, !a.agents.isEmpty || !a.transfersByQueue.isEmpty else { return "" }
        var out = ""
        if !a.agents.isEmpty {
            var rows: [[String]] = [["agent", "logged in", "paused", "talk", "idle", "occupancy", "utilis.", "handled", "transf.", "no answer"]]
            for (id, s) in a.agents.sorted(by: { $0.key < $1.key }) {
                rows.append([String(id.prefix(20)), dur(s.loggedIn), dur(s.paused), dur(s.talk), dur(s.idle), pct(s.occupancy),
                             pct(s.utilisation), "\(s.handled)", "\(s.transfers)", "\(s.ringNoAnswer)"])
            }
            out += "Agent time (occupancy = talk ÷ (logged in − paused))\n" + table(rows)
            let reasons = a.agents.sorted { $0.key < $1.key }.compactMap { id, s -> String? in
                s.pausedByReason.isEmpty ? nil
                    : "\(id): " + s.pausedByReason.sorted { $0.key < $1.key }.map { "\($0.key) \(dur($0.value))" }.joined(separator: ", ")
            }
            if !reasons.isEmpty { out += "Paused by reason: " + reasons.joined(separator: "; ") + "\n" }
            out += "\n"
        }
        if !a.transfersByQueue.isEmpty {
            var rows: [[String]] = [["queue", "handled", "transferred", "transfer rate"]]
            for (q, x) in a.transfersByQueue.sorted(by: { $0.key < $1.key }) {
                rows.append([String(q.prefix(24)), "\(x.handled)", "\(x.transfers)", pct(x.rate)])
            }
            out += "Transfers by queue\n" + table(rows) + "\n"
        }
        return out
    }
}

extension CSVReportRenderer {
    /// `phone_agents.<agent>.<figure>` and `phone_transfers[.<queue>].<figure>` rows (the JSON paths, dots for nesting).
    static func agentMetrics(_ g: GroupMetrics) -> [(String, Double?)] {
        guard let a = g.agentTime else { return [] }
        /// Agent ids and queue names inside a metric name: no comma, quote or line break (the column is not quoted).
        func part(_ s: String) -> String {
            String(s.map { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" ? "_" : $0 })
        }
        var m: [(String, Double?)] = []
        for (id, s) in a.agents.sorted(by: { $0.key < $1.key }) {
            let p = "phone_agents.\(part(id))."
            m += [(p + "logged_in", s.loggedIn), (p + "paused", s.paused), (p + "talk", s.talk), (p + "occupancy", s.occupancy),
                  (p + "utilisation", s.utilisation), (p + "idle", s.idle)]
            for (r, v) in s.pausedByReason.sorted(by: { $0.key < $1.key }) { m.append((p + "paused_by_reason.\(part(r))", v)) }
            m += [(p + "handled", Double(s.handled)), (p + "transfers", Double(s.transfers)), (p + "transfer_rate", s.transferRate),
                  (p + "ring_no_answer", Double(s.ringNoAnswer))]
        }
        let t = a.transfers
        m += [("phone_transfers.handled", Double(t.handled)), ("phone_transfers.transferred", Double(t.transfers)),
              ("phone_transfers.rate", t.rate)]
        for (q, x) in a.transfersByQueue.sorted(by: { $0.key < $1.key }) {
            m += [("phone_transfers.\(part(q)).handled", Double(x.handled)), ("phone_transfers.\(part(q)).transferred", Double(x.transfers)),
                  ("phone_transfers.\(part(q)).rate", x.rate)]
        }
        return m
    }
}
