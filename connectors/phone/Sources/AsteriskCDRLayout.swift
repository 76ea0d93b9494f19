import Foundation
import SwitchboardCore

/// One leg (one row) of an Asterisk CDR file, with only what call assembly needs.
struct CDRLeg: Codable, Sendable, Hashable {
    /// The call it belongs to: linkedid, else uniqueid, else a digest of the row.
    var key: String
    var uniqueid: String?
    var src: String
    var dst: String
    var dcontext: String
    var clid: String
    var channel: String
    var dstchannel: String
    var lastapp: String
    var disposition: String
    /// Seconds since the epoch.
    var start: Double
    var answer: Double?
    var end: Double
    var billsec: Int
    /// File name and line, for the call's provenance.
    var file: String
    var line: Int

    var provenance: String { "file:\(file)#L\(line)" }
}

/// Where each CDR column sits in a row: the `cdr_csv` orders by count, or a configured list.
struct AsteriskCDRLayout: Sendable {
    /// The `cdr_csv` column names in their fixed order (FORMATS §1).
    static let standard = ["accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp",
                           "lastdata", "start", "answer", "end", "duration", "billsec", "disposition", "amaflags",
                           "uniqueid", "userfield", "peeraccount", "linkedid", "sequence"]
    /// Columns a row must have for calls to be assembled.
    static let required = ["start", "end", "billsec", "disposition", "dstchannel"]

    var columnCount: Int
    var src, dst, dcontext, clid, channel, dstchannel, lastapp, start, answer, end, duration, billsec,
        disposition, uniqueid, linkedid: Int?

    init(names: [String]) {
        columnCount = names.count
        func at(_ n: String) -> Int? { names.firstIndex(of: n) }
        src = at("src"); dst = at("dst"); dcontext = at("dcontext"); clid = at("clid"); channel = at("channel")
        dstchannel = at("dstchannel"); lastapp = at("lastapp"); start = at("start"); answer = at("answer")
        end = at("end"); duration = at("duration"); billsec = at("billsec"); disposition = at("disposition")
        uniqueid = at("uniqueid"); linkedid = at("linkedid")
    }

    /// The `cdr_csv` layout for a row of `count` columns, nil for any other count.
    static func byCount(_ count: Int) -> AsteriskCDRLayout? {
        switch count {
        case 16: AsteriskCDRLayout(names: Array(standard.prefix(16)))
        case 17: AsteriskCDRLayout(names: Array(standard.prefix(17)))
        case 18: AsteriskCDRLayout(names: Array(standard.prefix(18)))
        case 21: AsteriskCDRLayout(names: standard)
        default: nil
        }
    }

    /// Checks a configured `columns` list.
    static func validate(columns: [String]) throws {
        let missing = required.filter { !columns.contains($0) }
        guard missing.isEmpty else {
            throw ConnectorError(.settings, "columns lacks \(missing.joined(separator: ", ")); known column names: \(standard.joined(separator: ", ")) (other names are read and ignored)")
        }
    }
}

/// Turns CDR rows into ``CDRLeg`` values, or says why a row is bad.
struct AsteriskCDRRowParser {
    let configured: AsteriskCDRLayout?
    let layouts: [Int: AsteriskCDRLayout]
    let converter: LocalTimeConverter
    /// Read uniqueids even when a linkedid is the key (for queue_log enrichment).
    var keepUniqueid = true
    var fields = CSVFields()

    /// The disposition as one of the five constants (case-insensitive), nil for anything else.
    static func disposition(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        func equals(_ word: StaticString) -> Bool {
            guard b.count == word.utf8CodeUnitCount else { return false }
            let w = word.utf8Start
            for i in 0..<b.count where b[i] & 0xDF != w[i] & 0xDF { return false }
            return true
        }
        if equals("ANSWERED") { return "ANSWERED" }
        if equals("NO ANSWER") { return "NO ANSWER" }
        if equals("BUSY") { return "BUSY" }
        if equals("FAILED") { return "FAILED" }
        if equals("CONGESTION") { return "CONGESTION" }
        return nil
    }

