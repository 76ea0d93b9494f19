import Foundation
import SwitchboardCore

/// One line of an Asterisk `queue_log` that belongs to a call.
struct QueueEvent: Codable, Sendable, Hashable {
    var time: Double
    var callid: String
    var queue: String
    var agent: String
    var event: String
    var params: [String]
    var provenance: String

    func param(_ n: Int) -> String? { n >= 1 && n <= params.count ? params[n - 1] : nil }

    /// Events that end a call's stay in the queue.
    static let terminal: Set<String> = ["ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "COMPLETEAGENT",
                                        "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"]
    /// Events that say something about a call; everything else (agent events, INFO…) is not a call fact
    /// (a `DID` line only when `topics.dids` asks for it).
    static let callEvents: Set<String> = terminal.union(["ENTERQUEUE", "CONNECT", "RINGNOANSWER", "RINGCANCELED"])
    static let nonCallIds: Set<String> = ["NONE", "MANAGER", "REALTIME", ""]
    /// `DID(number)`: the dialled number, logged by the dialplan before the call enters the queue
    /// (FreePBX: `QueueLog(queue,${UNIQUEID},NONE,DID,${FROM_DID})`); read only for `topics.dids`.
    static let did = "DID"
}

/// What a queue_log says about one call (FORMATS §1; semantics pinned in the README).
struct QueueCall: Sendable, Hashable {
    var callid: String
    var start: Double
    var end: Double
    var queue: String?
    var callerId: String?
    var outcome: CallOutcome?
    var wait: Double?
    var talk: Double?
    var agent: String?
    /// The dialled number of a `DID` line.
    var did: String?
    /// RINGNOANSWER lines: rings an agent let pass (agent misses, not a call outcome).
    var agentMisses = 0
    /// Queue position on entering (`ENTERQUEUE` param 3, else an exit line's origposition) and on leaving
    /// (the exit line's position), the key of `EXITWITHKEY`, and the hold time (the exit or CONNECT line's wait).
    var entryPosition: Int?
    var exitPosition: Int?
    var exitKey: String?
    var finished = false
    var provenance: String

