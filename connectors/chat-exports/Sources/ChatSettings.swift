import Foundation
import SwitchboardCore

/// The settings every chat-export kind accepts (connectors/chat-exports/README.md).
///
/// ```yaml
/// - name: whatsapp-sales
///   kind: whatsapp-export
///   path: ./exports/whatsapp
///   timezone: Europe/Moscow
///   agents: ["Anna (Support)", "+7 916 123-45-67"]
///   customer: "Ivan Petrov"
///   session_gap: 24h
/// ```
public struct ChatExportSettings: Decodable, Sendable {
    public var path: String?
    public var timezone: String?
    /// Names, phone numbers or platform user ids of the support side (besides the global `agents:`).
    public var agents: [String]?
    /// Who the customer is in a one-to-one chat when it cannot be inferred.
    public var customer: String?
    /// Silence after which a chat starts a new conversation (default 24h).
    public var sessionGap: String?
    /// WhatsApp only: `dmy`, `mdy` or `auto` (default).
    public var dateOrder: String?
    /// Zip archives: the most uncompressed bytes and entries accepted.
    public var zipMaxBytes: String?
    public var zipMaxEntries: Int?
    /// Messenger only: `facebook` (default) or `instagram`.
    public var platform: String?
    /// Slack only: the most bytes one message of a day file may take (default 16MiB).
    public var maxRecordBytes: String?

    enum CodingKeys: String, CodingKey {
        case path, timezone, agents, customer
        case sessionGap = "session_gap"
        case dateOrder = "date_order"
        case zipMaxBytes = "zip_max_bytes"
        case zipMaxEntries = "zip_max_entries"
        case platform
        case maxRecordBytes = "max_record_bytes"
    }

    public init(path: String? = nil, timezone: String? = nil, agents: [String]? = nil, customer: String? = nil,
                sessionGap: String? = nil, dateOrder: String? = nil, zipMaxBytes: String? = nil,
                zipMaxEntries: Int? = nil, platform: String? = nil, maxRecordBytes: String? = nil) {
        self.path = path
        self.timezone = timezone
        self.agents = agents
        self.customer = customer
        self.sessionGap = sessionGap
        self.dateOrder = dateOrder
        self.zipMaxBytes = zipMaxBytes
        self.zipMaxEntries = zipMaxEntries
        self.platform = platform
        self.maxRecordBytes = maxRecordBytes
    }
}

extension SettingSpec {
    static let chatAgents = SettingSpec("agents", "[string]",
        "names, phone numbers or platform user ids of the support side, besides the global agents:")
    static let chatCustomer = SettingSpec("customer", "string",
        "who the customer is in a one-to-one chat when it cannot be inferred; everyone else then counts as the support side")
    static let sessionGap = SettingSpec("session_gap", "duration",
        "a chat is split into conversations when nobody writes for this long (default 24h)")
    static let zipMaxBytes = SettingSpec("zip_max_bytes", "size",
        "zip exports: the most uncompressed bytes accepted (default 4GiB)")
    static let zipMaxEntries = SettingSpec("zip_max_entries", "int",
        "zip exports: the most entries accepted (default 100000)")
    static let dateOrder = SettingSpec("date_order", "string",
        "dmy, mdy or auto (default): how to read ambiguous dates such as 03/04/21")
    static let messengerPlatform = SettingSpec("platform", "string",
        "facebook (default) or instagram: the platform the export comes from")

    /// The settings shared by every chat-export kind.
    static let chatCommon: [SettingSpec] = [.path, .chatAgents, .chatCustomer, .sessionGap]
    /// The settings of kinds that read zip archives.
    static let zipLimits: [SettingSpec] = [.zipMaxBytes, .zipMaxEntries]
}

/// Settings resolved once per connector instance.
struct ChatOptions: Sendable {
    var source: String
    var timeZone: TimeZone
    var sessionGap: Double
    var roles: RoleResolver
    var zipLimits: ZipLimits
    var recordLimit: RecordSizeLimit
    var defaultCountry: String?

    init(source: String, settings: ChatExportSettings, context: ConnectorContext, platform: String) throws {
        self.source = source
        timeZone = try context.timeZone(setting: settings.timezone)
        if let gap = settings.sessionGap {
            guard let s = ConfigValues.seconds(gap), s > 0 else {
                throw ConnectorError(.settings, "session_gap '\(gap)' is not a duration: write it like 30m, 24h or 2d")
            }
            sessionGap = s
        } else {
            sessionGap = 86400
        }
        var limits = ZipLimits()
        if let raw = settings.zipMaxBytes {
            guard let b = ConfigValues.bytes(raw), b > 0 else {
                throw ConnectorError(.settings, "zip_max_bytes '\(raw)' is not a size: write it like 512MiB or 4GiB")
            }
            limits.maxBytes = UInt64(b)
        }
        if let n = settings.zipMaxEntries {
            guard n > 0 else { throw ConnectorError(.settings, "zip_max_entries must be a positive number, got \(n)") }
            limits.maxEntries = n
        }
        zipLimits = limits
        recordLimit = try RecordSizeLimit(setting: settings.maxRecordBytes)
        defaultCountry = context.phone.defaultCountry
        roles = RoleResolver(platform: platform, directory: context.agents, agents: settings.agents ?? [],
                             customer: settings.customer, defaultCountry: context.phone.defaultCountry)
    }
}
