import Foundation
import SwitchboardCore

/// `kind: freeswitch-cdr` — FreeSWITCH `mod_cdr_csv` files: the default
/// `example` template (15 columns), the compiled-in 13-column fallback, or any
/// template given as a column list. One call interaction per A-leg uuid.
public struct FreeSWITCHCDRConnector: FileImporter {
    public struct Settings: Decodable, Sendable {
        public var path: String?
        public var timezone: String?
        public var columns: [String]?
        public var topics: PhoneTopicSettings?
        public init(path: String? = nil, timezone: String? = nil, columns: [String]? = nil, topics: PhoneTopicSettings? = nil) {
            self.path = path
            self.timezone = timezone
            self.columns = columns
            self.topics = topics
        }
    }

    public static let kind = "freeswitch-cdr"
    public static let summary = "FreeSWITCH mod_cdr_csv files (example template, 13-column fallback, or a column list)"
    public static let settings: [SettingSpec] = [
        .path, .timezone,
        SettingSpec("columns", "[string]", "template variables in file order, to override the example template (15 columns) and its 13-column fallback"),
        PhoneTopicSettings.spec(queue: "a cc_queue (mod_callcenter) or queue column of the template",
                                dids: "destination_number, on calls that are not outbound", contexts: "the context column"),
    ]

    /// The `example` template of mod_cdr_csv (FORMATS §1); the fallback drops the codecs.
    static let example = ["caller_id_name", "caller_id_number", "destination_number", "context", "start_stamp",
                          "answer_stamp", "end_stamp", "duration", "billsec", "hangup_cause", "uuid", "bleg_uuid",
                          "accountcode", "read_codec", "write_codec"]
    static let required = ["caller_id_number", "destination_number", "start_stamp", "end_stamp", "billsec",
                           "hangup_cause", "uuid"]
    /// Template variables that name the call's queue, first found wins (mod_callcenter sets `cc_queue`).
    static let queueColumns = ["cc_queue", "queue"]
    /// Hangup causes of calls that never reached anyone because the network or the target failed.
    static let failureCauses: Set<String> = [
        "UNALLOCATED_NUMBER", "NO_ROUTE_TRANSIT_NET", "NO_ROUTE_DESTINATION", "CHANNEL_UNACCEPTABLE",
        "DESTINATION_OUT_OF_ORDER", "INVALID_NUMBER_FORMAT", "NETWORK_OUT_OF_ORDER", "NORMAL_TEMPORARY_FAILURE",
        "SWITCH_CONGESTION", "NORMAL_CIRCUIT_CONGESTION", "REQUESTED_CHAN_UNAVAIL", "SERVICE_UNAVAILABLE",
        "INCOMPATIBLE_DESTINATION", "RECOVERY_ON_TIMER_EXPIRE", "GATEWAY_DOWN", "INVALID_GATEWAY", "CALL_REJECTED",
        "USER_NOT_REGISTERED", "SUBSCRIBER_ABSENT",
    ]

