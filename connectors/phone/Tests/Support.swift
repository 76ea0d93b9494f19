import Foundation
import SwitchboardCore
import SwitchboardTesting

/// Paths and contexts shared by the phone connector tests.
enum PhoneTestSupport {
    /// `../shared/samples/real/…` next to the repository.
    static func realSample(_ relative: String, file: String = #filePath) -> URL {
        var url = URL(fileURLWithPath: file)
        for _ in 0..<4 { url.deleteLastPathComponent() }   // Tests, phone, connectors, repo
        return url.deletingLastPathComponent().appendingPathComponent("shared/samples/real").appendingPathComponent(relative)
    }

    static func fixture(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw ConnectorError(.io, "missing fixture \(name)")
        }
        return url
    }

    static let agents = AgentDirectory([
        Agent(id: "anna", name: "Anna Smirnova", phones: ["301", "SIP/301"]),
        Agent(id: "boris", name: "Boris Petrov", phones: ["302", "SIP/302"], names: ["Boris"]),
    ])

    static func context(timeZone: String, country: String? = "RU") -> ConnectorContext {
        ConnectorContext(timeZone: TimeZone(identifier: timeZone)!, agents: agents,
                         phone: PhoneSettings(defaultCountry: country, shortAbandon: 5))
    }

    /// A fresh temporary folder.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("phone-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func outcomes(_ calls: [Interaction]) -> [CallOutcome: Int] {
        var out: [CallOutcome: Int] = [:]
        for c in calls { out[c.call!.outcome, default: 0] += 1 }
        return out
    }
}
