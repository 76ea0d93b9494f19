import Foundation
import GRDB
import SwitchboardCore
import SwitchboardScan

/// The `agent_events` table of the SQLite store (migration `v11-agent-events`).
extension SQLiteStore: AgentEventSource {
    static let agentEventColumns = "id, source, at, agent, interface, queue, event, data, callid, provenance"

    /// Inserts agent events inside ``write(_:in:)``'s transaction; an id already stored is skipped.
    static func insert(_ events: [AgentEvent], in db: Database) throws {
        guard !events.isEmpty else { return }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO agent_events (\(agentEventColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        for e in events {
            try statement.execute(arguments: [e.id, e.source, Timestamp.milliseconds(e.at), e.agent, e.interface, e.queue, e.event,
                                              e.encodedData, e.callid, e.provenance])
        }
    }

    public func agentEvents(sources: [String]?, before to: Date?) async throws -> [AgentEvent] {
        try await guarded("read agent events") {
            try await pool.read { db in
                var conditions: [String] = []
                var args: [(any DatabaseValueConvertible)?] = []
                if let sources {
                    conditions.append("source IN (\(Array(repeating: "?", count: sources.count).joined(separator: ", ")))")
                    args += sources.map { $0 }
                }
                if let to {
                    conditions.append("at < ?")
                    args.append(Timestamp.milliseconds(to))
                }
                let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
                let rows = try Row.fetchAll(db, sql: "SELECT \(Self.agentEventColumns) FROM agent_events \(whereClause) ORDER BY at, seq",
                                            arguments: StatementArguments(args))
                return rows.map { r in
                    AgentEvent(id: r["id"], source: r["source"], at: Date(timeIntervalSince1970: Double(r["at"] as Int64) / 1000),
                               agent: r["agent"], interface: r["interface"], queue: r["queue"], event: r["event"],
                               data: AgentEvent.decodeData(r["data"]), callid: r["callid"], provenance: r["provenance"])
                }
            }
        }
    }
}