    /// Folds a call's events, in time order, into its facts.
    static func assemble(_ events: [QueueEvent], shortAbandon: Double) -> QueueCall {
        let ordered = events.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        // A DID line names the dialled number only: the call's start, end and provenance are its queue lines'.
        let first = ordered.first { $0.event != QueueEvent.did } ?? ordered[0]
        var c = QueueCall(callid: first.callid, start: first.time, end: first.time, provenance: first.provenance)
        func seconds(_ s: String?) -> Double? { s.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }.map { max(0, $0) } }
        for e in ordered {
            if e.event == QueueEvent.did {
                if c.did == nil, let number = e.param(1), !number.isEmpty { c.did = number }
                continue
            }
            c.end = max(c.end, e.time)
            if !e.queue.isEmpty, e.queue != "NONE" { c.queue = e.queue }
            switch e.event {
            case "ENTERQUEUE":
                if c.callerId == nil, let id = e.param(2), !id.isEmpty { c.callerId = id }
                if let p = position(e.param(3)) { c.entryPosition = p }
            case "CONNECT":
                c.outcome = .answered
                c.wait = seconds(e.param(1))
                c.agent = e.agent
            case "COMPLETEAGENT", "COMPLETECALLER":
                c.outcome = .answered
                if c.wait == nil { c.wait = seconds(e.param(1)) }
                c.talk = seconds(e.param(2))
                if !e.agent.isEmpty, e.agent != "NONE" { c.agent = e.agent }
                c.finished = true
            case "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER":
                c.outcome = .answered
                c.talk = seconds(e.param(4))
                if c.wait == nil { c.wait = seconds(e.param(3)) }
                if !e.agent.isEmpty, e.agent != "NONE" { c.agent = e.agent }
                c.finished = true
            case "ABANDON":
                c.exit(position: e.param(1), origposition: e.param(2))
                c.wait = seconds(e.param(3))
                c.outcome = (c.wait ?? 0) < shortAbandon ? .shortAbandon : .abandoned
                c.finished = true
            case "EXITWITHTIMEOUT":
                c.exit(position: e.param(1), origposition: e.param(2))
                c.outcome = .timeout
                c.wait = seconds(e.param(3))
                c.finished = true
            case "EXITEMPTY":
                c.exit(position: e.param(1), origposition: e.param(2))
                c.outcome = .missed
                c.wait = seconds(e.param(3))
                c.finished = true
            case "EXITWITHKEY":
                c.exit(position: e.param(2), origposition: e.param(3))
                if let key = e.param(1), !key.isEmpty { c.exitKey = key }
                c.outcome = .missed
                c.wait = seconds(e.param(4))
                c.finished = true
            case "RINGNOANSWER":
                c.agentMisses += 1
            default: break
            }
        }
        return c
    }

    /// A queue position parameter (1 = first in line); nil when absent or not a positive whole number.
    static func position(_ s: String?) -> Int? {
        guard let s, let p = Int(s.trimmingCharacters(in: .whitespaces)), p > 0 else { return nil }
        return p
    }

    /// The positions of an exit line: where the caller was, and where it entered (when ENTERQUEUE did not say).
    mutating func exit(position: String?, origposition: String?) {
        exitPosition = Self.position(position)
        if entryPosition == nil { entryPosition = Self.position(origposition) }
    }

    /// The queue's part of a call's ``CallDetails``: positions, key and hold time.
    func details(_ d: inout CallDetails) {
        d.entryPosition = entryPosition ?? d.entryPosition
        d.exitPosition = exitPosition ?? d.exitPosition
        d.exitKey = exitKey ?? d.exitKey
        d.holdSeconds = wait ?? d.holdSeconds
    }

    /// Puts the queue's facts on a CDR call of the same call id: the queue knows
    /// the queue name, hold time, outcome and agent better than the legs do.
    func enrich(_ call: inout PhoneCall) {
        call.queue = queue ?? call.queue
        details(&call.details)
        guard let outcome else { return }
        call.outcome = outcome
        call.wait = wait ?? call.wait
        if outcome == .answered {
            call.talk = talk ?? call.talk
            call.agent = agent.flatMap { $0.isEmpty || $0 == "NONE" ? nil : $0 } ?? call.agent
        } else {
            call.talk = nil
            call.agent = nil
        }
    }

    /// The call as the queue alone knows it (no CDR).
    var phoneCall: PhoneCall {
        var call = PhoneCall(key: callid, start: start, end: end, caller: callerId ?? "", callerName: nil, callee: "",
                  callerChannel: nil, context: nil,
                  // Entered the queue and left no exit line: it left unanswered.
                  outcome: outcome ?? .missed, wait: wait ?? (outcome == nil ? end - start : nil), talk: talk,
                  agent: outcome == .answered ? agent : nil, queue: queue, provenance: provenance, did: did)
        details(&call.details)
        if outcome == nil { call.details.holdSeconds = call.wait }
        return call
    }
}

/// Parses queue_log lines: the file form `epoch|callid|queue|agent|event|params…`
/// and the database form `time,callid,queuename,agent,event,data1…data5` (CSV,
/// optionally with that header; `time` as epoch or `YYYY-MM-DD HH:MM:SS`).
struct QueueLogReader {
    let converter: LocalTimeConverter
    let shortAbandon: Double
    var fields = CSVFields()
    /// Column positions from a header line of the database form.
    var header: [String: Int]?
    /// Also return `DID` lines (for `topics.dids`); other readers skip them like any non-call line.
    var keepDID = false
    /// Agent lines kept and unknown events counted (QueueAgentEvents.swift).
    var agentLog = AgentLineLog()

    init(timeZone: TimeZone, shortAbandon: Double) {
        converter = LocalTimeConverter(timeZone: timeZone)
        self.shortAbandon = shortAbandon
    }

    struct LineError: Error { var reason: String }

