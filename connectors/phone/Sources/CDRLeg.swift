import Foundation
import SwitchboardCore

/// One leg (one row) of an Asterisk CDR file, with only what call assembly needs.
///
/// The text fields live together in one byte buffer (one allocation per leg,
/// one reference to count when the leg is copied); Strings are made only for
/// the fields a finished call keeps.
struct CDRLeg: Sendable {
    /// The text fields, in buffer order.
    enum Field: Int, CaseIterable {
        /// The call it belongs to: linkedid, else uniqueid, else a digest of the row.
        case key
        case uniqueid, src, dst, dcontext, clid, channel, dstchannel
        /// The last application of the leg and its arguments (where the call ended: `CallDetails`).
        case lastapp, lastdata
    }

    /// The five dispositions of `cdr_csv`.
    enum Disposition: UInt8, Sendable {
        case answered, noAnswer, busy, failed, congestion

        var text: String {
            switch self {
            case .answered: "ANSWERED"
            case .noAnswer: "NO ANSWER"
            case .busy: "BUSY"
            case .failed: "FAILED"
            case .congestion: "CONGESTION"
            }
        }

        init?(text: String) {
            var t = text
            guard let d = t.withUTF8({ Self(bytes: $0) }) else { return nil }
            self = d
        }

        /// The disposition named by the bytes (case-insensitive), nil for anything else.
        init?(bytes b: UnsafeBufferPointer<UInt8>) {
            func equals(_ word: StaticString) -> Bool {
                guard b.count == word.utf8CodeUnitCount else { return false }
                let w = word.utf8Start
                for i in 0..<b.count where b[i] & 0xDF != w[i] & 0xDF { return false }
                return true
            }
            switch b.count {
            case 8 where equals("ANSWERED"): self = .answered
            case 9 where equals("NO ANSWER"): self = .noAnswer
            case 4 where equals("BUSY"): self = .busy
            case 6 where equals("FAILED"): self = .failed
            case 10 where equals("CONGESTION"): self = .congestion
            default: return nil
            }
        }
    }

    /// The fields' bytes, one after another; `ends[f]` is where field `f` ends.
    private(set) var text: [UInt8]
    private var ends: SIMD16<UInt32>
    var disposition: Disposition
    /// Seconds since the epoch.
    var start: Double
    var answer: Double?
    var end: Double
    var billsec: Int
    /// File name and line, for the call's provenance.
    var file: String
    var line: Int

    /// A leg from its packed fields: `text` holds them in ``Field`` order and `ends[f]` is where field `f` ends.
    init(text: [UInt8], ends: SIMD16<UInt32>, disposition: Disposition, start: Double, answer: Double?, end: Double,
         billsec: Int, file: String, line: Int) {
        self.text = text
        self.ends = ends
        self.disposition = disposition
        self.start = start
        self.answer = answer
        self.end = end
        self.billsec = billsec
        self.file = file
        self.line = line
    }

    /// Packs field values given as Strings (checkpoints, tests).
    static func pack(_ values: [String]) -> (text: [UInt8], ends: SIMD16<UInt32>) {
        var text: [UInt8] = []
        var ends = SIMD16<UInt32>()
        for (i, v) in values.prefix(Field.allCases.count).enumerated() {
            text.append(contentsOf: v.utf8)
            ends[i] = UInt32(text.count)
        }
        if values.count < 16 { for i in values.count..<16 { ends[i] = UInt32(text.count) } }
        return (text, ends)
    }

    @inline(__always)
    func range(_ f: Field) -> Range<Int> {
        let i = f.rawValue
        return (i == 0 ? 0 : Int(ends[i - 1]))..<Int(ends[i])
    }

    @inline(__always)
    func isEmpty(_ f: Field) -> Bool { range(f).isEmpty }

