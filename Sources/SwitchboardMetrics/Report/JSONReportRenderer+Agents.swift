import Foundation

extension JSONReportRenderer {
    /// `phone.agents` (per agent: logged_in, paused, talk in seconds, occupancy as a fraction, and the rest) and
    /// `phone.transfers` (transfer rate overall and per queue); nothing without agent events.
    static func agentTime(_ a: AgentTimeReport?, _ w: JSONWriter) {
        guard let a else { return }
        w.key("agents")
        w.object {
            for (id, s) in a.agents.sorted(by: { $0.key < $1.key }) {
                w.key(id)
                w.object {
                    w.key("logged_in"); w.number(s.loggedIn)
                    w.key("paused"); w.number(s.paused)
                    w.key("talk"); w.number(s.talk)
                    w.key("occupancy"); w.number(s.occupancy)
                    w.key("utilisation"); w.number(s.utilisation)
                    w.key("idle"); w.number(s.idle)
                    w.key("paused_by_reason")
                    w.object { for (r, v) in s.pausedByReason.sorted(by: { $0.key < $1.key }) { w.key(r); w.number(v) } }
                    w.key("handled"); w.number(Double(s.handled))
                    w.key("transfers"); w.number(Double(s.transfers))
                    w.key("transfer_rate"); w.number(s.transferRate)
                    w.key("ring_no_answer"); w.number(Double(s.ringNoAnswer))
                    w.key("by_hour")
                    w.object {
                        for (h, x) in s.byHour.sorted(by: { $0.key < $1.key }) {
                            w.key(LocalClock.pad(h, 2))
                            w.object {
                                w.key("logged_in"); w.number(x.loggedIn)
                                w.key("paused"); w.number(x.paused)
                                w.key("talk"); w.number(x.talk)
                                w.key("handled"); w.number(Double(x.handled))
                                w.key("transfers"); w.number(Double(x.transfers))
                                w.key("ring_no_answer"); w.number(Double(x.ringNoAnswer))
                            }
                        }
                    }
                }
            }
        }
        w.key("transfers")
        let t = a.transfers
        w.object {
            w.key("handled"); w.number(Double(t.handled))
            w.key("transferred"); w.number(Double(t.transfers))
            w.key("rate"); w.number(t.rate)
            w.key("by_queue")
            w.object {
                for (q, x) in a.transfersByQueue.sorted(by: { $0.key < $1.key }) {
                    w.key(q)
                    w.object {
                        w.key("handled"); w.number(Double(x.handled))
                        w.key("transferred"); w.number(Double(x.transfers))
                        w.key("rate"); w.number(x.rate)
                    }
                }
            }
        }
    }
}
