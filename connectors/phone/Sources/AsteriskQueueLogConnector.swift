import Foundation
import Logging
import SwitchboardCore

/// `kind: asterisk-queue-log` — an Asterisk `queue_log` alone (file form
/// `epoch|callid|queue|agent|event|params…` or the database column form): one
/// call interaction per queued call id. Imports once, or follows the growing file.
public struct AsteriskQueueLogConnector: FileImporter, PullSource {
    public struct Settings: Decodable, Sendable {
        public var path: String?
        public var timezone: String?
        public var inboundContexts: [String]?
        public var topics: PhoneTopicSettings?

        public init(path: String? = nil, timezone: String? = nil, topics: PhoneTopicSettings? = nil) {
            self.path = path
            self.timezone = timezone
            self.topics = topics
        }

        enum CodingKeys: String, CodingKey {
            case path, timezone, topics
            case inboundContexts = "inbound_contexts"
        }
    }

    public static let kind = "asterisk-queue-log"
    public static let summary = "Asterisk queue_log (file or database form): one call per queued call id; import or follow"
    public static let settings: [SettingSpec] = [
        .path,
        SettingSpec("timezone", "string", "IANA time zone of `YYYY-MM-DD HH:MM:SS` times in the database form (epoch times need none)"),
        PhoneTopicSettings.spec(queue: "the queue name", dids: "the number of the call's DID line, as FreePBX writes with QueueLog(…,DID,${FROM_DID})",
                                contexts: nil),
    ]

    /// In pull mode a call is stored as it stands once the log has run this long past its last line without an exit line.
    static let staleAfter: Double = 4 * 3600

    public let name: String
    let path: URL?
    let timeZone: TimeZone
    let shortAbandon: Double
    let builder: PhoneCallBuilder
    /// Where a pass tells how many lines of unknown events it skipped.
    let logger: Logger

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        logger = context.logger
        path = settings.path.map(context.resolve(path:))
        timeZone = try context.timeZone(setting: settings.timezone)
        shortAbandon = context.phone.shortAbandon
        builder = PhoneCallBuilder(source: name, platform: "asterisk", agents: context.agents,
                                   defaultCountry: context.phone.defaultCountry,
                                   topics: try PhoneTopics(settings.topics, defaultCountry: context.phone.defaultCountry, unavailable: [
                                       "contexts": "a queue_log has no dialplan context (asterisk-cdr reads dcontext)",
                                   ]))
    }

    /// A reader that keeps agent lines, and `DID` lines when `topics.dids` needs them.
    func makeReader() -> QueueLogReader {
        var reader = QueueLogReader(timeZone: timeZone, shortAbandon: shortAbandon)
        reader.agentLog.keep = true
        reader.keepDID = !builder.topics.dids.isEmpty
        return reader
    }

    public func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {
        var session = QueueSession(reader: makeReader(), builder: builder, shortAbandon: shortAbandon)
        for url in urls {
            for file in try PathExpansion.files(url) {
                let reader = BlockReader(url: file, includeUnterminated: true)
                var cursor = FileCursor(device: 0, inode: 0, offset: 0, line: 1)
                while true {
                    let (built, rejected, step) = try session.readBlock(reader, after: cursor, staleAfter: .infinity)
                    try await sink.deliver(built, rejected, bytes: step.bytes)
                    try await sink.accept(agentEvents: session.takeAgentEvents())
                    cursor = step.cursor
                    if !step.full { break }
                }
            }
        }
        try await sink.accept(contentsOf: session.groups.drainAll().compactMap(session.build))
        session.reader.agentLog.report(to: logger, source: name)
    }

    struct PullState: Codable {
        var cursor: FileCursor?
        var pending: [QueueEvent]
    }

    public func pull(from checkpoint: Checkpoint?, into sink: any IngestSink) async throws {
        guard let path else { throw ConnectorError(.settings, "\(name): pull needs `path:` (the growing queue_log)") }
        var state = PullState(cursor: nil, pending: [])
        if let checkpoint {
            do { state = try checkpoint.decode(PullState.self) }
            catch { throw ConnectorError(.format, "\(name): the stored checkpoint is not an asterisk-queue-log state; reset it to re-read the file") }
        }
        var session = QueueSession(reader: makeReader(), builder: builder, shortAbandon: shortAbandon)
        for e in state.pending {
            session.groups.add(e, key: e.callid, end: e.time)
            session.latest = max(session.latest, e.time)
        }
        guard let plan = FileCursor.plan(for: path, previous: state.cursor) else {
            throw ConnectorError(.io, "\(name): cannot read \(path.path): no such file (check `path:`)")
        }
        var parts: [(BlockReader, FileCursor)] = []
        if let tail = plan.rotatedTail { parts.append((BlockReader(url: tail.url, includeUnterminated: true), tail.cursor)) }
        parts.append((BlockReader(url: plan.currentURL, includeUnterminated: false), plan.current))
        for (reader, start) in parts {
            var cursor = start
            while true {
                let (built, rejected, step) = try session.readBlock(reader, after: cursor, staleAfter: Self.staleAfter)
                try await sink.deliver(built, rejected, bytes: step.bytes)
                try await sink.accept(agentEvents: session.takeAgentEvents())
                cursor = step.cursor
                try await sink.checkpoint(Checkpoint(source: name, encoding: PullState(cursor: cursor, pending: session.groups.pendingLegs)))
                if !step.full { break }
            }
        }
        session.reader.agentLog.report(to: logger, source: name)
    }
}

/// One import or pull pass over a queue_log.
struct QueueSession {
    var reader: QueueLogReader
    let builder: PhoneCallBuilder
    let shortAbandon: Double
    var groups = LegGroups<String, QueueEvent>()
    /// Time of the newest line read.
    var latest = -Double.infinity

    mutating func readBlock(_ blocks: BlockReader, after cursor: FileCursor, staleAfter: Double) throws
        -> ([Interaction], [Rejected], (cursor: FileCursor, bytes: Int, full: Bool)) {
        var rejected: [Rejected] = []
        let file = blocks.url.lastPathComponent
        let step = try blocks.next(after: cursor) { line in
            guard !BlockReader.isBlank(line.bytes) else { return }
            let provenance = "file:\(file)#L\(line.number)"
            do throws(QueueLogReader.LineError) {
                if let e = try reader.parse(line.bytes, provenance: provenance) {
                    groups.add(e, key: e.callid, end: e.time)
                    latest = max(latest, e.time)
                }
            } catch {
                rejected.append(Rejected(reason: "\(file):\(line.number): \(error.reason)", provenance: provenance,
                                         raw: Data(line.bytes), replay: ReplayContext(kind: AsteriskQueueLogConnector.kind)))
            }
        }
        var ready = groups.drain { events in events.contains { QueueEvent.terminal.contains($0.event) } }
        ready += groups.drain(endedBy: latest - staleAfter)
        return (ready.compactMap(build), rejected, step)
    }

    /// The call of a call id's lines; nil when only `DID` lines came (the call never entered a queue).
    func build(_ events: [QueueEvent]) -> Interaction? {
        guard events.contains(where: { $0.event != QueueEvent.did }) else { return nil }
        return builder.interaction(QueueCall.assemble(events, shortAbandon: shortAbandon).phoneCall)
    }
}
