import Foundation
import SwitchboardCore

/// `kind: asterisk-cdr` — Asterisk `cdr_csv` Master.csv (or a `cdr_custom` file
/// through `columns`), one call interaction per linkedid, optionally enriched
/// with the queue facts of a `queue_log`. Imports files once, or follows the
/// growing file as a pull source (checkpoint: device, inode, byte offset).
public struct AsteriskCDRConnector: FileImporter, PullSource {
    public struct Settings: Decodable, Sendable {
        public var path: String?
        public var timezone: String?
        public var columns: [String]?
        public var queueLog: String?
        public var inboundContexts: [String]?
        public var settle: String?
        public var topics: PhoneTopicSettings?

        public init(path: String? = nil, timezone: String? = nil, columns: [String]? = nil, queueLog: String? = nil,
                    inboundContexts: [String]? = nil, settle: String? = nil, topics: PhoneTopicSettings? = nil) {
            self.path = path
            self.timezone = timezone
            self.columns = columns
            self.queueLog = queueLog
            self.inboundContexts = inboundContexts
            self.settle = settle
            self.topics = topics
        }

        enum CodingKeys: String, CodingKey {
            case path, timezone, columns, settle, topics
            case queueLog = "queue_log"
            case inboundContexts = "inbound_contexts"
        }
    }

    public static let kind = "asterisk-cdr"
    public static let summary = "Asterisk cdr_csv / cdr_custom CDR files (+ queue_log): one call per linkedid; import or follow"
    public static let settings: [SettingSpec] = [
        .path, .timezone,
        SettingSpec("columns", "[string]", "column names in file order, for cdr_custom or to override the detection by count (16/17/18/21)"),
        SettingSpec("queue_log", "string", "path of the queue_log whose queue facts (queue, hold time, abandon, agent) enrich the same calls"),
        SettingSpec("inbound_contexts", "[string]", "dialplan contexts of customer calls; calls from other contexts that no agent placed are internal"),
        SettingSpec("settle", "duration", "pull mode: a call is stored once this long has passed after its last leg ended (default 60s)"),
        PhoneTopicSettings.spec(queue: "the queue_log's queue name", dids: "the first leg's dst, on calls that are not outbound",
                                contexts: "the first leg's dcontext"),
    ]

    public let name: String
    let path: URL?
    let queueLog: URL?
    let columns: [String]?
    let timeZone: TimeZone
    let settle: Double
    let shortAbandon: Double
    let builder: PhoneCallBuilder

