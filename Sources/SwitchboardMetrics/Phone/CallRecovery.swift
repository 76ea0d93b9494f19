import Foundation
import SwitchboardCore
import SwitchboardScan

/// What became of one lost call (`abandoned`, `missed`, `timeout`) within `phone.recovery_window`.
/// The window starts when the caller gave up: the call's start plus its wait (the start when no wait is known).
public enum RecoveryVerdict: Sendable, Hashable {
    /// Reached: the team's outbound call was answered, or the customer came back (a customer-opened
    /// conversation on any channel, or an answered inbound call) within the window.
    case recovered(at: Date, after: Double, channel: Channel, platform: Int32, callback: Bool)
    /// Not reached yet, and the window is still open at `now`: undecided, left out of the rate.
    case pending
    /// The window closed without a callback that reached them or a return. `attempts` counts the team's
    /// outbound contacts in the window that did not reach them (unanswered calls, outbound messages);
    /// `late` is the first return or answered callback after the window, if any.
    case neverReached(attempts: Int, lastAttempt: Date?, late: Date?)
    /// No customer key (an anonymous caller): nobody can call back; counted as lost, never recovered.
    case anonymous

    public var isRecovered: Bool { if case .recovered = self { return true } else { return false } }
    /// The window closed without reaching an identified caller.
    public var isNeverReached: Bool { if case .neverReached = self { return true } else { return false } }

    /// One sentence for lists and `explain`.
    public var explanation: String {
        switch self {
        case .recovered(let at, let after, let channel, _, let callback):
            return (callback ? "recovered: the team's call was answered at " : "recovered: the customer came back by \(channel.rawValue) at ")
                + "\(Timestamp.formatISO8601(at)), \(TextReportRenderer.dur(after)) after the lost call"
        case .pending: return "not recovered yet: phone.recovery_window still open at now"
        case .neverReached(let attempts, _, let late):
            return "never reached within phone.recovery_window"
                + (attempts > 0 ? " (\(attempts) unanswered callback attempt\(attempts == 1 ? "" : "s"))" : "")
                + (late.map { "; reached only later, at \(Timestamp.formatISO8601($0))" } ?? "")
        case .anonymous: return "anonymous caller: no number to call back, never recovered"
        }
    }
}

/// The recovery verdict of every lost call of a dataset, by conversation index.
public struct RecoveryVerdicts: Sendable {
    /// Conversation index → verdict, for lost calls only.
    public var verdicts: [Int: RecoveryVerdict] = [:]

    public subscript(_ conversation: Int) -> RecoveryVerdict? { verdicts.isEmpty ? nil : verdicts[conversation] }

    /// Whether the outcome is a lost call (short abandons and ivr calls are not: they were never offered).
    public static func isLost(_ outcome: CallOutcome) -> Bool { outcome == .abandoned || outcome == .missed || outcome == .timeout }

    /// When a lost call ended (the window's start): its start plus its wait.
    static func end(_ c: Conversation) -> Date? {
        guard let open = c.openedAt else { return nil }
        return open.addingTimeInterval(max(0, c.call?.waitSeconds ?? 0))
    }

    /// One contact of a customer with a lost call, in time order (`lost`: another lost call, no recovery).
    struct Contact {
        enum Kind { case returned, callback, attempt, lost }
        var at: Date
        var kind: Kind
        var conversation: Int
    }

