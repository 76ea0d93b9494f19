import Foundation
import SwitchboardCore

/// Removes secrets from text shown in `GET /status` and in logs: every configured secret
/// value, and the password of any URL (``Redaction/text(_:secrets:)``).
public struct SecretRedactor: Sendable {
    let secrets: [String]

    /// - Parameter secrets: values to hide (values shorter than 4 characters are ignored).
    public init(secrets: [String] = []) {
        self.secrets = secrets
    }

    public func redact(_ text: String) -> String {
        Redaction.text(text, secrets: secrets)
    }
}
