import Foundation

/// One agent activity line of a PBX queue log (log-in, log-off, pause, ring without answer, a call taken,
/// completed or transferred): what agent time is computed from (connectors/phone/README.md "Agent time").
/// Stored beside the interactions (table `agent_events`), never as an interaction: agent events are not
/// contacts and never become conversations.
public struct AgentEvent: Sendable, Hashable, Codable {
    /// ``InteractionID/make(source:externalId:)`` of the source and the line's own fields: the same line
    /// read again is stored once.
    public var id: String
    public var source: String
    public var at: Date
    /// The agent id from `agents:`; the raw interface (`SIP/301`, `Agent/1001`) when no agent has it.
    public var agent: String
    /// The interface or member name as the PBX wrote it.
    public var interface: String
    /// The queue; empty for lines about every queue (`PAUSEALL`, `NONE`).
    public var queue: String
    /// The event name in upper case (`AGENTLOGIN`, `PAUSE`, `CONNECT`, `TRANSFER`, …).
    public var event: String
    /// The line's parameters after the event (a pause reason, a call time, a transfer target).
    public var data: [String]
    /// The call id of a call event; empty for lines about the agent alone.
    public var callid: String
    public var provenance: String

    public init(source: String, at: Date, agent: String, interface: String, queue: String, event: String,
                data: [String], callid: String, provenance: String) {
        let identity = ["agent-event", String(Timestamp.milliseconds(at)), callid, queue, interface, event] + data
        self.init(id: InteractionID.make(source: source, externalId: identity.joined(separator: "|")), source: source, at: at,
                  agent: agent, interface: interface, queue: queue, event: event, data: data, callid: callid, provenance: provenance)
    }

    /// An event as a store holds it, with its stored id (not computed again: reports read every stored event).
    public init(id: String, source: String, at: Date, agent: String, interface: String, queue: String, event: String,
                data: [String], callid: String, provenance: String) {
        self.id = id
        self.source = source
        self.at = Timestamp.truncatedToMilliseconds(at)
        self.agent = agent
        self.interface = interface
        self.queue = queue
        self.event = event
        self.data = data
        self.callid = callid
        self.provenance = provenance
    }

    /// The `n`-th parameter (1-based), nil when the line has fewer.
    public func param(_ n: Int) -> String? { n >= 1 && n <= data.count ? data[n - 1] : nil }

    /// The parameters in their stored form (joined by `|`, as the file form writes them).
    public var encodedData: String { data.joined(separator: "|") }

    /// Parameters from their stored form.
    public static func decodeData(_ s: String) -> [String] {
        s.isEmpty ? [] : s.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    }
}
