import Foundation

/// Lost-call recovery and the staffing grid in the JSON report: `phone.recovery` (pinned: `lost`,
/// `recovered`, `rate`) and `phone.staffing` (pinned: a list of `{weekday, hour, offered_per_hour, aht,
/// required_agents, logged_in_agents, service_level}`), with `phone.staffing_backtest` beside it
/// (docs/metrics.md "Lost callers and recovery", "Staffing").
extension JSONReportRenderer {
    /// Writes `recovery`, `staffing` and `staffing_backtest` into the open `phone` object (`null` without
    /// lost calls / for groups without a grid: only overall and queue groups have one).
    static func recoveryAndStaffing(_ p: PhoneStats, _ w: JSONWriter) {
        w.key("recovery")
        if let r = p.recovery {
            w.object {
                w.key("window"); w.number(r.window)
                w.key("lost"); w.number(Double(r.lost))
                w.key("recovered"); w.number(Double(r.recovered))
                w.key("rate"); w.number(r.rate)
                w.key("pending"); w.number(Double(r.pending))
                w.key("never_reached"); w.number(Double(r.neverReached))
                w.key("never_reached_calls"); w.number(Double(r.neverReachedCalls))
                w.key("anonymous"); w.number(Double(r.anonymous))
                w.key("recovered_late"); w.number(Double(r.late))
                w.key("by_callback"); w.number(Double(r.byCallback))
                w.key("by_return"); w.number(Double(r.byReturn))
                w.key("time_to_recovery")
                w.object {
                    w.key("median"); w.number(r.medianTimeToRecovery)
                    w.key("p90"); w.number(r.p90TimeToRecovery)
                    w.key("mean"); w.number(r.meanTimeToRecovery)
                }
                w.key("by_channel"); counts(r.byChannel, w)
                w.key("by_platform"); counts(r.byPlatform, w)
                w.key("by_day")
                w.object {
                    for (day, d) in r.byDay.sorted(by: { $0.key < $1.key }) {
                        w.key(day)
                        w.object {
                            w.key("lost"); w.number(Double(d.lost))
                            w.key("recovered"); w.number(Double(d.recovered))
                            w.key("pending"); w.number(Double(d.pending))
                            w.key("never_reached"); w.number(Double(d.neverReached))
                        }
                    }
                }
            }
        } else { w.null() }
        w.key("staffing")
        guard let s = p.staffing else { return w.null() }
        w.array {
            for c in s.cells {
                w.object {
                    w.key("weekday"); w.string(GroupMetrics.weekdayNames[c.weekday])
                    w.key("hour"); w.number(Double(c.hour))
                    w.key("offered_per_hour"); w.number(c.offeredPerHour)
                    w.key("aht"); w.number(c.aht)
                    w.key("required_agents"); w.number(c.requiredAgents.map(Double.init))
                    w.key("logged_in_agents"); w.number(c.loggedInAgents)
                    w.key("service_level"); w.number(c.serviceLevel)
                    w.key("hours"); w.number(Double(c.hours))
                    w.key("offered"); w.number(Double(c.offered))
                    w.key("erlangs"); w.number(c.erlangs)
                    w.key("agents_on_phones"); w.number(c.onPhones.map(Double.init))
                    w.key("predicted_service_level"); w.number(c.predictedServiceLevel)
                    w.key("backtest_mape"); w.number(c.backtestMAPE)
                    w.key("backtest_weeks"); w.number(Double(c.backtestWeeks))
                    w.key("erlang_a_required_agents"); w.number(c.erlangARequiredAgents.map(Double.init))
                    w.key("erlang_a_abandonment"); w.number(c.erlangAAbandonment)
                }
            }
        }
        w.key("staffing_backtest")
        w.object {
            w.key("mape"); w.number(s.backtestMAPE)
            w.key("hours"); w.number(Double(s.backtestHours))
            w.key("zero_level_hours"); w.number(Double(s.backtestZeroHours))
        }
        w.key("staffing_patience"); w.number(s.patience)
    }
}
