import Crypto
import Foundation

/// `privacy:` — applied by the ingest sink, so every connector honours it.
public struct PrivacySettings: Sendable, Hashable, Codable {
    /// Keep subjects and texts (default true).
    public var storeText: Bool
    /// Replace customer identities (customerKey, customer actorId/actorName) by a one-way hash (default false).
    public var hashIdentities: Bool

    public init(storeText: Bool = true, hashIdentities: Bool = false) {
        self.storeText = storeText
        self.hashIdentities = hashIdentities
    }

    /// Whether these settings leave every interaction as it is (the default).
    public var isIdentity: Bool { storeText && !hashIdentities }

    /// The interaction as it may be stored under these settings.
    public func apply(to interaction: Interaction) -> Interaction {
        if storeText && !hashIdentities { return interaction }
        var i = interaction
        if !storeText {
            i.subject = nil
            i.text = nil
        }
        if hashIdentities {
            i.customerKey = i.customerKey.map(Self.hashIdentity)
            if i.actorRole == .customer {
                i.actorId = i.actorId.map(Self.hashIdentity)
                i.actorName = i.actorName.map(Self.hashIdentity)
            }
        }
        return i
    }

    /// `h:` + 24 hex digits of SHA-256: the same identity always hashes the same
    /// way, so links across channels survive hashing.
    public static func hashIdentity(_ value: String) -> String {
        if value.hasPrefix("h:") { return value }
        let digest = SHA256.hash(data: Array(value.utf8))
        return "h:" + InteractionID.hex(digest.prefix(12))
    }
}
