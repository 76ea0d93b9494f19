import Foundation

/// A source's resume point: opaque to the store, committed in the same
/// transaction as the batch it covers.
public struct Checkpoint: Sendable, Hashable {
    public var source: String
    /// Connector-defined state, usually JSON.
    public var state: Data
    public var updatedAt: Date

    public init(source: String, state: Data, updatedAt: Date = Date()) {
        self.source = source
        self.state = state
        self.updatedAt = updatedAt
    }

    /// Encodes a connector's `Codable` state as JSON.
    public init<State: Encodable>(source: String, encoding state: State, updatedAt: Date = Date()) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.init(source: source, state: try encoder.encode(state), updatedAt: updatedAt)
    }

    /// Decodes the state written by ``init(source:encoding:updatedAt:)``.
    public func decode<State: Decodable>(_ type: State.Type) throws -> State {
        try JSONDecoder().decode(type, from: state)
    }
}
