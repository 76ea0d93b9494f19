import Foundation
import SwitchboardCore
import SwitchboardScan

/// `switchboard dead-letters replay`: reads stored dead letters again through their source's current
/// connector and settings. What decodes now goes through the normal ingest sink (deduplicated, topic rules,
/// privacy) in a run of mode `replay`; what still fails keeps its letter with the new reason. Every letter
/// tried is marked (`replayed_at`, `replay_outcome`), none is deleted; letters replayed with success are
/// not tried again, so a second replay stores nothing.
///
/// The marks are written after the run's interactions are committed: a replay stopped in between leaves
/// its letters unmarked, and the next replay finds their interactions already stored (duplicates).
struct DeadLetterReplayer {
    /// One source to replay: its config entry and connector.
    struct Plan {
        var entry: ConnectorEntry
        var connector: any Connector
        var selection: DeadLetterSelection
    }

    /// The result of decoding one letter.
    struct Attempt {
        var letter: StoredDeadLetter
        var decoding: ReplayDecoding
        /// The export to read again instead (``ReplayContext/exportKey``): the letter is decided by that read.
        var export: String? = nil

        var outcome: ReplayOutcome {
            if !decoding.failures.isEmpty { return .failed }
            return decoding.interactions.isEmpty ? .empty : .stored
        }

        var reason: String? { decoding.failures.isEmpty ? nil : decoding.failures.joined(separator: "; ") }
    }

    let rt: Runtime
    let store: any MetricsStore & DeadLetterReplayStore
    static let pageSize = 200

    /// Checks every source before anything is written: each must still be configured with the kind that
    /// wrote its letters.
    /// - Throws: ``UsageFailure`` naming the source and what changed; nothing has been written then.
    func plan(sources: [String], reason: String?, since: Date?) async throws -> [Plan] {
        var plans: [Plan] = []
        for source in sources {
            let selection = DeadLetterSelection(source: source, reason: reason, since: since)
            guard let entry = rt.config.connector(named: source) else {
                let names = rt.config.connectors.map(\.name)
                throw UsageFailure("the dead letters of '\(source)' cannot be replayed: \(rt.config.file.path) has no connector named '\(source)' "
                    + "any more\(Suggestion.hint(for: source, in: names)); configure it again (same name and kind) to replay them. Nothing was replayed.")
            }
            let kinds = try await store.deadLetterKinds(selection).compactMap { $0 }
            if let other = kinds.first(where: { $0 != entry.kind }) {
                throw UsageFailure("the dead letters of '\(source)' were written by kind \(other), but '\(source)' is now of kind \(entry.kind) "
                    + "in \(rt.config.file.path): its current connector cannot read them. Nothing was replayed.")
            }
            plans.append(Plan(entry: entry, connector: try rt.make(entry), selection: selection))
        }
        return plans
    }

    /// Decodes one letter with the source's current connector (webhook bodies without verifying them again).
    static func decode(_ letter: StoredDeadLetter, with plan: Plan) -> Attempt {
        let decoding: ReplayDecoding
        if let replaying = plan.connector as? any DeadLetterReplaying {
            do { decoding = try replaying.replay(letter.letter) }
            catch { decoding = ReplayDecoding(failures: ["\(error)"]) }
        } else if let webhook = plan.connector as? any WebhookSource {
            decoding = WebhookReplayContext.replay(letter.letter, source: plan.entry.name, with: webhook)
        } else if plan.connector is any FileImporter, let export = letter.letter.replay?.values[ReplayContext.exportKey] {
            return Attempt(letter: letter, decoding: ReplayDecoding(), export: export)
        } else {
            decoding = ReplayDecoding(failures: ["not replayable: kind \(plan.entry.kind) cannot read its dead letters again; "
                + "import the file again instead"])
        }
        return Attempt(letter: letter, decoding: decoding)
    }

    /// Every selected letter of a plan, page by page, decoded.
    func attempts(_ plan: Plan, _ body: ([Attempt]) async throws -> Void) async throws {
        var after: Int64 = 0
        while true {
            let page = try await store.deadLettersToReplay(plan.selection, after: after, limit: Self.pageSize)
            guard let last = page.last else { return }
            try await body(page.map { Self.decode($0, with: plan) })
            after = last.id
        }
    }

    /// Replays one source: decoded interactions through the ingest sink, then the marks.
    func replay(_ plan: Plan, quiet: Bool) async throws -> IngestSummary {
        let marks = MarkList()
        let runner = IngestRunner(store: store, policy: rt.config.ingestPolicy, quiet: quiet)
        let summary = try await runner.run(source: plan.entry.name, mode: "replay") { sink in
            var exports = ExportLetters()
            try await attempts(plan) { page in
                for a in page {
                    if let export = a.export { exports.add(export, a.letter); continue }
                    try await sink.accept(contentsOf: a.decoding.interactions)
                    if let reason = a.reason {
                        // Counted like any rejected record; the stored letter already exists (same source,
                        // provenance and payload), so it is kept once, and its mark below gives the new reason.
                        try await sink.reject(reason: reason, provenance: a.letter.letter.provenance, raw: a.letter.letter.raw,
                                              replay: a.letter.letter.replay)
                    }
                    marks.add(DeadLetterReplayMark(id: a.letter.id, at: Date(), outcome: a.outcome, reason: a.reason))
                }
            }
            for (export, letters) in exports.groups {
                let capture = RejectCapture(inner: sink)
                let missing = try await Self.reread(export, with: plan, into: capture)
                for l in letters {
                    let reason = missing ?? capture.reason(for: l.provenance)
                    if let missing {
                        try await sink.reject(reason: missing, provenance: l.provenance, raw: l.raw, replay: l.replay)
                    }
                    marks.add(DeadLetterReplayMark(id: l.id, at: Date(), outcome: reason == nil ? .stored : .failed, reason: reason))
                }
            }
        }
        try await store.markReplayed(marks.all)
        return summary
    }

