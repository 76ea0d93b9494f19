import Foundation
import Logging

/// A connector kind: the code behind one `kind:` of the config (DESIGN §4).
///
/// A conforming type owns its YAML settings and is created once per configured
/// source. It only produces ``Interaction`` values; it never touches the store,
/// the HTTP server or the CLI.
///
/// ```swift
/// struct EchoConnector: FileImporter {
///     struct Settings: Decodable, Sendable { var path: String? }
///     static let kind = "echo"
///     static let summary = "Echoes nothing"
///     static let settings: [SettingSpec] = [.path]
///     init(name: String, settings: Settings, context: ConnectorContext) throws {}
///     func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {}
/// }
/// ```
public protocol Connector: Sendable {
    associatedtype Settings: Decodable & Sendable
    /// The YAML `kind:` this type implements.
    static var kind: String { get }
    /// One line for `switchboard connectors`.
    static var summary: String { get }
    /// Every setting key the kind accepts, with documentation; unknown keys are config errors.
    static var settings: [SettingSpec] { get }
    /// - Throws: ``ConnectorError`` when the settings are unusable.
    init(name: String, settings: Settings, context: ConnectorContext) throws
}

/// A connector that imports files once (`switchboard import`).
public protocol FileImporter: Connector {
    /// Imports the files; bad records go to the sink's dead letters, I/O problems throw.
    func importFiles(_ urls: [URL], into sink: any IngestSink) async throws
}

/// A connector that is polled (`switchboard pull`, `switchboard serve` schedules).
public protocol PullSource: Connector {
    /// One pass from the last committed checkpoint; new checkpoints go through the sink.
    func pull(from checkpoint: Checkpoint?, into sink: any IngestSink) async throws
}

/// A connector that receives HTTP deliveries (`switchboard serve`).
public protocol WebhookSource: Connector {
    /// Answers GET challenges (Meta, X CRC); nil when the request is not a handshake.
    func handshake(_ request: WebhookRequest) -> WebhookResponse?
    /// Verifies the signature, secret or timestamp on the raw bytes.
    func verify(_ request: WebhookRequest) throws
    /// Decodes a verified delivery; the server stores the result, then acknowledges.
    func decode(_ request: WebhookRequest) throws -> [Interaction]
}

/// An HTTP request as a webhook source sees it.
public struct WebhookRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: Data
    public var receivedAt: Date

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
                body: Data, receivedAt: Date = Date()) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
        self.receivedAt = receivedAt
    }
}

/// An HTTP answer chosen by a webhook source.
public struct WebhookResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: Data

    public init(status: Int = 200, contentType: String = "text/plain; charset=utf-8", body: Data = Data()) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// What a connector gets from its surroundings: global config it must honour.
public struct ConnectorContext: Sendable {
    /// The config's `timezone`, the default for sources whose times have no offset.
    public var timeZone: TimeZone
    /// The support side (`agents:`), matched by every connector.
    public var agents: AgentDirectory
    /// `phone:` settings (default country, short-abandon threshold).
    public var phone: PhoneSettings
    /// The folder relative paths are resolved against (the config file's folder).
    public var baseDirectory: URL
    public var logger: Logger
    /// Where credentials obtained at run time are kept (the store); nil when the command opens none.
    public var credentials: (any CredentialStore)? = nil

    public init(timeZone: TimeZone = TimeZone(identifier: "UTC")!, agents: AgentDirectory = AgentDirectory(),
                phone: PhoneSettings = PhoneSettings(), baseDirectory: URL = URL(fileURLWithPath: "."),
                logger: Logger = Logger(label: "switchboard")) {
        self.timeZone = timeZone
        self.agents = agents
        self.phone = phone
        self.baseDirectory = baseDirectory
        self.logger = logger
    }

    /// Resolves a configured path against ``baseDirectory``.
    public func resolve(path: String) -> URL {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path) }
        if path.hasPrefix("~/") {
            return URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(String(path.dropFirst(2)))
        }
        return baseDirectory.appendingPathComponent(path).standardizedFileURL
    }

    /// The source's `timezone` setting when given (validated), else the config's.
    public func timeZone(setting: String?) throws -> TimeZone {
        guard let setting else { return timeZone }
        guard let tz = TimeZone(identifier: setting) else {
            throw ConnectorError(.settings, "unknown timezone '\(setting)': use an IANA name such as Europe/Moscow")
        }
        return tz
    }
}

/// Errors raised by connectors; `code` lets callers react without parsing text.
public struct ConnectorError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        let raw: String
        public static let settings = Code(raw: "settings")
        public static let io = Code(raw: "io")
        public static let format = Code(raw: "format")
        public static let network = Code(raw: "network")
        public static let authentication = Code(raw: "authentication")
        public static let verification = Code(raw: "verification")
        /// The origin asked to slow down (too many connections, rate limits): not a failure of the
        /// source; a scheduler waits (backs off) and tries again.
        public static let throttled = Code(raw: "throttled")
    }

    public var code: Code
    public var message: String
    /// For `.throttled`: how long the origin asked to wait, in seconds, when it said so.
    public var retryAfter: Double? = nil

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
