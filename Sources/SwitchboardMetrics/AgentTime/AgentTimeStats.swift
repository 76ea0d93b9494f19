import Foundation
import SwitchboardCore

/// One agent's time in one local hour of day (summed over the period's days).
public struct AgentHourStats: Sendable, Hashable {
    public var loggedIn = 0.0
    public var paused = 0.0
    public var talk = 0.0
    public var handled = 0
    public var transfers = 0
    public var ringNoAnswer = 0
}

/// One agent's time in a report period (docs/metrics.md "Agent time"); seconds.
public struct AgentTimeStats: Sendable, Hashable {
    public var loggedIn = 0.0
    /// Paused while logged in (every pause reason together).
    public var paused = 0.0
    /// Reason → paused seconds; a pause without a reason is under `(none)`.
    public var pausedByReason: [String: Double] = [:]
    /// Talk of the calls the agent took (a call's talk inside the period).
    public var talk = 0.0
    public var handled = 0
    public var transfers = 0
    public var ringNoAnswer = 0
    /// Local hour 0…23 → the same figures.
    public var byHour: [Int: AgentHourStats] = [:]

    /// talk ÷ (logged in − paused); nil when the agent had no available time.
    public var occupancy: Double? { loggedIn - paused > 0 ? talk / (loggedIn - paused) : nil }
    /// talk ÷ logged in; nil when the agent was never logged in.
    public var utilisation: Double? { loggedIn > 0 ? talk / loggedIn : nil }
    /// Logged in, neither paused nor talking (never below 0).
    public var idle: Double { max(0, loggedIn - paused - talk) }
    /// transfers ÷ handled; nil without handled calls.
    public var transferRate: Double? { handled > 0 ? Double(transfers) / Double(handled) : nil }
}

/// Calls handled and transferred in one queue.
public struct QueueTransferStats: Sendable, Hashable {
    public var handled = 0
    public var transfers = 0
    /// transfers ÷ handled; nil without handled calls.
    public var rate: Double? { handled > 0 ? Double(transfers) / Double(handled) : nil }
}

/// Agent time of a report group: each agent's figures and the transfer rate per queue (JSON `phone.agents`,
/// `phone.transfers`).
public struct AgentTimeReport: Sendable, Hashable {
    /// Agent id → figures (agents with anything in the period).
    public var agents: [String: AgentTimeStats] = [:]
    /// Queue → calls handled and transferred by agents (`(none)` for calls without a queue).
    public var transfersByQueue: [String: QueueTransferStats] = [:]

    public var isEmpty: Bool { agents.isEmpty && transfersByQueue.isEmpty }

    /// Calls handled and transferred over every queue.
    public var transfers: QueueTransferStats {
        var t = QueueTransferStats()
        for q in transfersByQueue.values { t.handled += q.handled; t.transfers += q.transfers }
        return t
    }
}
