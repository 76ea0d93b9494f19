import Crypto
import Foundation

/// AES-256-GCM sealing of a credential kept in the store (``CredentialStore``).
///
/// The key comes from the config (`${ENV_VAR}`, at least 16 characters) and is stretched with
/// HKDF-SHA256; the source name is authenticated with the sealed bytes, so a value copied to
/// another source does not open. Layout: version byte 1, then nonce ‖ ciphertext ‖ tag.
///
/// ```swift
/// let key = try SealedCredential.Key("a long random passphrase")
/// let sealed = try SealedCredential.seal(Data("secret".utf8), source: "mailbox", key: key)
/// let plain = try SealedCredential.open(sealed, source: "mailbox", key: key)
/// ```
public enum SealedCredential {
    /// A sealing key derived from configured text.
    public struct Key: Sendable {
        let key: SymmetricKey
        /// - Throws: ``ConnectorError`` `.settings` when the text is shorter than 16 characters.
        public init(_ text: String) throws {
            guard text.count >= 16 else {
                throw ConnectorError(.settings, "the token key must be at least 16 characters (use a long random value, e.g. `openssl rand -base64 32`)")
            }
            key = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: Data(text.utf8)),
                                         salt: Data("switchboard credentials".utf8), info: Data("v1".utf8), outputByteCount: 32)
        }
    }

    /// Why sealed bytes did not open.
    public struct OpenFailure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static func seal(_ plain: Data, source: String, key: Key) throws -> Data {
        let box = try AES.GCM.seal(plain, using: key.key, authenticating: Data(source.utf8))
        guard let combined = box.combined else { throw OpenFailure(description: "AES-GCM gave no combined form") }
        return Data([1]) + combined
    }

    /// - Throws: ``OpenFailure`` when the bytes were sealed with another key or for another source, or are damaged.
    public static func open(_ sealed: Data, source: String, key: Key) throws -> Data {
        guard sealed.first == 1 else { throw OpenFailure(description: "unknown format") }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.dropFirst())
            return try AES.GCM.open(box, using: key.key, authenticating: Data(source.utf8))
        } catch {
            throw OpenFailure(description: "it was sealed with another key (token_key changed?) or is damaged")
        }
    }
}