    /// Judges every lost call of `data` as of `now` (`only`: the lost calls in these conversation ranges).
    /// One pass finds the lost calls; a second collects the contacts of their customers only (after
    /// `customers.links`, so a return by WhatsApp of a linked number counts), so data without lost calls
    /// costs one pass. Conversations are read in place (a copy of each costs more than the rest).
    public init(_ data: Dataset, window: Double, now: Date, only: [Range<Int>]? = nil) {
        var lost: [Int] = []
        var marked = [Bool](repeating: false, count: data.tables.customers.count)
        var contacts: [Int32: [Contact]] = [:]
        data.conversations.withUnsafeBufferPointer { convs in
            for range in only ?? [convs.indices] {
                for i in range {
                    guard let outcome = convs[i].call?.outcome, Self.isLost(outcome), convs[i].openedAt != nil else { continue }
                    lost.append(i)
                    if convs[i].customer >= 0 { marked[Int(convs[i].customer)] = true }
                }
            }
            guard !lost.isEmpty else { return }
            for j in convs.indices {
                let customer = convs[j].customer
                guard customer >= 0, marked[Int(customer)] else { continue }
                let kind: Contact.Kind?
                let at: Date
                if let open = convs[j].openedAt {
                    at = open
                    if let outcome = convs[j].call?.outcome {
                        kind = outcome == .answered ? .returned : Self.isLost(outcome) ? .lost : nil
                    } else {
                        kind = .returned
                    }
                } else {
                    at = convs[j].firstAt
                    kind = convs[j].outboundOutcome == .answered ? .callback : .attempt
                }
                if let kind { contacts[customer, default: []].append(Contact(at: at, kind: kind, conversation: j)) }
            }
        }
        guard !lost.isEmpty else { return }
        let convs = data.conversations
        // Equal times go by (source, key), as everywhere else: never by where a conversation sits in the dataset.
        let order = data.keyOrder
        for k in contacts.keys {
            contacts[k]!.sort { a, b in
                if a.at != b.at { return a.at < b.at }
                return order.less(convs[a.conversation].source, convs[a.conversation].number,
                                  convs[b.conversation].source, convs[b.conversation].number)
            }
        }
        // Per customer and position, the first contact from there on that reaches them (a return or an
        // answered callback): each lost call finds its recovery (or its late one) in one look-up, however
        // many lost calls and attempts the customer has.
        var reaching: [Int32: [Int]] = [:]
        for (k, list) in contacts {
            var next = [Int](repeating: list.count, count: list.count + 1)
            for p in stride(from: list.count - 1, through: 0, by: -1) {
                next[p] = list[p].kind == .returned || list[p].kind == .callback ? p : next[p + 1]
            }
            reaching[k] = next
        }
        for i in lost {
            let c = convs[i]
            guard c.customer >= 0, let start = c.openedAt, let end = Self.end(c) else {
                verdicts[i] = .anonymous
                continue
            }
            let list = contacts[c.customer] ?? [], next = reaching[c.customer] ?? [0]
            let closes = end.addingTimeInterval(window)
            // The first contact strictly after the lost call's start.
            var lo = 0, hi = list.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if list[mid].at <= start { lo = mid + 1 } else { hi = mid }
            }
            let reach = next[lo]
            var attempts = 0
            var lastAttempt: Date?
            var p = lo
            while p < reach && list[p].at <= closes {
                if list[p].kind == .attempt {
                    attempts += 1
                    lastAttempt = list[p].at
                }
                p += 1
            }
            if reach < list.count && list[reach].at <= closes {
                let x = list[reach], by = convs[x.conversation]
                verdicts[i] = .recovered(at: x.at, after: max(0, x.at.timeIntervalSince(end)), channel: by.channel,
                                         platform: by.platform, callback: x.kind == .callback)
            } else if closes > now {
                verdicts[i] = .pending
            } else {
                verdicts[i] = .neverReached(attempts: attempts, lastAttempt: lastAttempt, late: reach < list.count ? list[reach].at : nil)
            }
        }
    }
}

extension MetricsEngine {
    /// Of conversation indices, each customer's last opened one (the never-reached list: one row per caller,
    /// their last attempt; equal times: the later by (source, key)), in the input's order.
    static func lastPerCustomer(_ picked: [Int], _ data: Dataset) -> [Int] {
        var last: [Int32: Int] = [:]
        let order = data.keyOrder
        for i in picked {
            let c = data.conversations[i]
            if let j = last[c.customer], let a = data.conversations[j].openedAt, let b = c.openedAt {
                let kept = data.conversations[j]
                if a > b || (a == b && !order.less(kept.source, kept.number, c.source, c.number)) { continue }
            }
            last[c.customer] = i
        }
        let keep = Set(last.values)
        return picked.filter { keep.contains($0) }
    }
}

extension Explainer {
    /// A lost call's recovery verdict for `explain` ("" for any other conversation).
    func recovery(_ idx: Int, data: Dataset, now: Date) -> String {
        guard let call = data.conversations[idx].call, RecoveryVerdicts.isLost(call.outcome) else { return "" }
        guard let v = RecoveryVerdicts(data, window: settings.recoveryWindow, now: now)[idx] else { return "" }
        return "  lost call, \(v.explanation)\n"
    }
}
