import Foundation
import SwitchboardCore

/// A stretch of time in seconds since 1970, `start` inclusive, `end` exclusive.
struct Span: Sendable, Hashable {
    var start: Double
    var end: Double
    var length: Double { max(0, end - start) }
}

/// One agent's time rebuilt from its ``AgentEvent``s as of `now` (docs/metrics.md "Agent time"):
/// logged-in sessions, pauses with their reasons, talk, and the counted moments (calls handled, transfers,
/// rings without answer). Intervals are kept whole; a report clips them to its period.
struct AgentTimeline: Sendable {
    var agent: String
    /// Logged in: sorted, never overlapping.
    var sessions: [Span] = []
    /// Paused, each stretch under one reason (the latest pause still in force): sorted, never overlapping, and
    /// clipped to ``sessions`` once built (a pause without a log-in counts only once the agent logs in).
    var pauses: [(span: Span, reason: String)] = []
    /// Talk of each call (calls at the same time each count).
    var talk: [Span] = []
    /// When a call was taken (its CONNECT, else its completion), with its queue.
    var handled: [(at: Double, queue: String)] = []
    var transfers: [(at: Double, queue: String)] = []
    var ringNoAnswer: [(at: Double, queue: String)] = []

    /// Every agent's timeline from its events; events after `now` are ignored, the rest taken in time order
    /// (equal times in storage order), whatever order the lines had in the file.
    static func build(_ events: [AgentEvent], now: Date) -> [String: AgentTimeline] {
        let limit = now.timeIntervalSince1970
        var byAgent: [String: [AgentEvent]] = [:]
        for e in events where e.at.timeIntervalSince1970 <= limit { byAgent[e.agent, default: []].append(e) }
        var out: [String: AgentTimeline] = [:]
        for (agent, list) in byAgent {
            let ordered = list.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
            var state = AgentState(agent: agent)
            for e in ordered { state.apply(e) }
            out[agent] = state.finish(at: limit)
        }
        return out
    }
}

/// The state machine of one agent's events (the rules of docs/metrics.md "Agent time").
private struct AgentState {
    var line: AgentTimeline
    /// Queues the agent is a member of (ADDMEMBER), and whether it logged in as an agent (AGENTLOGIN).
    var members: Set<String> = []
    var agentLogin = false
    var sessionStart: Double?
    /// End of the last session: a log-off without a log-in never reaches back before it.
    var lastSessionEnd = -Double.infinity
    /// Pauses in force by queue (`*`: every queue), with when they started and their order.
    var pauses: [String: (start: Double, order: Int, reason: String)] = [:]
    var order = 0
    /// The open pause stretch.
    var segment: (start: Double, reason: String)?
    /// Calls connected and not yet completed, by call id.
    var openCalls: [String: (start: Double, queue: String)] = [:]
    /// Calls already counted as handled.
    var counted: Set<String> = []

    init(agent: String) { line = AgentTimeline(agent: agent) }

    mutating func apply(_ e: AgentEvent) {
        let t = e.at.timeIntervalSince1970
        let queue = e.queue.isEmpty ? "*" : e.queue
        order += 1
        switch e.event {
        case "ADDMEMBER":
            members.insert(queue)
            startSession(t)
        case "REMOVEMEMBER":
            if queue == "*" { members.removeAll() } else { members.remove(queue) }
            if members.isEmpty && !agentLogin { endSession(t) }
        case "AGENTLOGIN", "AGENTCALLBACKLOGIN":
            agentLogin = true
            startSession(t)
        case "AGENTLOGOFF", "AGENTCALLBACKLOGOFF":
            if sessionStart != nil {
                members.removeAll()
                agentLogin = false
                endSession(t)
            } else if let seconds = e.param(2).flatMap(Double.init), seconds > 0 {
                // A log-off without a log-in: the log-off says how long the session was.
                let start = max(t - seconds, lastSessionEnd)
                if start < t { line.sessions.append(Span(start: start, end: t)) }
                lastSessionEnd = t
                clearPauses(t)
            }
        case "PAUSE", "PAUSEALL":
            pauses[e.event == "PAUSEALL" ? "*" : queue] = (t, order, e.param(1) ?? "")
            pausesChanged(t)
        case "UNPAUSE":
            if queue == "*" { pauses.removeAll() } else { pauses[queue] = nil }
            pausesChanged(t)
        case "UNPAUSEALL":
            pauses.removeAll()
            pausesChanged(t)
        case "CONNECT":
            openCalls[e.callid] = (t, e.queue)
            countHandled(e, at: t)
        case "COMPLETEAGENT", "COMPLETECALLER":
            endCall(e, at: t, callTime: e.param(2).flatMap(Double.init))
        case "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER":
            endCall(e, at: t, callTime: e.param(4).flatMap(Double.init))
            line.transfers.append((t, e.queue))
        case "RINGNOANSWER":
            line.ringNoAnswer.append((t, e.queue))
        default:
            break
        }
    }

