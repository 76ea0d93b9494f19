import Foundation
import Yams

/// What is sent to a destination: a subject, a plain-text body, optionally an HTML body and attachments.
/// A destination uses what its medium carries (e-mail: all of it; a chat message: subject and text).
public struct NotificationMessage: Sendable, Hashable {
    /// A file sent with the message.
    public struct Attachment: Sendable, Hashable {
        public var filename: String
        /// `text/csv; charset=utf-8`, …
        public var contentType: String
        public var data: Data

        public init(filename: String, contentType: String, data: Data) {
            self.filename = filename
            self.contentType = contentType
            self.data = data
        }
    }

    public var subject: String
    public var text: String
    public var html: String?
    public var attachments: [Attachment]
    /// How a chat destination shows `text` (a report's table: ``NotificationTextStyle/preformatted``).
    public var textStyle: NotificationTextStyle
    /// The message as data, for destinations that post JSON (`kind: webhook`); nil: they send subject and text.
    public var event: NotificationEvent?

    public init(subject: String, text: String, html: String? = nil, attachments: [Attachment] = [],
                textStyle: NotificationTextStyle = .plain, event: NotificationEvent? = nil) {
        self.subject = subject
        self.text = text
        self.html = html
        self.attachments = attachments
        self.textStyle = textStyle
        self.event = event
    }
}

/// A kind of notification destination: the code behind one `kind:` of a `notifications:` entry
/// (`email`, `slack`, `telegram`, `webhook`). Like a ``Connector``, it owns its
/// YAML settings and is created once per named destination; adding a kind is one type plus one line in
/// the CLI's destination list.
///
/// ```swift
/// struct LogDestination: NotificationDestination {
///     struct Settings: Decodable, Sendable { var label: String }
///     static let kind = "log"
///     static let summary = "Writes the subject to the log"
///     static let settings = [SettingSpec("label", "string", required: true, "prefix of each line")]
///     let settings: Settings
///     init(name: String, settings: Settings) throws { self.settings = settings }
///     func deliver(_ message: NotificationMessage) async throws { print(settings.label, message.subject) }
/// }
/// ```
public protocol NotificationDestination: Sendable {
    associatedtype Settings: Decodable & Sendable
    /// The YAML `kind:` this type implements.
    static var kind: String { get }
    /// One line for documentation and messages.
    static var summary: String { get }
    /// Every setting key the kind accepts; unknown keys are config errors.
    static var settings: [SettingSpec] { get }
    /// - Throws: ``DestinationSettingsError`` naming the setting when the settings are unusable.
    init(name: String, settings: Settings) throws
    /// Delivers one message; returns once the receiving side accepted it.
    /// - Throws: ``NotificationError`` saying why it was not accepted (never carrying a secret).
    func deliver(_ message: NotificationMessage) async throws
    /// The same destination addressed to `recipients` instead (`switchboard reports send --to`); nil when
    /// the kind has no recipients to replace.
    func redirected(to recipients: [String]) -> (any NotificationDestination)?
}

extension NotificationDestination {
    public func redirected(to recipients: [String]) -> (any NotificationDestination)? { nil }
}

/// A setting of a destination that cannot be used, and why.
public struct DestinationSettingsError: Error, Sendable {
    /// The setting's key (`smtp`), empty for the entry as a whole.
    public var key: String
    public var message: String
    public init(key: String, _ message: String) {
        self.key = key
        self.message = message
    }
}

/// Why a destination did not accept a message.
public struct NotificationError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        let raw: String
        /// The receiving server answered and said no (SMTP 5xx/4xx, HTTP 4xx/5xx).
        public static let refused = Code(raw: "refused")
        /// It could not be reached, or the connection failed.
        public static let network = Code(raw: "network")
        /// The login was rejected.
        public static let authentication = Code(raw: "authentication")
        /// TLS could not be set up or verified.
        public static let tls = Code(raw: "tls")
    }

    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}

/// One entry of `notifications:`: a named destination as written, its kind's settings still raw.
public struct NotificationEntry: @unchecked Sendable {
    public var name: String
    public var kind: String
    /// The entry without `kind`, after `${ENV}` interpolation.
    public var settings: Node
    public var line: Int?

    /// `notifications.NAME`.
    public var keyPath: String { "notifications.\(name)" }
}
