import Foundation

/// The message of one alert notice, the same for every destination: a subject line, a few lines of text
/// naming the conversation (source, key, customer, channel, waiting since, agent) or the condition, and for
/// `kind: webhook` the event `{"type":"alert","data":{"alert","rule","state",…}}`. Never carries a secret:
/// only the alert's facts, which hold store data and redacted run errors.
public enum AlertMessage {
    public static func make(_ notice: AlertNotice, timeZone: TimeZone) -> NotificationMessage {
        let f = notice.facts
        let rule = AlertRuleKind(rawValue: notice.rule)
        let what: String
        if rule?.perConversation == true {
            what = "\(f.channel ?? "") conversation \(f.source ?? "")/\(f.conversationKey ?? "")"
        } else {
            what = f.detail.map { "\($0): \(value(f.value, rule))" + (f.threshold.map { " (threshold \(value($0, rule)))" } ?? "") }
                ?? notice.subject
        }
        let label = notice.state == .warning ? "WARNING" : notice.state == .breached ? "BREACHED" : "RESOLVED"
        let subject = "[\(label)] \(notice.alert): " + (rule?.perConversation == true ? what : headline(rule, notice))
        var lines = ["Alert \(notice.alert) (rule \(notice.rule)) is \(notice.state.rawValue).", what.prefix(1).uppercased() + what.dropFirst() + "."]
        if rule?.perConversation == true {
            if let c = f.customer { lines.append("Customer: \(c)") }
            if let since = f.waitingSince {
                var line = "Waiting since: \(local(since, timeZone))"
                if notice.state != .resolved { line += " (\(duration(notice.createdAt.timeIntervalSince(since))))" }
                lines.append(line)
            }
            if let t = f.targetSeconds { lines.append("First response target: \(duration(t))") }
            lines.append("Agent: \(f.agent ?? "none yet")")
            if let detail = f.detail { lines.append(detail.prefix(1).uppercased() + detail.dropFirst()) }
        } else if let source = f.source, notice.rule == AlertRuleKind.sourceFailing.rawValue {
            lines.append("Source: \(source)")
        }
        lines.append("At: \(local(notice.createdAt, timeZone))")
        var data: [NotificationEvent.Field] = [
            .init("alert", .string(notice.alert)), .init("rule", .string(notice.rule)), .init("state", .string(notice.state.rawValue)),
            .init("subject", .string(notice.subject)), .init("at", .time(notice.createdAt)),
        ]
        if rule?.perConversation == true {
            data += [.init("source", text(f.source)), .init("conversation_key", text(f.conversationKey)), .init("customer", text(f.customer)),
                     .init("channel", text(f.channel)), .init("waiting_since", f.waitingSince.map { .time($0) } ?? .null),
                     .init("agent", text(f.agent)), .init("target_seconds", f.targetSeconds.map { .number($0) } ?? .null),
                     .init("detail", text(f.detail))]
        } else {
            data += [.init("source", text(f.source)), .init("channel", text(f.channel)), .init("value", f.value.map { .number($0) } ?? .null),
                     .init("threshold", f.threshold.map { .number($0) } ?? .null), .init("detail", text(f.detail))]
        }
        let id = "alert:\(notice.alert):\(notice.subject):\(Timestamp.milliseconds(notice.episode)):\(notice.state.rawValue)"
        return NotificationMessage(subject: subject, text: lines.joined(separator: "\n"), textStyle: .plain,
                                   event: NotificationEvent(type: "alert", id: id, data: data))
    }

    private static func headline(_ rule: AlertRuleKind?, _ notice: AlertNotice) -> String {
        let f = notice.facts
        let (v, t) = (value(f.value, rule), value(f.threshold, rule))
        switch rule {
        case .backlogAbove: return notice.state == .resolved ? "backlog back to \(v) (threshold \(t))" : "backlog \(v) above \(t)"
        case .abandonmentAbove: return notice.state == .resolved ? "abandonment back to \(v) (threshold \(t))" : "abandonment \(v) above \(t)"
        case .sourceFailing: return "source \(f.source ?? notice.subject) " + (notice.state == .resolved ? "recovered" : "failing")
        case .deadLettersAbove: return notice.state == .resolved ? "dead letters back to \(v) (threshold \(t))" : "\(v) dead letters above \(t)"
        default: return notice.subject
        }
    }

    private static func text(_ s: String?) -> NotificationEvent.Value { s.map { .string($0) } ?? .null }

    private static func value(_ v: Double?, _ rule: AlertRuleKind?) -> String {
        guard let v else { return "?" }
        return number(v, rate: rule == .abandonmentAbove)
    }

    /// A measured value or threshold as notices and config errors show it: a rate in percent, else a count.
    public static func number(_ v: Double, rate: Bool) -> String {
        if rate { return String(format: "%.1f%%", v * 100) }
        return v == v.rounded() ? String(Int64(v)) : String(format: "%.2f", v)
    }

    /// `2026-03-09 10:15:00 +03:00` in `timeZone`.
    public static func local(_ date: Date, _ timeZone: TimeZone) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = timeZone
        f.dateFormat = "yyyy-MM-dd HH:mm:ss xxx"
        return f.string(from: date)
    }

    /// `45s`, `4m 10s`, `2h 5m`, `3d 4h`.
    public static func duration(_ seconds: Double) -> String {
        let s = Int(max(0, seconds).rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return s % 60 == 0 ? "\(s / 60)m" : "\(s / 60)m \(s % 60)s" }
        if s < 86400 { return s % 3600 / 60 == 0 ? "\(s / 3600)h" : "\(s / 3600)h \(s % 3600 / 60)m" }
        return s % 86400 / 3600 == 0 ? "\(s / 86400)d" : "\(s / 86400)d \(s % 86400 / 3600)h"
    }
}
