import Foundation

/// The call-stage funnel in the JSON report: `phone.stages.<name>` (pinned: `entered`, `abandoned`), `phone.ivr`
/// and `phone.unstaged` (docs/metrics.md "Call stages").
extension JSONReportRenderer {
    /// Writes the funnel's keys into the open `phone` object.
    static func stages(_ s: PhoneStageStats?, _ w: JSONWriter) {
        guard let s else { return }
        w.key("stages")
        w.object {
            for st in s.stages {
                w.key(st.name)
                w.object {
                    w.key("entered"); w.number(Double(st.entered))
                    w.key("abandoned"); w.number(Double(st.abandoned))
                    w.key("short_abandoned"); w.number(Double(st.shortAbandoned))
                    w.key("ended"); w.number(Double(st.ended))
                    w.key("abandon_rate"); w.number(st.abandonRate)
                    w.key("abandon_wait_median"); w.number(st.abandonWaitMedian)
                    w.key("abandon_wait_p90"); w.number(st.abandonWaitP90)
                    w.key("abandoned_positions")
                    w.object { for (p, n) in st.abandonedPositions.sorted(by: { $0.key < $1.key }) { w.key(String(p)); w.number(Double(n)) } }
                    w.key("entered_by_hour"); hours(st.enteredByHour, w)
                    w.key("abandoned_by_hour"); hours(st.abandonedByHour, w)
                    w.key("entered_by_weekday"); weekdays(st.enteredByWeekday, w)
                    w.key("abandoned_by_weekday"); weekdays(st.abandonedByWeekday, w)
                }
            }
        }
        w.key("ivr"); w.number(Double(s.ivr))
        w.key("unstaged")
        w.object {
            w.key("calls"); w.number(Double(s.unstaged))
            w.key("abandoned"); w.number(Double(s.unstagedAbandoned))
        }
    }

    /// `{"09": 3, …}`: local hours with calls, in order.
    static func hours(_ byHour: [Int: Int], _ w: JSONWriter) {
        w.object { for (h, n) in byHour.sorted(by: { $0.key < $1.key }) { w.key(LocalClock.pad(h, 2)); w.number(Double(n)) } }
    }

    /// `{"mon": 3, …}`: weekdays with calls, Monday first.
    static func weekdays(_ byWeekday: [Int: Int], _ w: JSONWriter) {
        w.object { for (d, n) in byWeekday.sorted(by: { $0.key < $1.key }) { w.key(GroupMetrics.weekdayNames[d]); w.number(Double(n)) } }
    }
}
