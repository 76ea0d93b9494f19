import Foundation
import Yams

/// Where interactions are stored (`store:`).
public enum StoreLocation: Sendable, Hashable {
    /// `store: {sqlite: ./switchboard.db}` — path resolved against the config's folder.
    case sqlite(String)
    /// `store: {postgres: "postgres://…"}`.
    case postgres(String)
}

/// `server:` — the HTTP listener of `switchboard serve`.
public struct ServerSettings: Sendable, Hashable {
    public var listen: String = "127.0.0.1:8080"
    public var maxBody: Int = 1_048_576
    public var reportToken: String?
    /// Open connections at once (`max_connections`); more wait in the listen backlog.
    public var maxConnections: Int = 4096
    /// Request bodies held in memory by all connections together (`body_memory`); past it, 503.
    public var bodyMemory: Int = 128 << 20
    /// Seconds a connection may wait with no request in progress (`idle_timeout`).
    public var idleTimeout: Double = 60
    /// Seconds a request's headers may take from their first byte (`header_timeout`).
    public var headerTimeout: Double = 10
    /// Seconds a request's body may take after its headers (`body_timeout`).
    public var bodyTimeout: Double = 30
    public init() {}

    /// Host and port of ``listen``.
    public var hostAndPort: (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        return (String(listen[..<colon]), port)
    }
}

/// `phone:` — settings shared by every phone connector.
public struct PhoneSettings: Sendable, Hashable {
    /// ISO country whose national number forms are normalised to E.164.
    public var defaultCountry: String?
    /// Calls abandoned faster than this are `short_abandon` (default 5 s).
    public var shortAbandon: Double = 5
    /// `phone.stages`: the named stages of a call's path in call order; nil: ``PhoneStage/defaults``.
    public var stages: [PhoneStage]?
    /// The configured stages, else the defaults.
    public var effectiveStages: [PhoneStage] { stages ?? PhoneStage.defaults }
    /// `phone.shrinkage`: share of agents' paid time not available for calls (breaks, meetings, absence), default 30 %.
    public var shrinkage: Double = 0.30
    /// `phone.recovery_window`: how long after a lost call a callback or return still recovers it (default 24 h).
    public var recoveryWindow: Double = 86400
    public init(defaultCountry: String? = nil, shortAbandon: Double = 5) {
        self.defaultCountry = defaultCountry
        self.shortAbandon = shortAbandon
    }
}

/// One open interval of a business day, in minutes after local midnight;
/// `end` may pass 1440 for hours running overnight into the next day.
public struct BusinessInterval: Sendable, Hashable {
    public var start: Int
    public var end: Int
    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
}

/// `business_hours:` — the calendar business durations are measured in.
public struct BusinessHoursSettings: Sendable, Hashable {
    public var timeZone: TimeZone
    /// Weekday (1 = Monday … 7 = Sunday) → open intervals.
    public var weekly: [Int: [BusinessInterval]]
    /// Whole local days closed, as `YYYY-MM-DD`.
    public var holidays: Set<String>
    public init(timeZone: TimeZone, weekly: [Int: [BusinessInterval]], holidays: Set<String>) {
        self.timeZone = timeZone
        self.weekly = weekly
        self.holidays = holidays
    }
}

/// `targets:` — service goals the report marks as met or missed.
public struct TargetSettings: Sendable, Hashable {
    public var phoneAnswerWithin: Double = 60
    /// `targets.phone.service_level`: the share of calls to answer within ``phoneAnswerWithin`` (default 0.80).
    public var phoneServiceLevel: Double = 0.80
    /// Channel → first response target in seconds.
    public var frt: [Channel: Double] = [.chat: 300, .email: 86400]
    public var fcr: Double = 0.70
    public var csat: Double = 0.90
    public init() {}
}

/// One entry of `connectors:`.
public struct ConnectorEntry: @unchecked Sendable {
    public var name: String
    public var kind: String
    public var enabled: Bool
    public var schedule: String?
    /// `schedule:` parsed (validated by the loader); nil when not given.
    public var scheduleRule: Schedule? = nil
    /// The kind's own settings (the entry without name/kind/enabled/schedule), after `${ENV}` interpolation.
    public var settings: Node
    /// `path:` when given, which every FileImporter takes.
    public var path: String?
    public var line: Int?
    public var index: Int
}

/// The whole `switchboard.yaml` (DESIGN §9), decoded and validated.
public struct SwitchboardConfig: Sendable {
    public var file: URL
    public var store: StoreLocation = .sqlite("./switchboard.db")
    public var timeZone: TimeZone = TimeZone(identifier: "UTC")!
    public var server = ServerSettings()
    public var agents: [Agent] = []
    /// `customers.links`: CSV of identities of one person per row.
    public var customerLinks: String?
    public var businessHours: BusinessHoursSettings?
    public var targets = TargetSettings()
    public var resolutionIdleAfter: Double = 72 * 3600
    public var fcrRepeatWindow: Double = 7 * 86400
    public var phone = PhoneSettings()
    public var privacy = PrivacySettings()
    /// `topics:` as written (DESIGN §5 "Topics").
    public var topics: [TopicRule] = []
    /// ``topics`` compiled (by the loader, once the config has no problems).
    public var topicRules: TopicRules = .empty
    public var connectors: [ConnectorEntry] = []
    /// `notifications:` — named destinations of scheduled reports (and alerts), in file order.
    public var notifications: [NotificationEntry] = []
    /// `reports:` — reports `serve` sends on a schedule.
    public var reports: [ScheduledReport] = []
    /// `alerts:` — rules `serve` watches, notifying `notifications:` destinations (docs/alerts.md).
    public var alerts: [AlertRule] = []

    public init(file: URL) { self.file = file }

    /// The folder relative paths are resolved against.
    public var baseDirectory: URL { file.deletingLastPathComponent() }

    /// The connector entry called `name`.
    public func connector(named name: String) -> ConnectorEntry? { connectors.first { $0.name == name } }

    /// Resolves a path written in the config.
    public func resolve(path: String) -> URL {
        ConnectorContext(baseDirectory: baseDirectory).resolve(path: path)
    }
}
