import Foundation
@testable import EmailConnectors

/// Test fixtures under Tests/Fixtures, copied as resources.
enum Fixture {
    static func url(_ name: String) throws -> URL {
        guard let base = Bundle.module.resourceURL?.appendingPathComponent("Fixtures") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return base.appendingPathComponent(name)
    }

    static func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: url(name))) }

    static func message(_ name: String) throws -> EmailMessage { MessageParser.parse(try bytes(name)) }
}
