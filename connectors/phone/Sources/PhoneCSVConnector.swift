import Foundation
import SwitchboardCore

/// `kind: phone-csv` — any call export with a header or a column map (Twilio,
/// 3CX, spreadsheets): one call interaction per call; rows that name a parent
/// call (Twilio child legs) are folded into it.
public struct PhoneCSVConnector: FileImporter {
    public struct Settings: Decodable, Sendable {
        public var path: String?
        public var timezone: String?
        public var delimiter: String?
        public var header: Bool?
        var columns: [String: ColumnRef]?
        public var dateFormat: String?
        public var outcomeMap: [String: String]?
        public var directionMap: [String: String]?
        public var topics: PhoneTopicSettings?

        enum CodingKeys: String, CodingKey {
            case path, timezone, delimiter, header, columns, topics
            case dateFormat = "date_format"
            case outcomeMap = "outcome_map"
            case directionMap = "direction_map"
        }
    }

    public static let kind = "phone-csv"
    public static let summary = "Call exports as CSV with a header or a column map (Twilio, 3CX, spreadsheets)"
    public static let settings: [SettingSpec] = [
        .path, .timezone,
        SettingSpec("delimiter", "string", "field separator: one character, or `tab` (default `,`)"),
        SettingSpec("header", "bool", "whether the first line names the columns (default true)"),
        SettingSpec("columns", "{field: column}", "field → header name or 1-based position; fields: \(PhoneCSVField.allCases.map(\.rawValue).joined(separator: ", ")); common header names are recognised without it"),
        SettingSpec("date_format", "string", "auto (default), iso8601, rfc2822, epoch, epoch_ms, or a pattern such as yyyy/M/d H:mm"),
        SettingSpec("outcome_map", "{value: outcome}", "source status → answered, abandoned, busy, failed, voicemail, missed (also timeout, ivr)"),
        SettingSpec("direction_map", "{value: direction}", "source direction → inbound, outbound, internal"),
        PhoneTopicSettings.spec(queue: "the queue column", dids: "the to column, on calls that are not outbound", contexts: nil),
    ]

    public let name: String
    let delimiter: UInt8
    let header: Bool
    let columns: [PhoneCSVField: ColumnRef]
    let dateFormat: DateFormat
    let outcomes: [String: CallOutcome]
    let directions: [String: Direction]
    let timeZone: TimeZone
    let shortAbandon: Double
    let builder: PhoneCallBuilder

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        switch settings.delimiter {
        case nil: delimiter = UInt8(ascii: ",")
        case "tab", "\\t", "\t": delimiter = 0x09
        case let d? where d.utf8.count == 1 && d != "\"": delimiter = d.utf8.first!
        case let d?: throw ConnectorError(.settings, "delimiter '\(d)' must be one character (or `tab`), not a quote")
        }
        header = settings.header ?? true
        var cols: [PhoneCSVField: ColumnRef] = [:]
        for (k, v) in settings.columns ?? [:] {
            guard let field = PhoneCSVField(rawValue: k) else {
                throw ConnectorError(.settings, "columns: unknown field '\(k)'; fields: \(PhoneCSVField.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if case .position(let p) = v, p < 1 { throw ConnectorError(.settings, "columns.\(k): positions start at 1, got \(p)") }
            if case .name = v, !header { throw ConnectorError(.settings, "columns.\(k) names a header column but `header: false`; give a 1-based position") }
            cols[field] = v
        }
        if !header {
            for required in [PhoneCSVField.start, .from] where cols[required] == nil {
                throw ConnectorError(.settings, "without a header, columns must give at least start and from (1-based positions)")
            }
        }
        columns = cols
        dateFormat = try DateFormat(settings.dateFormat)
        var o = PhoneCSVField.defaultOutcomes
        for (k, v) in settings.outcomeMap ?? [:] {
            guard let outcome = CallOutcome(rawValue: v) else {
                throw ConnectorError(.settings, "outcome_map.\(k): '\(v)' is not an outcome; use answered, abandoned, busy, failed, voicemail, missed, timeout or ivr")
            }
            o[k.lowercased()] = outcome
        }
        outcomes = o
        var d = PhoneCSVField.defaultDirections
        for (k, v) in settings.directionMap ?? [:] {
            guard let dir = Direction(rawValue: v) else {
                throw ConnectorError(.settings, "direction_map.\(k): '\(v)' is not inbound, outbound or internal")
            }
            d[k.lowercased()] = dir
        }
        directions = d
        timeZone = try context.timeZone(setting: settings.timezone)
        shortAbandon = context.phone.shortAbandon
        builder = PhoneCallBuilder(source: name, platform: "csv", agents: context.agents,
                                   defaultCountry: context.phone.defaultCountry,
                                   topics: try PhoneTopics(settings.topics, defaultCountry: context.phone.defaultCountry, unavailable: [
                                       "contexts": "a call export has no dialplan context; map a column of labels instead (columns: {topics: …})",
                                   ]))
    }

    public func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {
        var rows = PhoneCSVRows(connector: self)
        var groups = LegGroups<String, PhoneCSVRow>()
        var latest = -Double.infinity
        for url in urls {
            for file in try PathExpansion.files(url, extensions: [".csv", ".tsv", ".txt"]) {
                rows.startFile()
                let reader = BlockReader(url: file, includeUnterminated: true)
                let fileName = file.lastPathComponent
                var cursor = FileCursor(device: 0, inode: 0, offset: 0, line: 1)
                while true {
                    var rejected: [Rejected] = []
                    let step = try reader.next(after: cursor) { line in
                        guard !BlockReader.isBlank(line.bytes) else { return }
                        let provenance = "file:\(fileName)#L\(line.number)"
                        let isHeader = rows.needHeader
                        do throws(PhoneCSVRows.RowError) {
                            guard let row = try rows.parse(line.bytes, provenance: provenance) else { return }
                            groups.add(row, key: row.parent ?? row.key, end: row.end ?? row.start)
                            latest = max(latest, row.end ?? row.start)
                        } catch {
                            rejected.append(Rejected(reason: "\(fileName):\(line.number): \(error.reason)",
                                                     provenance: provenance, raw: Data(line.bytes),
                                                     replay: replayContext(header: rows.headerLine, isHeader: isHeader)))
                        }
                    }
                    let ready = groups.drain(endedBy: latest - 3600).map(assemble)
                    try await sink.deliver(ready, rejected, bytes: step.bytes)
                    cursor = step.cursor
                    if !step.full { break }
                }
            }
        }
        try await sink.accept(contentsOf: groups.drainAll().map(assemble))
    }

    /// One call from its row and any child-leg rows.
    func assemble(_ rows: [PhoneCSVRow]) -> Interaction {
        let main = rows.first { $0.parent == nil } ?? rows[0]
        var call = main.call
        call.key = main.parent ?? main.key
        if rows.count > 1 { call.topics = rows.flatMap(\.call.topics) }   // labels of child legs too
        if call.agent == nil {
            let answeredLeg = rows.first { $0.parent != nil && $0.call.outcome == .answered }
            call.agent = answeredLeg.map { $0.call.agent ?? $0.call.callee }
        }
        if call.outcome == .answered, call.agent == nil, call.direction != .outbound, !call.callee.isEmpty,
           builder.agent(phone: call.callee) != nil {
            call.agent = call.callee
        }
        return builder.interaction(call)
    }
}