    init(columns: [String]?, timeZone: TimeZone) {
        configured = columns.map { AsteriskCDRLayout(names: $0) }
        var l: [Int: AsteriskCDRLayout] = [:]
        for n in [16, 17, 18, 21] { l[n] = AsteriskCDRLayout.byCount(n) }
        layouts = l
        converter = LocalTimeConverter(timeZone: timeZone)
    }

    struct RowError: Error { var reason: String }

    /// Parses one line; throws ``RowError`` with the reason for a dead letter.
    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, file: String, number: Int) throws(RowError) -> CDRLeg {
        do { try fields.split(line) } catch { throw RowError(reason: error.description) }
        let layout: AsteriskCDRLayout
        if let configured {
            guard fields.count == configured.columnCount else {
                throw RowError(reason: "expected \(configured.columnCount) columns (the configured `columns`), got \(fields.count)")
            }
            layout = configured
        } else {
            guard let l = layouts[fields.count] else {
                throw RowError(reason: "expected 16, 17, 18 or 21 columns (cdr_csv) or a `columns` setting, got \(fields.count)")
            }
            layout = l
        }
        let f = fields
        func text(_ i: Int?) -> String { i.map { f.string($0, in: line) } ?? "" }
        func strict(_ i: Int?, _ name: String) throws(RowError) -> String {
            guard let i else { return "" }
            guard let s = f.strictString(i, in: line) else { throw RowError(reason: "\(name) is not valid UTF-8") }
            return s
        }
        func time(_ i: Int?, _ name: String, optional: Bool) throws(RowError) -> Double? {
            guard let i, !f.isEmpty(i) else {
                if optional { return nil }
                throw RowError(reason: "\(name) is empty")
            }
            guard let t = FieldParse.localDateTime(f.bytes(i, in: line), converter) else {
                throw RowError(reason: "\(name) '\(f.string(i, in: line))' is not a time YYYY-MM-DD HH:MM:SS")
            }
            return t
        }
        func integer(_ i: Int?, _ name: String) throws(RowError) -> Int? {
            guard let i else { return nil }
            guard let v = FieldParse.int(f.bytes(i, in: line)) else {
                throw RowError(reason: "\(name) '\(f.string(i, in: line))' is not a whole number of seconds")
            }
            guard v >= 0 else { throw RowError(reason: "\(name) is negative (\(v))") }
            return v
        }
        guard let start = try time(layout.start, "start", optional: false),
              let end = try time(layout.end, "end", optional: false) else { throw RowError(reason: "no start/end") }
        let answer = try time(layout.answer, "answer", optional: true)
        guard end >= start else { throw RowError(reason: "end is before start (reversed times)") }
        if let answer, answer < start || answer > end {
            throw RowError(reason: "answer is outside start…end")
        }
        let billsec = try integer(layout.billsec, "billsec") ?? 0
        _ = try integer(layout.duration, "duration")
        guard let di = layout.disposition, let disposition = Self.disposition(f.bytes(di, in: line)) else {
            throw RowError(reason: "disposition '\(text(layout.disposition))' is not ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION")
        }
        let linkedid = try strict(layout.linkedid, "linkedid")
        // The uniqueid matters when it is the call key or a queue_log may name it.
        let uniqueid = linkedid.isEmpty || keepUniqueid ? try strict(layout.uniqueid, "uniqueid") : ""
        let key = !linkedid.isEmpty ? linkedid
            : !uniqueid.isEmpty ? uniqueid : "row-" + InteractionID.digest(line)
        return CDRLeg(key: key, uniqueid: uniqueid.isEmpty ? nil : uniqueid, src: try strict(layout.src, "src"),
                      dst: try strict(layout.dst, "dst"), dcontext: text(layout.dcontext), clid: text(layout.clid),
                      channel: try strict(layout.channel, "channel"), dstchannel: try strict(layout.dstchannel, "dstchannel"),
                      lastapp: "", disposition: disposition, start: start, answer: answer, end: end,
                      billsec: billsec, file: file, line: number)
    }
}
