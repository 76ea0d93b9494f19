import Foundation
import SwitchboardCore

/// Where each CDR column sits in a row: the `cdr_csv` orders by count, or a configured list.
struct AsteriskCDRLayout: Sendable {
    /// The `cdr_csv` column names in their fixed order (FORMATS §1).
    static let standard = ["accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp",
                           "lastdata", "start", "answer", "end", "duration", "billsec", "disposition", "amaflags",
                           "uniqueid", "userfield", "peeraccount", "linkedid", "sequence"]
    /// Columns a row must have for calls to be assembled.
    static let required = ["start", "end", "billsec", "disposition", "dstchannel"]

    var columnCount: Int
    var src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration, billsec,
        disposition, uniqueid, linkedid: Int?
    /// The column of each text ``CDRLeg/Field`` after key and uniqueid (-1: none).
    var legColumns: SIMD16<Int32>

    init(names: [String]) {
        columnCount = names.count
        func at(_ n: String) -> Int? { names.firstIndex(of: n) }
        src = at("src"); dst = at("dst"); dcontext = at("dcontext"); clid = at("clid"); channel = at("channel")
        dstchannel = at("dstchannel"); lastapp = at("lastapp"); lastdata = at("lastdata"); start = at("start"); answer = at("answer")
        end = at("end"); duration = at("duration"); billsec = at("billsec"); disposition = at("disposition")
        uniqueid = at("uniqueid"); linkedid = at("linkedid")
        var c = SIMD16<Int32>(repeating: -1)
        for (slot, i) in [src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata].enumerated() {
            c[slot + 2] = i.map(Int32.init) ?? -1
        }
        legColumns = c
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
        guard let di = layout.disposition, let disposition = CDRLeg.Disposition(bytes: f.bytes(di, in: line)) else {
            throw RowError(reason: "disposition '\(text(layout.disposition))' is not ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION")
        }
        // Identifying fields must be valid UTF-8 (checked in this order for the dead letter's reason).
        func strict(_ i: Int?, _ name: String) throws(RowError) {
            guard let i else { return }
            guard UTF8Text.isValid(f.bytes(i, in: line)) else { throw RowError(reason: "\(name) is not valid UTF-8") }
        }
        try strict(layout.linkedid, "linkedid")
        let hasLinkedid = layout.linkedid.map { !f.isEmpty($0) } ?? false
        // The uniqueid matters when it is the call key or a queue_log may name it.
        let uniqueidColumn = !hasLinkedid || keepUniqueid ? layout.uniqueid : nil
        try strict(uniqueidColumn, "uniqueid")
        try strict(layout.src, "src")
        try strict(layout.dst, "dst")
        try strict(layout.channel, "channel")
        try strict(layout.dstchannel, "dstchannel")
        let hasUniqueid = uniqueidColumn.map { !f.isEmpty($0) } ?? false
        let digest: [UInt8]? = hasLinkedid || hasUniqueid ? nil : Array(("row-" + InteractionID.digest(line)).utf8)
        let keyColumn = hasLinkedid ? layout.linkedid : hasUniqueid ? uniqueidColumn : nil
        // Column of each ``CDRLeg/Field`` (-1: none), without an array per row.
        var columns = layout.legColumns
        columns[0] = keyColumn.map(Int32.init) ?? -1
        columns[1] = uniqueidColumn.map(Int32.init) ?? -1
        var capacity = digest?.count ?? 0
        let slots = CDRLeg.Field.allCases.count
        for slot in 0..<slots where columns[slot] >= 0 { capacity += f.bytes(Int(columns[slot]), in: line).count }
        var ends = SIMD16<UInt32>()
        let packed = [UInt8](unsafeUninitializedCapacity: capacity) { out, initialized in
            var at = 0
            for slot in 0..<slots {
                if slot == 0, let digest {
                    for b in digest { out[at] = b; at += 1 }
                } else if columns[slot] >= 0 {
                    at += f.copyUnescaped(Int(columns[slot]), in: line, to: out.baseAddress! + at)
                }
                ends[slot] = UInt32(at)
            }
            initialized = at
        }
        return CDRLeg(text: packed, ends: ends, disposition: disposition, start: start, answer: answer, end: end,
                      billsec: billsec, file: file, line: number)
    }
}

extension CSVFields {
    /// Copies field `i` to `out` with a quoted field's doubled quotes made single; returns the bytes written.
    @inline(__always)
    func copyUnescaped(_ i: Int, in line: UnsafeBufferPointer<UInt8>, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let b = bytes(i, in: line)
        guard let base = b.baseAddress, b.count > 0 else { return 0 }
        guard isQuoted(i), memchr(base, 0x22, b.count) != nil else {
            out.initialize(from: base, count: b.count)
            return b.count
        }
        // Inside quotes every quote is one of a doubled pair (the splitter ends the field at any other).
        var n = 0, k = 0
        while k < b.count {
            out[n] = b[k]
            n += 1
            k += b[k] == 0x22 && k + 1 < b.count && b[k + 1] == 0x22 ? 2 : 1
        }
        return n
    }
}
