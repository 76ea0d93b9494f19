import Foundation
import Logging
import PostgresNIO
import SwitchboardCore
import SwitchboardScan

/// The `agent_events` table of the PostgreSQL store (migration `v11-agent-events`).
extension PostgresStore: AgentEventSource {
    static let agentEventColumns = "id, source, at, agent, interface, queue, event, data, callid, provenance"

    /// Inserts agent events inside ``write(_:)``'s transaction (one statement over arrays); an id already stored is skipped.
    static func insert(_ events: [AgentEvent], on conn: PostgresConnection, logger: Logger) async throws {
        guard !events.isEmpty else { return }
        var binds = PostgresBindings(capacity: 10)
        binds.append(events.map(\.id))
        binds.append(events.map(\.source))
        binds.append(events.map { Timestamp.milliseconds($0.at) })
        binds.append(events.map(\.agent))
        binds.append(events.map(\.interface))
        binds.append(events.map(\.queue))
        binds.append(events.map(\.event))
        binds.append(events.map(\.encodedData))
        binds.append(events.map(\.callid))
        binds.append(events.map(\.provenance))
        let sql = """
            INSERT INTO agent_events (\(agentEventColumns))
            SELECT \(agentEventColumns) FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[],
                $7::text[], $8::text[], $9::text[], $10::text[]) WITH ORDINALITY AS batch(\(agentEventColumns), ord) ORDER BY ord
            ON CONFLICT (id) DO NOTHING
            """
        _ = try await PostgresReader(conn, logger: logger).rows(PostgresQuery(unsafeSQL: sql, binds: binds))
    }

    public func agentEvents(sources: [String]?, before to: Date?) async throws -> [AgentEvent] {
        var conditions: [String] = []
        var binds = PostgresBindings()
        if let sources {
            binds.append(sources)
            conditions.append("source = ANY($\(binds.count)::text[])")
        }
        if let to {
            binds.append(Timestamp.milliseconds(to))
            conditions.append("at < $\(binds.count)")
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = PostgresQuery(unsafeSQL: "SELECT \(Self.agentEventColumns) FROM agent_events\(whereClause) ORDER BY at, seq", binds: binds)
        return try await read("read agent events") { reader in
            var out: [AgentEvent] = []
            for row in try await reader.rows(sql) {
                let (id, source, at, agent, interface, queue, event, data, callid, provenance) =
                    try row.decode((String, String, Int64, String, String, String, String, String, String, String).self)
                out.append(AgentEvent(id: id, source: source, at: Date(timeIntervalSince1970: Double(at) / 1000), agent: agent,
                                      interface: interface, queue: queue, event: event, data: AgentEvent.decodeData(data),
                                      callid: callid, provenance: provenance))
            }
            return out
        }
    }
}
