import Foundation
import SwitchboardCore

/// Renders a ``Report`` in the DESIGN §6 shape (`schema: "switchboard.report/v1"`):
/// snake_case keys in a fixed order, durations in seconds, rates as fractions,
/// `null` for a metric without data. Same report ⇒ byte-identical output.
public enum JSONReportRenderer {
    public static func render(_ r: Report) -> String {
        let w = JSONWriter()
        w.object {
            w.key("schema"); w.string("switchboard.report/v1")
            w.key("period")
            w.object {
                w.key("from"); w.string(Timestamp.formatISO8601(r.from))
                w.key("to"); w.string(Timestamp.formatISO8601(r.to))
                w.key("now"); w.string(Timestamp.formatISO8601(r.now))
                w.key("timezone"); w.string(r.timeZone.identifier)
            }
            w.key("overall"); group(r.overall, w)
            for (d, list) in r.breakdowns {
                w.key("by_\(d.name)")
                w.object {
                    for (k, g) in list { w.key(k); group(g, w) }
                }
            }
            w.key("data_quality")
            dataQuality(r, w)
            w.key("topics"); topics(r, w)
        }
        return w.out + "\n"
    }

    static func dataQuality(_ r: Report, _ w: JSONWriter) {
        w.object {
            w.key("sources")
            w.object {
                for (s, st) in r.dataQuality.sorted(by: { $0.key < $1.key }) {
                    w.key(s)
                    w.object {
                        w.key("stored"); w.number(Double(st.stored))
                        w.key("duplicates"); w.number(Double(st.duplicates))
                        w.key("dead_letters"); w.number(Double(st.deadLetters))
                    }
                }
            }
        }
    }

    /// Which rule set gave the stored rule topics, and with a `topic` breakdown each topic's share of the
    /// period's conversations and its change against the previous period of equal length.
    static func topics(_ r: Report, _ w: JSONWriter) {
        let t = r.topics
        w.object {
            w.key("rules"); if let rules = t.rules { w.string(rules) } else { w.null() }
            w.key("rule_sets"); counts(t.ruleSets, w)
            guard let previous = t.previous, let from = t.previousFrom, let to = t.previousTo else { return }
            w.key("previous_period")
            w.object {
                w.key("from"); w.string(Timestamp.formatISO8601(from))
                w.key("to"); w.string(Timestamp.formatISO8601(to))
            }
            w.key("by_topic")
            w.object {
                for (name, g) in r.groups(.topic) {
                    let before = previous[name] ?? 0
                    w.key(name)
                    w.object {
                        w.key("conversations"); w.number(Double(g.conversations))
                        w.key("share"); w.number(r.overall.conversations > 0 ? Double(g.conversations) / Double(r.overall.conversations) : nil)
                        w.key("previous"); w.number(Double(before))
                        w.key("change"); w.number(Double(g.conversations - before))
                    }
                }
            }
        }
    }

    static func group(_ g: GroupMetrics, _ w: JSONWriter) {
        w.object {
            w.key("conversations"); w.number(Double(g.conversations))
            w.key("resolved"); w.number(Double(g.resolved))
            w.key("unresolved"); w.number(Double(g.unresolved))
            w.key("resolution_rate"); w.number(g.resolutionRate)
            w.key("resolved_to_unresolved"); w.number(g.unresolved > 0 ? Double(g.resolved) / Double(g.unresolved) : nil)
            w.key("frt"); duration(g.frt, w)
            w.key("resolution_time"); duration(g.resolutionTime, w)
            w.key("fcr")
            if g.fcrEligible == 0 { w.null() } else {
                w.object {
                    w.key("eligible"); w.number(Double(g.fcrEligible))
                    w.key("count"); w.number(Double(g.fcrCount))
                    w.key("rate"); w.number(g.fcrRate)
                }
            }
            w.key("csat"); survey(g.csat, "score", w)
            w.key("nps"); survey(g.nps, "score", w)
            w.key("ces")
            if let c = g.ces {
                w.object {
                    w.key("responses"); w.number(Double(c.responses))
                    w.key("mean"); w.number(c.score)
                    w.key("distribution")
                    w.object { for (s, n) in c.distribution.sorted(by: { $0.key < $1.key }) { w.key(JSONWriter.format(s)); w.number(Double(n)) } }
                }
            } else { w.null() }
            w.key("backlog")
            if let b = g.backlog {
                w.object {
                    w.key("open_at_end"); w.number(Double(b.openAtEnd))
                    w.key("age_buckets")
                    w.object { for k in b.ageOrder { w.key(k); w.number(Double(b.ageBuckets[k] ?? 0)) } }
                    if !b.daily.isEmpty {
                        w.key("daily")
                        w.object { for (d, n) in b.daily { w.key(d); w.number(Double(n)) } }
                    }
                }
            } else { w.null() }
            w.key("phone")
            if let p = g.phone {
                w.object {
                    w.key("offered"); w.number(Double(p.offered))
                    w.key("answered"); w.number(Double(p.answered))
                    w.key("abandoned"); w.number(Double(p.abandoned))
                    w.key("short_abandoned"); w.number(Double(p.shortAbandoned))
                    w.key("abandonment_rate"); w.number(p.abandonmentRate)
                    w.key("asa"); w.number(p.asa)
                    w.key("service_level"); w.number(p.serviceLevel)
                    w.key("aht"); w.number(p.aht)
                    w.key("by_hour"); calls(p.byHour.map { (LocalClock.pad($0.key, 2), $0.value) }, w)
                    w.key("by_weekday"); calls(p.byWeekday.map { (GroupMetrics.weekdayNames[$0.key], $0.value) }, w, order: GroupMetrics.weekdayNames)
                    stages(g.phoneStages, w)
                    recoveryAndStaffing(p, w)
                    agentTime(g.agentTime, w)
                }
            } else if g.agentTime != nil {
                w.object { agentTime(g.agentTime, w) }
            } else { w.null() }
            w.key("volume")
            w.object {
                w.key("total"); w.number(Double(g.volume.total))
                w.key("by_channel"); counts(g.volume.byChannel, w)
                w.key("by_platform"); counts(g.volume.byPlatform, w)
                w.key("by_source"); counts(g.volume.bySource, w)
                w.key("by_day"); counts(g.volume.byDay, w)
                w.key("by_weekday_hour")
                w.object {
                    for day in GroupMetrics.weekdayNames.dropFirst() { if let h = g.volume.byWeekdayHour[day] { w.key(day); counts(h, w) } }
                }
                w.key("outbound_by_channel"); counts(g.volume.outboundByChannel, w)
            }
            w.key("preferred_channels")
            if let shares = g.channelShares {
                w.object {
                    w.key("share"); w.object { for (k, v) in shares.sorted(by: { $0.key < $1.key }) { w.key(k); w.number(v) } }
                    w.key("customers_by_most_used"); counts(g.preferredChannel ?? [:], w)
                }
            } else { w.null() }
            w.key("repeat_contact")
            if let rate = g.repeatContactRate {
                w.object {
                    w.key("customers"); w.number(Double(g.customers))
                    w.key("repeat_customers"); w.number(Double(g.repeatCustomers))
                    w.key("rate"); w.number(rate)
                }
            } else { w.null() }
            w.key("without_topic")
            w.object {
                w.key("conversations"); w.number(Double(g.withoutTopic))
                w.key("share"); w.number(g.conversations > 0 ? Double(g.withoutTopic) / Double(g.conversations) : nil)
            }
            w.key("targets")
            w.object {
                for t in g.targets {
                    w.key(t.name)
                    w.object {
                        w.key("target"); w.number(t.target)
                        if let a = t.within, let b = t.beyond {
                            w.key("within"); w.number(Double(a))
                            w.key("beyond"); w.number(Double(b))
                            w.key("attainment"); w.number(t.value)
                        } else {
                            w.key("value"); w.number(t.value)
                        }
                        w.key("status"); w.string(t.met ? "met" : "missed")
                    }
                }
            }
        }
    }