    public let name: String
    let columns: [String]?
    let timeZone: TimeZone
    let shortAbandon: Double
    let builder: PhoneCallBuilder

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        if let columns = settings.columns {
            let missing = Self.required.filter { !columns.contains($0) }
            guard missing.isEmpty else {
                throw ConnectorError(.settings, "columns lacks \(missing.joined(separator: ", ")); the example template is \(Self.example.joined(separator: ", "))")
            }
        }
        columns = settings.columns
        timeZone = try context.timeZone(setting: settings.timezone)
        shortAbandon = context.phone.shortAbandon
        var unavailable: [String: String] = [:]
        if let columns = settings.columns, !columns.contains("context") {
            unavailable["contexts"] = "the configured columns have no context; add ${context} to the template and to columns"
        }
        builder = PhoneCallBuilder(source: name, platform: "freeswitch", agents: context.agents,
                                   defaultCountry: context.phone.defaultCountry,
                                   topics: try PhoneTopics(settings.topics, defaultCountry: context.phone.defaultCountry,
                                                           unavailable: unavailable))
    }

    public func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {
        var parser = RowParser(columns: columns, converter: LocalTimeConverter(timeZone: timeZone))
        for url in urls {
            for file in try PathExpansion.files(url, extensions: [".csv"]) {
                let reader = BlockReader(url: file, includeUnterminated: true)
                var cursor = FileCursor(device: 0, inode: 0, offset: 0, line: 1)
                while true {
                    var built: [Interaction] = []
                    var rejected: [Rejected] = []
                    let name = file.lastPathComponent
                    let step = try reader.next(after: cursor) { line in
                        guard !BlockReader.isBlank(line.bytes) else { return }
                        let provenance = "file:\(name)#L\(line.number)"
                        do throws(RowParser.RowError) {
                            let call = try parser.parse(line.bytes, provenance: provenance, shortAbandon: shortAbandon)
                            built.append(builder.interaction(call))
                        } catch {
                            rejected.append(Rejected(reason: "\(name):\(line.number): \(error.reason)",
                                                     provenance: provenance, raw: Data(line.bytes),
                                                     replay: ReplayContext(kind: Self.kind)))
                        }
                    }
                    try await sink.deliver(built, rejected, bytes: step.bytes)
                    cursor = step.cursor
                    if !step.full { break }
                }
            }
        }
    }

    /// One mod_cdr_csv row → one call (FreeSWITCH semantics in the README).
    struct RowParser {
        struct RowError: Error { var reason: String }
        let configured: [String: Int]?
        let configuredCount: Int
        let example: [String: Int]
        /// The column of the queue name in a configured template (the example template has none).
        let queueColumn: Int?
        let converter: LocalTimeConverter
        var fields = CSVFields()

        init(columns: [String]?, converter: LocalTimeConverter) {
            configured = columns.map { Dictionary($0.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a }) }
            configuredCount = columns?.count ?? 0
            example = Dictionary(FreeSWITCHCDRConnector.example.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            queueColumn = configured.flatMap { c in FreeSWITCHCDRConnector.queueColumns.lazy.compactMap { c[$0] }.first }
            self.converter = converter
        }

        mutating func parse(_ line: UnsafeBufferPointer<UInt8>, provenance: String, shortAbandon: Double) throws(RowError) -> PhoneCall {
            do { try fields.split(line) } catch { throw RowError(reason: error.description) }
            let map: [String: Int]
            if let configured {
                guard fields.count == configuredCount else {
                    throw RowError(reason: "expected \(configuredCount) columns (the configured `columns`), got \(fields.count)")
                }
                map = configured
            } else {
                guard fields.count == 15 || fields.count == 13 else {
                    throw RowError(reason: "expected 15 columns (example template) or 13 (fallback), got \(fields.count); set `columns` for another template")
                }
                map = example
            }
            let f = fields
            func text(_ n: String) -> String { map[n].map { f.string($0, in: line) } ?? "" }
            func strict(_ n: String) throws(RowError) -> String {
                guard let i = map[n] else { return "" }
                guard let s = f.strictString(i, in: line) else { throw RowError(reason: "\(n) is not valid UTF-8") }
                return s
            }
            func time(_ n: String, optional: Bool) throws(RowError) -> Double? {
                guard let i = map[n], !f.isEmpty(i) else {
                    if optional { return nil }
                    throw RowError(reason: "\(n) is empty")
                }
                guard let t = FieldParse.localDateTime(f.bytes(i, in: line), converter) else {
                    throw RowError(reason: "\(n) '\(f.string(i, in: line))' is not a time YYYY-MM-DD HH:MM:SS")
                }
                return t
            }
            guard let start = try time("start_stamp", optional: false), let end = try time("end_stamp", optional: false)
            else { throw RowError(reason: "no start/end") }
            let answer = try time("answer_stamp", optional: true)
            guard end >= start else { throw RowError(reason: "end_stamp is before start_stamp (reversed times)") }
            if let answer, answer < start || answer > end { throw RowError(reason: "answer_stamp is outside start…end") }
            guard let bi = map["billsec"], let billsec = FieldParse.int(f.bytes(bi, in: line)) else {
                throw RowError(reason: "billsec '\(text("billsec"))' is not a whole number of seconds")
            }
            guard billsec >= 0 else { throw RowError(reason: "billsec is negative (\(billsec))") }
            if let di = map["duration"] {
                guard let d = FieldParse.int(f.bytes(di, in: line)) else {
                    throw RowError(reason: "duration '\(text("duration"))' is not a whole number of seconds")
                }
                guard d >= 0 else { throw RowError(reason: "duration is negative (\(d))") }
            }
            let uuid = try strict("uuid")
            guard !uuid.isEmpty else { throw RowError(reason: "uuid is empty") }
            let cause = try strict("hangup_cause").uppercased()
            let number = try strict("caller_id_number")
            let name = text("caller_id_name")
            var call = PhoneCall(key: uuid, start: start, end: end, caller: number,
                                 callerName: name.isEmpty || name == number ? nil : name,
                                 callee: try strict("destination_number"), callerChannel: nil,
                                 context: text("context"), outcome: .abandoned, provenance: provenance)
            // Where the call ended: its context, and the last application when the template logs ${last_app} / ${last_arg}.
            call.details = CallDetails(context: text("context"), lastApp: text("last_app"), lastData: text("last_arg"))
            if let q = queueColumn, !f.isEmpty(q) {
                let queue = f.string(q, in: line).trimmingCharacters(in: .whitespaces)
                if !queue.isEmpty { call.queue = queue }
            }
            let bridged = !(try strict("bleg_uuid")).isEmpty
            if let answer, billsec > 0 {
                if bridged || map["bleg_uuid"] == nil {
                    call.outcome = .answered
                    call.wait = answer - start
                    call.talk = Double(billsec)
                    call.agent = call.callee
                } else {
                    call.outcome = .ivr
                }
            } else if cause == "USER_BUSY" {
                call.outcome = .busy
            } else if FreeSWITCHCDRConnector.failureCauses.contains(cause) {
                call.outcome = .failed
            } else {
                call.outcome = end - start < shortAbandon ? .shortAbandon : .abandoned
                call.wait = end - start
            }
            return call
        }
    }
}
