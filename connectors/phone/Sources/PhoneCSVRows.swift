import Foundation
import SwitchboardCore

/// One row of a mapped call CSV, already read into a call.
struct PhoneCSVRow: Sendable {
    var key: String
    var parent: String?
    var start: Double
    var end: Double?
    var call: PhoneCall
}

/// Reads mapped CSV rows: resolves the column map against each file's header,
/// then turns each row into a ``PhoneCSVRow`` or a reason to dead-letter it.
struct PhoneCSVRows {
    struct RowError: Error { var reason: String }
    let c: PhoneCSVConnector
    var fields: CSVFields
    let converter: LocalTimeConverter
    /// Field → 0-based index in the current file.
    var index: [PhoneCSVField: Int] = [:]
    var needHeader = false
    /// The current file's header line as read (kept with a rejected row so a replay can read the row again).
    var headerLine: String?

    init(connector: PhoneCSVConnector) {
        c = connector
        fields = CSVFields(delimiter: connector.delimiter)
        converter = LocalTimeConverter(timeZone: connector.timeZone)
    }

    mutating func startFile() {
        needHeader = c.header
        headerLine = nil
        index = [:]
        if !c.header {
            for (f, ref) in c.columns { if case .position(let p) = ref { index[f] = p - 1 } }
        }
    }

    /// nil for the header line.
    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, provenance: String) throws(RowError) -> PhoneCSVRow? {
        do { try fields.split(line) } catch { throw RowError(reason: error.description) }
        if needHeader {
            needHeader = false
            headerLine = String(decoding: line, as: UTF8.self)
            try readHeader(line)
            return nil
        }
        let f = fields
        func has(_ field: PhoneCSVField) -> Bool { index[field].map { $0 < f.count && !f.isEmpty($0) } ?? false }
        func text(_ field: PhoneCSVField) -> String? {
            guard has(field), let i = index[field] else { return nil }
            return f.string(i, in: line).trimmingCharacters(in: .whitespaces)
        }
        func time(_ field: PhoneCSVField) throws(RowError) -> Double? {
            guard has(field), let i = index[field] else { return nil }
            guard let t = c.dateFormat.parse(f.bytes(i, in: line), converter) else {
                throw RowError(reason: "\(field.rawValue) '\(f.string(i, in: line))' does not match date_format")
            }
            return t
        }
        func seconds(_ field: PhoneCSVField) throws(RowError) -> Double? {
            guard has(field), let i = index[field] else { return nil }
            guard let v = FieldParse.double(DateFormat.trimmed(f.bytes(i, in: line))) else {
                throw RowError(reason: "\(field.rawValue) '\(f.string(i, in: line))' is not a number of seconds")
            }
            guard v >= 0 else { throw RowError(reason: "\(field.rawValue) is negative (\(v))") }
            return v
        }
        let required = index.keys.contains(.start) ? [PhoneCSVField.start, .from] : [.start, .from]
        for r in required where !has(r) { throw RowError(reason: "\(r.rawValue) is empty or missing") }
        guard let start = try time(.start) else { throw RowError(reason: "start is empty") }
        let answer = try time(.answer)
        var end = try time(.end)
        let duration = try seconds(.duration)
        if end == nil, let duration { end = start + duration }
        if let end, end < start { throw RowError(reason: "end is before start (reversed times)") }
        if let answer, answer < start || (end.map { answer > $0 } ?? false) { throw RowError(reason: "answer is outside start…end") }
        var wait = try seconds(.wait)
        var talk = try seconds(.talk)
        var outcome: CallOutcome
        if let raw = text(.outcome) {
            guard let o = c.outcomes[raw.lowercased()] else {
                throw RowError(reason: "outcome '\(raw)' is not known: add it to outcome_map")
            }
            outcome = o
        } else {
            outcome = (talk ?? 0) > 0 || answer != nil ? .answered : .abandoned
        }
        var direction: Direction?
        if let raw = text(.direction) {
            guard let d = c.directions[raw.lowercased()] else {
                throw RowError(reason: "direction '\(raw)' is not known: add it to direction_map")
            }
            direction = d
        }
        if wait == nil, let answer { wait = answer - start }
        if outcome == .answered {
            if talk == nil, let answer, let end { talk = end - answer }
            if talk == nil, let duration { talk = max(0, duration - (wait ?? 0)) }
        } else {
            talk = nil
            if wait == nil, outcome == .abandoned || outcome == .missed || outcome == .timeout, let end { wait = end - start }
            if outcome == .abandoned, (wait ?? end.map { $0 - start } ?? 0) < c.shortAbandon { outcome = .shortAbandon }
        }
        let from = text(.from) ?? ""
        let key = text(.id) ?? "row-" + InteractionID.digest(line)
        var call = PhoneCall(key: key, start: start, end: end ?? start + (wait ?? 0) + (talk ?? 0), caller: from,
                             callerName: text(.callerName), callee: text(.to) ?? "", callerChannel: nil, context: nil,
                             outcome: outcome, wait: wait, talk: talk, agent: text(.agent), queue: text(.queue),
                             direction: direction, provenance: provenance)
        if let labels = text(.topics) { call.topics = PhoneTopics.split(labels) }
        // A queue position is a whole number (0: none); anything else is a bad row, like a bad number of seconds.
        var position: Int?
        if let raw = text(.position) {
            guard let p = Int(raw.trimmingCharacters(in: .whitespaces)), p >= 0 else {
                throw RowError(reason: "position '\(raw)' is not a queue position (a whole number, 1 = first in line)")
            }
            position = p
        }
        call.details = CallDetails(context: text(.context), lastApp: text(.lastApp), lastData: text(.lastData),
                                   exitPosition: position, holdSeconds: call.queue != nil ? wait : nil)
        return PhoneCSVRow(key: key, parent: text(.parent), start: start, end: end, call: call)
    }

    mutating func readHeader(_ line: UnsafeBufferPointer<UInt8>) throws(RowError) {
        var names: [String: Int] = [:]
        for i in 0..<fields.count {
            // (A byte-order mark before the header is skipped by the reader: BlockReader.)
            let n = fields.string(i, in: line).trimmingCharacters(in: .whitespaces).lowercased()
            if names[n] == nil { names[n] = i }
        }
        for field in PhoneCSVField.allCases {
            switch c.columns[field] {
            case .name(let n)?:
                guard let i = names[n.lowercased()] else {
                    throw RowError(reason: "header has no column '\(n)' (columns.\(field.rawValue)); it has: \(names.sorted { $0.value < $1.value }.map(\.key).joined(separator: ", "))")
                }
                index[field] = i
            case .position(let p)?: index[field] = p - 1
            case nil:
                if let i = field.aliases.lazy.compactMap({ names[$0] }).first { index[field] = i }
            }
        }
        for r in [PhoneCSVField.start, .from] where index[r] == nil {
            throw RowError(reason: "header has no column for \(r.rawValue): map it in `columns` (header: \(names.sorted { $0.value < $1.value }.map(\.key).joined(separator: ", ")))")
        }
    }
}