    /// Reads an export again into `sink` with the plan's connector; the reason every letter of it fails
    /// when the export is no longer there, else nil.
    static func reread(_ export: String, with plan: Plan, into sink: any IngestSink) async throws -> String? {
        guard let importer = plan.connector as? any FileImporter, FileManager.default.fileExists(atPath: export) else {
            return "not replayed: its export \(export) is no longer there; put it back (or import the export again) "
                + "to read its records again"
        }
        try await importer.importFiles([URL(fileURLWithPath: export)], into: sink)
        return nil
    }

    /// What a replay would do, writing nothing: one line per letter and the counts.
    func dryRun(_ plan: Plan, print line: (String) -> Void) async throws -> IngestSummary {
        var summary = IngestSummary(source: plan.entry.name)
        let started = Date()
        var exports = ExportLetters()
        try await attempts(plan) { page in
            for a in page {
                if let export = a.export { exports.add(export, a.letter); continue }
                let d = a.letter.letter
                summary.read += a.decoding.interactions.count + (a.reason == nil ? 0 : 1)
                summary.stored += a.decoding.interactions.count
                if let reason = a.reason {
                    summary.deadLetters += 1
                    line("  \(d.provenance): still fails: \(reason)")
                } else {
                    let n = a.decoding.interactions.count
                    line("  \(d.provenance): \(n == 0 ? "decodes to nothing to store" : "would store \(n) interaction\(n == 1 ? "" : "s")")")
                }
            }
        }
        for (export, letters) in exports.groups {
            let capture = RejectCapture(inner: nil)
            let missing = try await Self.reread(export, with: plan, into: capture)
            line("  \(export): read again: \(capture.accepted) record(s) decode (stored before or new), \(capture.rejected) fail")
            summary.read += capture.accepted + capture.rejected
            summary.stored += capture.accepted
            summary.deadLetters += capture.rejected
            for l in letters {
                if let reason = missing ?? capture.reason(for: l.provenance) {
                    line("  \(l.provenance): still fails: \(reason)")
                    if missing != nil { summary.read += 1; summary.deadLetters += 1 }
                } else {
                    line("  \(l.provenance): decodes when its export is read again")
                }
            }
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }
}

/// Letters to be decided by reading their export again, grouped by export (a record alone lacks its conversation).
struct ExportLetters {
    struct Letter {
        var id: Int64
        var provenance: String
        var raw: Data
        var replay: ReplayContext?
    }

    private(set) var groups: [(String, [Letter])] = []
    private var index: [String: Int] = [:]

    mutating func add(_ export: String, _ letter: StoredDeadLetter) {
        let l = Letter(id: letter.id, provenance: letter.letter.provenance, raw: letter.letter.raw, replay: letter.letter.replay)
        if let i = index[export] { groups[i].1.append(l) } else {
            index[export] = groups.count
            groups.append((export, [l]))
        }
    }
}

/// Passes records on (or only counts them, with no inner sink) and remembers why each provenance was rejected.
final class RejectCapture: IngestSink, @unchecked Sendable {
    private let inner: (any IngestSink)?
    private let lock = NSLock()
    private var reasons: [String: String] = [:]
    private var counts = (accepted: 0, rejected: 0)

    init(inner: (any IngestSink)?) { self.inner = inner }

    var source: String { inner?.source ?? "" }
    var accepted: Int { lock.withLock { counts.accepted } }
    var rejected: Int { lock.withLock { counts.rejected } }
    func reason(for provenance: String) -> String? { lock.withLock { reasons[provenance] } }

    func accept(_ interaction: Interaction) async throws {
        lock.withLock { counts.accepted += 1 }
        try await inner?.accept(interaction)
    }

    func accept(contentsOf interactions: [Interaction]) async throws {
        lock.withLock { counts.accepted += interactions.count }
        try await inner?.accept(contentsOf: interactions)
    }

    func reject(reason: String, provenance: String, raw: Data) async throws {
        try await reject(reason: reason, provenance: provenance, raw: raw, replay: nil)
    }

    func reject(reason: String, provenance: String, raw: Data, replay: ReplayContext?) async throws {
        lock.withLock {
            counts.rejected += 1
            reasons[provenance] = reasons[provenance].map { $0 + "; " + reason } ?? reason
        }
        try await inner?.reject(reason: reason, provenance: provenance, raw: raw, replay: replay)
    }

    func checkpoint(_ checkpoint: Checkpoint) async throws { try await inner?.checkpoint(checkpoint) }
    func progress(bytes: Int) async { await inner?.progress(bytes: bytes) }
    func accept(agentEvents: [AgentEvent]) async throws { try await inner?.accept(agentEvents: agentEvents) }
}

/// The marks of one replay, collected while the sink runs.
private final class MarkList: @unchecked Sendable {
    private let lock = NSLock()
    private var marks: [DeadLetterReplayMark] = []

    func add(_ mark: DeadLetterReplayMark) { lock.withLock { marks.append(mark) } }
    var all: [DeadLetterReplayMark] { lock.withLock { marks } }
}
