import Foundation
import SwitchboardCore

/// A store that keeps agent activity lines (``AgentEvent``, table `agent_events`) beside its interactions.
/// The metrics read them with every load (``MetricsEngine`` agent time); a store without them has no agent time.
public protocol AgentEventSource: Sendable {
    /// Every stored agent event of `sources` (nil: all) with `at` before `to` (nil: no bound), in (at, storage) order.
    func agentEvents(sources: [String]?, before to: Date?) async throws -> [AgentEvent]
}