    /// On import, a call is complete once the file shows legs ending this long after its last leg.
    static let importWindow: Double = 3600

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        path = settings.path.map(context.resolve(path:))
        queueLog = settings.queueLog.map(context.resolve(path:))
        if let columns = settings.columns { try AsteriskCDRLayout.validate(columns: columns) }
        columns = settings.columns
        timeZone = try context.timeZone(setting: settings.timezone)
        if let s = settings.settle {
            guard let v = ConfigValues.seconds(s) else {
                throw ConnectorError(.settings, "settle '\(s)' is not a duration such as 30s or 2m")
            }
            settle = v
        } else { settle = 60 }
        shortAbandon = context.phone.shortAbandon
        // A `columns` layout without dst / dcontext cannot map them; the cdr_csv layouts all have both.
        var unavailable: [String: String] = [:]
        if let columns = settings.columns {
            if !columns.contains("dst") { unavailable["dids"] = "the configured columns have no dst (the dialled number); add it to columns" }
            if !columns.contains("dcontext") { unavailable["contexts"] = "the configured columns have no dcontext; add it to columns" }
        }
        builder = PhoneCallBuilder(source: name, platform: "asterisk", agents: context.agents,
                                   defaultCountry: context.phone.defaultCountry,
                                   inboundContexts: Set(settings.inboundContexts ?? []),
                                   topics: try PhoneTopics(settings.topics, defaultCountry: context.phone.defaultCountry,
                                                           unavailable: unavailable))
    }

    // MARK: import

    public func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {
        var session = try makeSession()
        try await sink.accept(agentEvents: session.agentEvents)
        for url in urls {
            for file in try PathExpansion.files(url, extensions: [".csv"]) {
                let reader = BlockReader(url: file, includeUnterminated: true)
                var cursor = FileCursor(device: 0, inode: 0, offset: 0, line: 1)
                while true {
                    let (built, rejected, step) = try session.readBlock(reader, after: cursor) { latest in
                        latest - Self.importWindow
                    }
                    try await sink.deliver(built, rejected, bytes: step.bytes)
                    cursor = step.cursor
                    if !step.full { break }
                }
            }
        }
        try await sink.accept(contentsOf: session.finishAll())
    }

    // MARK: pull

    struct PullState: Codable {
        var cursor: FileCursor?
        var pending: [CDRLeg]
    }

    public func pull(from checkpoint: Checkpoint?, into sink: any IngestSink) async throws {
        guard let path else { throw ConnectorError(.settings, "\(name): pull needs `path:` (the growing Master.csv)") }
        var state = PullState(cursor: nil, pending: [])
        if let checkpoint {
            do { state = try checkpoint.decode(PullState.self) }
            catch { throw ConnectorError(.format, "\(name): the stored checkpoint is not an asterisk-cdr state; reset it to re-read the file") }
        }
        var session = try makeSession()
        try await sink.accept(agentEvents: session.agentEvents)
        for leg in state.pending { session.groups.add(leg, key: leg.groupKey, end: leg.end) }
        guard let plan = FileCursor.plan(for: path, previous: state.cursor) else {
            throw ConnectorError(.io, "\(name): cannot read \(path.path): no such file (check `path:`)")
        }
        let settle = self.settle
        let horizon: (Double) -> Double = { _ in Date().timeIntervalSince1970 - settle }
        if let reason = plan.restartReason {
            session.log("\(name): \(reason); reading \(path.lastPathComponent) from its start")
        }
        if let tail = plan.rotatedTail {
            // The rotated file's unread tail is complete: its last line needs no newline.
            try await follow(BlockReader(url: tail.url, includeUnterminated: true), from: tail.cursor,
                             session: &session, horizon: horizon, into: sink)
        }
        try await follow(BlockReader(url: plan.currentURL, includeUnterminated: false), from: plan.current,
                         session: &session, horizon: horizon, into: sink)
    }

    /// Reads a file block by block from `cursor`, committing a checkpoint with every block.
    private func follow(_ reader: BlockReader, from start: FileCursor, session: inout CDRSession,
                        horizon: @escaping (Double) -> Double, into sink: any IngestSink) async throws {
        var cursor = start
        while true {
            let (built, rejected, step) = try session.readBlock(reader, after: cursor, horizon: horizon)
            try await sink.deliver(built, rejected, bytes: step.bytes)
            cursor = step.cursor
            try await sink.checkpoint(Checkpoint(source: name, encoding: PullState(cursor: cursor, pending: session.groups.pendingLegs)))
            if !step.full { break }
        }
    }

    // MARK: shared

    func makeSession() throws -> CDRSession {
        var facts: [String: QueueCall] = [:]
        var agentEvents: [AgentEvent] = []
        if let queueLog {
            var reader = QueueLogReader(timeZone: timeZone, shortAbandon: shortAbandon)
            reader.agentLog.keep = true
            facts = try reader.facts(in: queueLog)
            agentEvents = reader.agentLog.lines.map(builder.agentEvent)
        }
        var parser = AsteriskCDRRowParser(columns: columns, timeZone: timeZone)
        parser.keepUniqueid = queueLog != nil
        var session = CDRSession(parser: parser, builder: builder,
                                 shortAbandon: shortAbandon, queueFacts: facts)
        session.agentEvents = agentEvents
        return session
    }
}

/// The state of one import or pull pass: parser, calls being collected, queue facts.
struct CDRSession {
    var parser: AsteriskCDRRowParser
    let builder: PhoneCallBuilder
    let shortAbandon: Double
    let queueFacts: [String: QueueCall]
    /// The queue_log's agent events (stored with the first batch; the same lines read again are stored once).
    var agentEvents: [AgentEvent] = []
    var groups = LegGroups<LegKey, CDRLeg>()
    var latestEnd = -Double.infinity

    func log(_ message: String) {}

    /// Parses one block of rows; returns the calls completed by `horizon(latest leg end)` and the bad rows.
    mutating func readBlock(_ reader: BlockReader, after cursor: FileCursor, horizon: (Double) -> Double) throws
        -> ([Interaction], [Rejected], (cursor: FileCursor, bytes: Int, full: Bool)) {
        var rejected: [Rejected] = []
        let file = reader.url.lastPathComponent
        let step = try reader.next(after: cursor) { line in
            guard !BlockReader.isBlank(line.bytes) else { return }
            do throws(AsteriskCDRRowParser.RowError) {
                let leg = try parser.parse(line.bytes, file: file, number: line.number)
                groups.add(leg, key: leg.groupKey, end: leg.end)
                latestEnd = max(latestEnd, leg.end)
            } catch {
                rejected.append(Rejected(reason: "\(file):\(line.number): \(error.reason)", provenance: "file:\(file)#L\(line.number)",
                                         raw: Data(line.bytes), replay: ReplayContext(kind: AsteriskCDRConnector.kind)))
            }
        }
        let ready = groups.drain(endedBy: horizon(latestEnd))
        return (ready.map(build), rejected, step)
    }

    mutating func finishAll() -> [Interaction] { groups.drainAll().map(build) }

    func build(_ legs: [CDRLeg]) -> Interaction {
        var call = AsteriskCallAssembly.call(from: legs, shortAbandon: shortAbandon)
        if !queueFacts.isEmpty {
            let ids = [call.key] + legs.compactMap(\.uniqueid)
            if let facts = ids.lazy.compactMap({ queueFacts[$0] }).first { facts.enrich(&call) }
        }
        return builder.interaction(call)
    }
}