    /// The call event of a line; nil for lines that are not call facts (agent events, NONE call ids, a header).
    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, provenance: String) throws(LineError) -> QueueEvent? {
        var values: [String] = []
        let pipe = line.firstIndex(of: UInt8(ascii: "|"))
        let comma = line.firstIndex(of: UInt8(ascii: ","))
        if let p = pipe, comma == nil || p < comma! {
            values = line.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self)
            }
        } else {
            do { try fields.split(line) } catch { throw LineError(reason: error.description) }
            for i in 0..<fields.count { values.append(fields.string(i, in: line)) }
            if header == nil, let first = values.first?.lowercased(), first == "time" || first == "id" {
                header = Dictionary(values.enumerated().map { ($1.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
                return nil
            }
            if let h = header {
                func col(_ n: String) -> String { h[n].flatMap { $0 < values.count ? values[$0] : nil } ?? "" }
                var row = [col("time"), col("callid"), col("queuename"), col("agent"), col("event")]
                if let data = h["data"] { row += (data < values.count ? values[data] : "").split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
                for k in 1...5 where h["data\(k)"] != nil { row.append(col("data\(k)")) }
                values = row
            } else if values.count == 6, values[5].contains("|") {
                values = Array(values.prefix(5)) + values[5].split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            }
        }
        guard values.count >= 5 else {
            throw LineError(reason: "expected at least 5 fields (time|callid|queue|agent|event), got \(values.count)")
        }
        let callid = values[1]
        let event = values[4].uppercased()
        guard !QueueEvent.nonCallIds.contains(callid),
              QueueEvent.callEvents.contains(event) || (keepDID && event == QueueEvent.did) else {
            try noteNonCall(values, event: event, provenance: provenance)
            return nil
        }
        guard values.allSatisfy({ !$0.contains("\u{FFFD}") }) else { throw LineError(reason: "the line is not valid UTF-8") }
        guard let time = time(values[0]) else {
            throw LineError(reason: "time '\(values[0])' is neither epoch seconds nor YYYY-MM-DD HH:MM:SS")
        }
        var params = Array(values.dropFirst(5))
        while let last = params.last, last.isEmpty { params.removeLast() }
        let e = QueueEvent(time: time, callid: callid, queue: values[2], agent: values[3], event: event,
                           params: params, provenance: provenance)
        try check(e)
        noteCall(e)
        return e
    }

    /// The numeric parameters the semantics read must be numbers.
    func check(_ e: QueueEvent) throws(LineError) {
        let numeric: [Int]
        switch e.event {
        case "CONNECT": numeric = [1]
        case "COMPLETEAGENT", "COMPLETECALLER": numeric = [1, 2]
        case "ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY": numeric = [3]
        case "EXITWITHKEY": numeric = [4]
        case "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER": numeric = [4]
        default: numeric = []
        }
        for n in numeric {
            guard let v = e.param(n) else { throw LineError(reason: "\(e.event) needs parameter \(n)") }
            guard let d = Double(v), d >= 0 else {
                throw LineError(reason: "\(e.event) parameter \(n) '\(v)' is not a non-negative number of seconds")
            }
        }
    }

    func time(_ s: String) -> Double? {
        if let epoch = Double(s), epoch > 0 { return epoch }
        var copy = s
        return copy.withUTF8 { FieldParse.localDateTime($0, converter) }
    }

    /// Every call's facts in a queue_log file, by call id (for enriching CDR calls).
    /// Lines that are not valid are skipped here; the `asterisk-queue-log` kind dead-letters them.
    mutating func facts(in url: URL) throws -> [String: QueueCall] {
        var events: [String: [QueueEvent]] = [:]
        let file = url.lastPathComponent
        try LineReader(url: url).forEachLine { line in
            if let e = try? parse(line.bytes, provenance: "file:\(file)#L\(line.number)") {
                events[e.callid, default: []].append(e)
            }
            return true
        }
        return events.mapValues { QueueCall.assemble($0, shortAbandon: shortAbandon) }
    }
}
