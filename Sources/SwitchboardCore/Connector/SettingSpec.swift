/// Documentation of one setting of a connector kind; the list of a kind's specs
/// is also the list of keys its config section accepts.
public struct SettingSpec: Sendable, Hashable {
    public var key: String
    /// `string`, `duration`, `[string]`, `{field: column}`, …
    public var type: String
    public var required: Bool
    public var doc: String

    public init(_ key: String, _ type: String, required: Bool = false, _ doc: String) {
        self.key = key
        self.type = type
        self.required = required
        self.doc = doc
    }

    /// `path` of every FileImporter.
    public static let path = SettingSpec("path", "string", "file, folder or glob to import (relative to the config file)")
    /// `timezone` of sources whose times carry no offset.
    public static let timezone = SettingSpec("timezone", "string",
        "IANA time zone of times written without an offset (default: the config's timezone)")
}

/// What a connector kind can do.
public enum ConnectorRole: String, Sendable, CaseIterable {
    case file = "import", pull, webhook
}
