import Foundation
import Logging
import SwitchboardCore

// Agent activity of a queue_log (connectors/phone/README.md "Agent time"): log-ins, membership, pauses and the
// agent's side of calls, kept as `AgentEvent`s beside the calls. Lines of events this reader does not know are
// counted and skipped: never a call, never a dead letter.

extension QueueEvent {
    /// Events about an agent alone (never a call).
    static let agentOnly: Set<String> = ["AGENTLOGIN", "AGENTLOGOFF", "AGENTCALLBACKLOGIN", "AGENTCALLBACKLOGOFF",
                                         "ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL"]
    /// Call events that also say what the agent did (kept as agent events too).
    static let agentCallEvents: Set<String> = ["CONNECT", "COMPLETEAGENT", "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER",
                                               "ATTENDEDTRANSFER", "RINGNOANSWER"]
    /// Lines Asterisk writes that carry nothing the reports read.
    static let informational: Set<String> = ["QUEUESTART", "CONFIGRELOAD", "INFO", "SYSCOMPAT", "AGENTDUMP", "AGENTCALLED",
                                             "RINGCANCELED", "DID", "PAUSEREASON", "MEMBERPENALTY", "ADDMEMBERPENALTY"]
    /// Every event name this reader knows; anything else is an unknown event.
    static let known: Set<String> = callEvents.union(agentOnly).union(informational)
}

/// What a ``QueueLogReader`` keeps besides calls: agent lines (when asked) and the count of unknown events.
struct AgentLineLog: Sendable {
    /// Keep agent lines (the `asterisk-queue-log` kind, and `asterisk-cdr` reading a `queue_log`).
    var keep = false
    var lines: [QueueEvent] = []
    /// Unknown event name → lines.
    var unknown: [String: Int] = [:]

    var unknownTotal: Int { unknown.values.reduce(0, +) }

    /// `FOO ×2, BAR ×1` (most first).
    var unknownSummary: String {
        unknown.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
    }
}

extension QueueLogReader {
    /// A line that is not a call fact: an agent event is kept (and checked: a bad one is a dead letter),
    /// an unknown event counted, anything else skipped.
    mutating func noteNonCall(_ values: [String], event: String, provenance: String) throws(LineError) {
        guard QueueEvent.agentOnly.contains(event) else {
            if !QueueEvent.known.contains(event) { agentLog.unknown[event, default: 0] += 1 }
            return
        }
        guard agentLog.keep else { return }
        guard values.allSatisfy({ !$0.contains("\u{FFFD}") }) else { throw LineError(reason: "the line is not valid UTF-8") }
        guard let t = time(values[0]) else {
            throw LineError(reason: "time '\(values[0])' is neither epoch seconds nor YYYY-MM-DD HH:MM:SS")
        }
        let agent = values[3].trimmingCharacters(in: .whitespaces)
        guard !agent.isEmpty, agent != "NONE" else {
            throw LineError(reason: "\(event) names no agent (the fourth field, agent, is '\(values[3])')")
        }
        var params = Array(values.dropFirst(5))
        while let last = params.last, last.isEmpty { params.removeLast() }
        let e = QueueEvent(time: t, callid: values[1], queue: values[2], agent: agent, event: event, params: params,
                           provenance: provenance)
        if event == "AGENTLOGOFF" || event == "AGENTCALLBACKLOGOFF", let v = e.param(2), !v.isEmpty {
            guard let d = Double(v), d >= 0 else {
                throw LineError(reason: "\(event) parameter 2 (logintime) '\(v)' is not a non-negative number of seconds")
            }
        }
        agentLog.lines.append(e)
    }

    /// A call event that also tells what its agent did.
    mutating func noteCall(_ e: QueueEvent) {
        guard agentLog.keep, QueueEvent.agentCallEvents.contains(e.event), !e.agent.isEmpty, e.agent != "NONE" else { return }
        agentLog.lines.append(e)
    }
}

extension PhoneCallBuilder {
    /// The agent id of a queue_log agent field: the agent whose `phones` hold the interface (or whose name it is),
    /// else the raw interface as written (`SIP/305`, `Agent/1001`).
    func agentEventId(_ raw: String) -> String {
        agent(phone: raw) ?? (raw.utf8.contains(UInt8(ascii: "/")) ? nil : agents.agent(name: raw)) ?? raw
    }

    func agentEvent(_ e: QueueEvent) -> AgentEvent {
        AgentEvent(source: source, at: Date(timeIntervalSince1970: e.time), agent: agentEventId(e.agent), interface: e.agent,
                   queue: e.queue == "NONE" ? "" : e.queue, event: e.event, data: e.params,
                   callid: QueueEvent.nonCallIds.contains(e.callid) ? "" : e.callid, provenance: e.provenance)
    }
}

extension QueueSession {
    /// The agent lines read since the last call, as agent events.
    mutating func takeAgentEvents() -> [AgentEvent] {
        let out = reader.agentLog.lines.map(builder.agentEvent)
        reader.agentLog.lines = []
        return out
    }
}

extension AgentLineLog {
    /// Tells the log how many lines of unknown events a pass skipped.
    func report(to logger: Logger, source: String) {
        guard unknownTotal > 0 else { return }
        logger.warning("\(source): skipped \(unknownTotal) queue_log line(s) with an unknown event (\(unknownSummary)); they are neither calls nor agent events")
    }
}