    mutating func startSession(_ t: Double) {
        if sessionStart == nil { sessionStart = max(t, lastSessionEnd) }
    }

    mutating func endSession(_ t: Double) {
        if let s = sessionStart {
            if s < t { line.sessions.append(Span(start: s, end: t)) }
            sessionStart = nil
            lastSessionEnd = t
        }
        clearPauses(t)
    }

    /// A log-off ends every pause.
    mutating func clearPauses(_ t: Double) {
        pauses.removeAll()
        pausesChanged(t)
    }

    /// Closes the open pause stretch when the reason in force changes (or no pause is left), opens the next.
    mutating func pausesChanged(_ t: Double) {
        let latest = pauses.values.max { ($0.start, $0.order) < ($1.start, $1.order) }
        if let s = segment, latest?.reason == s.reason { return }
        if let s = segment, s.start < t { line.pauses.append((Span(start: s.start, end: t), s.reason)) }
        segment = latest.map { (t, $0.reason) }
    }

    mutating func countHandled(_ e: AgentEvent, at t: Double) {
        guard e.callid.isEmpty || counted.insert(e.callid).inserted else { return }
        line.handled.append((t, e.queue))
    }

    /// A call's end: its talk is the call time the line gives (else since its CONNECT).
    mutating func endCall(_ e: AgentEvent, at t: Double, callTime: Double?) {
        let open = openCalls.removeValue(forKey: e.callid)
        let start = callTime.map { t - max(0, $0) } ?? open?.start ?? t
        if start < t { line.talk.append(Span(start: start, end: t)) }
        countHandled(e, at: t)
    }

    /// What is still open at `now` counts to `now`.
    mutating func finish(at now: Double) -> AgentTimeline {
        if let s = sessionStart, s < now { line.sessions.append(Span(start: s, end: now)) }
        if let s = segment, s.start < now { line.pauses.append((Span(start: s.start, end: now), s.reason)) }
        for (_, call) in openCalls where call.start < now { line.talk.append(Span(start: call.start, end: now)) }
        line.sessions.sort { $0.start < $1.start }
        line.talk.sort { $0.start < $1.start }
        line.pauses = AgentTimeline.clip(line.pauses, to: line.sessions)
        return line
    }
}

extension AgentTimeline {
    /// The parts of the pause stretches inside the sessions (paused only while logged in). Both lists are sorted
    /// and never overlap, so one pass over each does it, however many days the timeline holds.
    static func clip(_ pauses: [(span: Span, reason: String)], to sessions: [Span]) -> [(span: Span, reason: String)] {
        var out: [(span: Span, reason: String)] = []
        var k = 0
        for (pause, reason) in pauses {
            while k < sessions.count && sessions[k].end <= pause.start { k += 1 }
            var m = k
            while m < sessions.count && sessions[m].start < pause.end {
                let both = Span(start: max(sessions[m].start, pause.start), end: min(sessions[m].end, pause.end))
                if both.start < both.end { out.append((both, reason)) }
                m += 1
            }
        }
        return out
    }
}