    /// Calls `body` with the bytes of field `f`.
    @inline(__always)
    func withBytes<R>(_ f: Field, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let r = range(f)
        return try text.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[r])) }
    }

    /// Field `f` as text (invalid UTF-8, possible only in lenient fields, becomes U+FFFD).
    func string(_ f: Field) -> String { withBytes(f) { String(decoding: $0, as: UTF8.self) } }

    /// Whether two legs have the same value in field `f`.
    func same(_ f: Field, as other: CDRLeg) -> Bool {
        withBytes(f) { a in other.withBytes(f) { b in a.elementsEqual(b) } }
    }

    var key: String { string(.key) }
    var uniqueid: String? { isEmpty(.uniqueid) ? nil : string(.uniqueid) }
    var src: String { string(.src) }
    var dst: String { string(.dst) }
    var dcontext: String { string(.dcontext) }
    var clid: String { string(.clid) }
    var channel: String { string(.channel) }
    var dstchannel: String { string(.dstchannel) }
    var lastapp: String { string(.lastapp) }
    var lastdata: String { string(.lastdata) }
    var provenance: String { "file:\(file)#L\(line)" }

    /// The grouping key: the call key's bytes, sharing the leg's buffer.
    var groupKey: LegKey { LegKey(text: text, range: range(.key)) }
}

/// A call key held as bytes (hashable and comparable without a String).
struct LegKey: Hashable, Sendable {
    let text: [UInt8]
    let range: Range<Int>

    static func == (a: LegKey, b: LegKey) -> Bool {
        guard a.range.count == b.range.count else { return false }
        return a.text.withUnsafeBufferPointer { x in
            b.text.withUnsafeBufferPointer { y in
                memcmp(x.baseAddress! + a.range.lowerBound, y.baseAddress! + b.range.lowerBound, a.range.count) == 0
            }
        }
    }

    func hash(into hasher: inout Hasher) {
        text.withUnsafeBytes { hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: $0[range])) }
    }
}

/// Checkpoints keep pending legs in the field-per-key form they always had.
extension CDRLeg: Codable {
    private enum CodingKeys: String, CodingKey {
        case key, uniqueid, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, disposition, start, answer, end,
             billsec, file, line
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let keys: [CodingKeys] = [.key, .uniqueid, .src, .dst, .dcontext, .clid, .channel, .dstchannel, .lastapp, .lastdata]
        let values = try keys.map { try c.decodeIfPresent(String.self, forKey: $0) ?? "" }
        let name = try c.decode(String.self, forKey: .disposition)
        guard let disposition = Disposition(text: name) else {
            throw DecodingError.dataCorruptedError(forKey: .disposition, in: c, debugDescription: "unknown disposition \(name)")
        }
        let (text, ends) = Self.pack(values)
        self.init(text: text, ends: ends, disposition: disposition, start: try c.decode(Double.self, forKey: .start),
                  answer: try c.decodeIfPresent(Double.self, forKey: .answer), end: try c.decode(Double.self, forKey: .end),
                  billsec: try c.decode(Int.self, forKey: .billsec), file: try c.decode(String.self, forKey: .file),
                  line: try c.decode(Int.self, forKey: .line))
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encodeIfPresent(uniqueid, forKey: .uniqueid)
        try c.encode(src, forKey: .src)
        try c.encode(dst, forKey: .dst)
        try c.encode(dcontext, forKey: .dcontext)
        try c.encode(clid, forKey: .clid)
        try c.encode(channel, forKey: .channel)
        try c.encode(dstchannel, forKey: .dstchannel)
        try c.encode(lastapp, forKey: .lastapp)
        try c.encode(lastdata, forKey: .lastdata)
        try c.encode(disposition.text, forKey: .disposition)
        try c.encode(start, forKey: .start)
        try c.encodeIfPresent(answer, forKey: .answer)
        try c.encode(end, forKey: .end)
        try c.encode(billsec, forKey: .billsec)
        try c.encode(file, forKey: .file)
        try c.encode(line, forKey: .line)
    }
}
