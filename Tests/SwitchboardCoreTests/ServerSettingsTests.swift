import Foundation
import SwitchboardCore
import Testing

/// The `server:` limits of `switchboard serve`: defaults, reading, and the problems reported.
@Suite struct ServerSettingsTests {
    let loader = ConfigLoader(registry: ConnectorRegistry([]), environment: [:])
    let file = URL(fileURLWithPath: "/etc/switchboard/switchboard.yaml")

    @Test func defaultsHoldTheWorstCaseInBoundedMemoryAndTime() throws {
        let server = try loader.load(yaml: "connectors: []\n", file: file).server
        #expect(server.maxBody == 1 << 20)
        #expect(server.maxConnections == 4096)
        #expect(server.bodyMemory == 128 << 20)
        #expect(server.idleTimeout == 60 && server.headerTimeout == 10 && server.bodyTimeout == 30)
    }

    @Test func readsTheLimits() throws {
        let server = try loader.load(yaml: """
            server: {max_connections: 500, body_memory: 64MiB, idle_timeout: 2m, header_timeout: 500ms, body_timeout: 15s}
            connectors: []
            """, file: file).server
        #expect(server.maxConnections == 500)
        #expect(server.bodyMemory == 64 << 20)
        #expect(server.idleTimeout == 120 && server.headerTimeout == 0.5 && server.bodyTimeout == 15)
    }

    @Test func reportsEveryBadLimitWithItsKey() throws {
        let error = try #require(throws: ConfigError.self) {
            try loader.load(yaml: """
                server:
                  max_body: 4MiB
                  max_connections: lots
                  body_memory: 1MiB
                  idle_timeout: 0s
                  header_timeout: soon
                connectors: []
                """, file: file)
        }
        let lines = Dictionary(error.problems.map { ($0.keyPath, $0.line ?? 0) }) { a, _ in a }
        #expect(error.problems.count == 4)
        #expect(lines == ["server.max_connections": 3, "server.body_memory": 4, "server.idle_timeout": 5,
                          "server.header_timeout": 6])
        #expect(error.problems.contains { $0.message.contains("must be at least server.max_body") })
    }
}
