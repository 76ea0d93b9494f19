import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ServiceLifecycle
import SwitchboardCore
import SwitchboardScan
import SwitchboardServer

/// Replays recorded webhook deliveries (one JSON object per line: `source`, `method`,
/// `headers`, `body`, optional `query`) over real HTTP to an in-process receiver —
/// the demo's webhook part.
struct WebhookReplay {
    let sources: [String: any WebhookSource]
    let store: any MetricsStore
    let policy: IngestPolicy

    /// HTTP status → number of deliveries answered with it.
    func run(file: URL) async throws -> [Int: Int] {
        let data = try Data(contentsOf: file)
        var requests: [(String, String, [String: String], Data)] = []
        for (n, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            let v = try JSONParser.parse(String(line))
            guard let source = v["source"]?.string, let body = v["body"]?.string else {
                throw RunFailure("\(file.path):\(n + 1): a recorded delivery needs `source` and `body`")
            }
            var headers: [String: String] = [:]
            for (k, h) in v["headers"]?.members ?? [] { headers[k] = h.string }
            requests.append((source, v["method"]?.string ?? "POST", headers, Data(body.utf8)))
        }
        let server = WebhookServer(host: "127.0.0.1", port: 0, sources: sources, store: store, privacy: policy.privacy,
                                   topicRules: policy.topicRules)
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = server.application { port in portSink.yield(port) }
        let group = ServiceGroup(services: [app], logger: .init(label: "switchboard.demo"))
        return try await withThrowingTaskGroup(of: [Int: Int].self) { tasks in
            tasks.addTask { try await group.run(); return [:] }
            var port = 0
            for await p in ports { port = p; break }
            var counts: [Int: Int] = [:]
            for (source, method, headers, body) in requests {
                var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/webhooks/\(source)")!)
                request.httpMethod = method
                for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
                request.httpBody = body
                let (_, response) = try await URLSession.shared.data(for: request)
                counts[(response as? HTTPURLResponse)?.statusCode ?? 0, default: 0] += 1
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return counts
        }
    }
}