    static func duration(_ d: DurationStats?, _ w: JSONWriter) {
        guard let d else { return w.null() }
        w.object {
            w.key("count"); w.number(Double(d.count))
            w.key("mean"); w.number(d.mean)
            w.key("median"); w.number(d.median)
            w.key("p90"); w.number(d.p90)
            w.key("business")
            w.object {
                w.key("mean"); w.number(d.businessMean)
                w.key("median"); w.number(d.businessMedian)
                w.key("p90"); w.number(d.businessP90)
            }
            w.key("buckets")
            w.object { for (k, n) in d.buckets { w.key(k); w.number(Double(n)) } }
        }
    }

    static func survey(_ s: SurveyStats?, _ name: String, _ w: JSONWriter) {
        guard let s else { return w.null() }
        w.object {
            w.key("responses"); w.number(Double(s.responses))
            w.key(name); w.number(s.score)
        }
    }

    static func counts(_ c: [String: Int], _ w: JSONWriter) {
        w.object { for (k, n) in c.sorted(by: { $0.key < $1.key }) { w.key(k); w.number(Double(n)) } }
    }

    static func calls(_ c: [(String, CallCounts)], _ w: JSONWriter, order: [String]? = nil) {
        let sorted = c.sorted { a, b in
            if let order { return order.firstIndex(of: a.0)! < order.firstIndex(of: b.0)! }
            return a.0 < b.0
        }
        w.object {
            for (k, v) in sorted {
                w.key(k)
                w.object {
                    w.key("offered"); w.number(Double(v.offered))
                    w.key("answered"); w.number(Double(v.answered))
                    w.key("abandoned"); w.number(Double(v.abandoned))
                    w.key("answered_within_target"); w.number(Double(v.answeredWithin))
                }
            }
        }
    }
}

/// A minimal streaming JSON writer with deterministic number formatting.
final class JSONWriter {
    var out = ""
    private var needsComma = [false]

    func object(_ body: () -> Void) {
        separator()
        out += "{"
        needsComma.append(false)
        body()
        needsComma.removeLast()
        out += "}"
    }

    /// A JSON array whose elements `body` writes (objects, strings, numbers) one after another.
    func array(_ body: () -> Void) {
        separator()
        out += "["
        needsComma.append(false)
        body()
        needsComma.removeLast()
        out += "]"
    }

    func key(_ k: String) {
        separator()
        out += JSONString.quoted(k) + ":"
        pendingValue = true
    }

    private var pendingValue = false

    private func separator() {
        if pendingValue { pendingValue = false; return }
        if needsComma[needsComma.count - 1] { out += "," }
        needsComma[needsComma.count - 1] = true
    }

    func string(_ s: String) { separator(); out += JSONString.quoted(s); markDone() }
    func null() { separator(); out += "null"; markDone() }
    func number(_ v: Double?) {
        guard let v, v.isFinite else { return null() }
        separator()
        out += Self.format(v)
        markDone()
    }

    private func markDone() { needsComma[needsComma.count - 1] = true }

    /// Integers without a fraction; others with up to 6 decimals, trailing zeros dropped.
    static func format(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        var s = String(format: "%.6f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }
}
