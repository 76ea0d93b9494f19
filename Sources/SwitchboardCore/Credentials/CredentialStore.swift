import Foundation

/// Where connectors keep credentials they obtain at run time (an OAuth2 refresh token the provider
/// rotated, or one `switchboard auth` fetched), so every instance on a shared store and every
/// restart sees the latest one. The store keeps opaque bytes per source: connectors seal them
/// (``SealedCredential``) before handing them over, so the store never holds a secret in the clear.
///
/// ```swift
/// try await credentials.saveCredential(sealed, source: "support-mailbox")
/// let back = try await credentials.credential(source: "support-mailbox")
/// ```
public protocol CredentialStore: Sendable {
    /// The bytes last saved for `source`, nil when none were.
    func credential(source: String) async throws -> Data?
    /// Replaces the bytes kept for `source`.
    func saveCredential(_ sealed: Data, source: String) async throws
}

/// What `switchboard auth SOURCE` needs from a source that obtains its credentials interactively.
public struct AuthorizationPrompt: Sendable {
    /// How long the user has to complete the flow.
    public var timeout: TimeInterval
    /// Shows a line to the user (what to open, what to type).
    public var say: @Sendable (String) -> Void

    public init(timeout: TimeInterval, say: @escaping @Sendable (String) -> Void) {
        self.timeout = timeout
        self.say = say
    }
}

/// A source whose credentials are obtained by an interactive flow (`switchboard auth SOURCE`).
///
/// ```swift
/// let summary = try await source.authorize(AuthorizationPrompt(timeout: 300) { print($0) })
/// ```
public protocol AuthorizableSource: Connector {
    /// Runs the flow, keeps what it obtained, and returns one line saying where it went.
    /// - Throws: ``ConnectorError`` (settings, authentication, network) with what to do.
    func authorize(_ prompt: AuthorizationPrompt) async throws -> String
}
