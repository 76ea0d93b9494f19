import Foundation

/// The `max_record_bytes` setting of importers that read one record at a time (a JSON Lines line,
/// a message of a Slack day file): a record longer than this becomes a dead letter naming where it
/// is and how long it is, read past without being held, and the import goes on.
public struct RecordSizeLimit: Sendable, Hashable {
    /// The most bytes one record may take.
    public var bytes: Int

    /// 16 MiB: far above any real message, far below what would strain memory.
    public static let defaultBytes = 16 << 20

    public init(bytes: Int = RecordSizeLimit.defaultBytes) { self.bytes = bytes }

    /// The limit a connector's `max_record_bytes` setting gives (the default when absent).
    /// - Throws: ``ConnectorError`` `.settings` when the value is not a positive size.
    public init(setting raw: String?) throws {
        guard let raw else { self.init(); return }
        guard let b = ConfigValues.bytes(raw), b > 0 else {
            throw ConnectorError(.settings, "max_record_bytes '\(raw)' is not a size: write it like 16MiB or 512KiB")
        }
        self.init(bytes: b)
    }

    /// Why a record of `length` bytes is refused: `200.0 MiB (209715200 bytes), more than max_record_bytes (16.0 MiB)`.
    public func refusal(length: Int) -> String {
        "\(Self.describe(length)) (\(length) bytes), more than max_record_bytes (\(Self.describe(bytes)))"
    }

    /// `512 bytes`, `4.0 KiB`, `16.0 MiB`, `1.5 GiB`.
    public static func describe(_ n: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard n >= 1024 else { return "\(n) bytes" }
        var value = Double(n) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return String(format: "%.1f", value) + " " + units[unit]
    }
}

extension SettingSpec {
    /// `max_record_bytes` (``RecordSizeLimit``).
    public static let maxRecordBytes = SettingSpec("max_record_bytes", "size",
        "the most bytes one record may take; a longer one becomes a dead letter and the import goes on (default 16MiB)")
}
