import Foundation
import SwitchboardCore

/// The timestamp header of a WhatsApp export line, read on bytes.
///
/// Android `12/24/19, 11:23 - Name: text`, iOS `[24.12.19, 11:23:05] Name: text`;
/// dates d/m/y, m/d/y or y/m/d with `/ . -`, 2- or 4-digit years; 12-hour
/// clocks (`PM`, `p.m.`, `p. m.` with U+00A0 or U+202F inside), optional
/// seconds, a stray `.` after the time; leading direction marks ignored.
struct WhatsAppHeader: Equatable {
    /// Date components as written; `yearFirst` when the first has 4 digits.
    var first: Int
    var second: Int
    var third: Int
    var yearFirst: Bool
    var hour: Int
    var minute: Int
    var secondOfMinute: Int
    /// 0 none, 1 AM, 2 PM.
    var meridiem: Int
    /// Index of the first body byte (author or system text).
    var bodyStart: Int

    /// The 24-hour hour: `12 AM` → 0, `3 PM` → 15; a 24-hour value with a PM marker (`13:37 p.m.`) stays.
    var hour24: Int {
        switch meridiem {
        case 1: return hour == 12 ? 0 : hour
        case 2: return hour < 12 ? hour + 12 : hour
        default: return hour
        }
    }

    /// (year, month, day) under a day-first or month-first reading.
    func date(dayFirst: Bool) -> (year: Int, month: Int, day: Int) {
        if yearFirst { return (first, second, third) }
        let year = third < 100 ? 2000 + third : third
        return dayFirst ? (year, second, first) : (year, first, second)
    }

    /// Parses the header at the start of a line; nil when the line does not start with one.
    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> WhatsAppHeader? {
        // A byte-order mark can start a line where exports were joined into one file.
        var i = skipMarks(b, ByteOrderMark.length(b))
        var ios = false
        if i < b.count, b[i] == 0x5B { ios = true; i += 1 }   // [
        func number(_ maxDigits: Int) -> (Int, Int)? {
            var v = 0, n = 0
            while i < b.count, n < maxDigits, b[i] >= 0x30, b[i] <= 0x39 { v = v * 10 + Int(b[i] - 0x30); i += 1; n += 1 }
            return n == 0 ? nil : (v, n)
        }
        guard let (a, aDigits) = number(4), aDigits != 3, i < b.count else { return nil }
        let sep = b[i]
        guard sep == 0x2F || sep == 0x2E || sep == 0x2D else { return nil }
        i += 1
        guard let (m, mDigits) = number(2), mDigits <= 2, i < b.count, b[i] == sep else { return nil }
        i += 1
        guard let (c, cDigits) = number(4) else { return nil }
        let yearFirst = aDigits == 4
        if yearFirst { guard cDigits <= 2 else { return nil } } else { guard cDigits == 2 || cDigits == 4 else { return nil } }
        var separated = false
        if i < b.count, b[i] == 0x2C { i += 1; separated = true }          // ,
        let afterDate = i
        i = skipSpaces(b, i)
        guard separated || i > afterDate else { return nil }
        guard let (hh, _) = number(2), i < b.count, b[i] == 0x3A else { return nil }
        i += 1
        guard let (mm, mmDigits) = number(2), mmDigits == 2, hh <= 24, mm <= 59 else { return nil }
        var ss = 0
        if i + 2 < b.count, b[i] == 0x3A {
            i += 1
            guard let (s, sDigits) = number(2), sDigits == 2, s <= 60 else { return nil }
            ss = s
        }
        var meridiem = 0
        let beforeMeridiem = i
        i = skipSpaces(b, i)
        if i < b.count, let (mer, end) = parseMeridiem(b, i) {
            meridiem = mer
            i = end
        } else {
            i = beforeMeridiem
        }
        if i < b.count, b[i] == 0x2E { i += 1 }                            // stray "."
        if ios {
            guard i < b.count, b[i] == 0x5D else { return nil }             // ]
            i += 1
            i = skipSpaces(b, i)
        } else {
            i = skipSpaces(b, i)
            guard i < b.count, b[i] == 0x2D else { return nil }             // -
            i += 1
            guard i < b.count, b[i] == 0x20 || isSpace(b, i) > 0 else { return nil }
            i = skipSpaces(b, i)
        }
        return WhatsAppHeader(first: a, second: m, third: c, yearFirst: yearFirst, hour: hh, minute: mm,
                              secondOfMinute: ss, meridiem: meridiem, bodyStart: skipMarks(b, i))
    }

    /// `AM`, `pm`, `a.m.`, `p. m.` (any space kind inside): (1 or 2, index after it).
    static func parseMeridiem(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> (Int, Int)? {
        var i = start
        let kind: Int
        switch b[i] | 0x20 {
        case 0x61: kind = 1
        case 0x70: kind = 2
        default: return nil
        }
        i += 1
        if i < b.count, b[i] == 0x2E { i += 1 }
        i = skipSpaces(b, i)
        guard i < b.count, b[i] | 0x20 == 0x6D else { return nil }
        i += 1
        if i < b.count, b[i] == 0x2E { i += 1 }
        return (kind, i)
    }

    /// Width of a space at i: ASCII space or tab 1, U+00A0 2, U+202F / U+2009 3; 0 otherwise.
    @inline(__always)
    static func isSpace(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let c = b[i]
        if c == 0x20 || c == 0x09 { return 1 }
        if c == 0xC2, i + 1 < b.count, b[i + 1] == 0xA0 { return 2 }
        if c == 0xE2, i + 2 < b.count, b[i + 1] == 0x80, b[i + 2] == 0xAF || b[i + 2] == 0x89 { return 3 }
        return 0
    }

    @inline(__always)
    static func skipSpaces(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        var i = start
        while i < b.count {
            let w = isSpace(b, i)
            if w == 0 { break }
            i += w
        }
        return i
    }

    /// Width of a direction mark at i — the marks WhatsApp puts around names and numbers: U+200E, U+200F,
    /// U+202A–U+202E, U+2066–U+2069. Other invisible characters are text: the zero-width joiner and
    /// non-joiner (U+200D, U+200C) hold emoji sequences and Persian or Indic words together.
    @inline(__always)
    static func markWidth(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        guard i + 2 < b.count else { return 0 }
        let c0 = b[i], c1 = b[i + 1], c2 = b[i + 2]
        if c0 == 0xE2, c1 == 0x80, (0x8E...0x8F).contains(c2) || (0xAA...0xAE).contains(c2) { return 3 }
        if c0 == 0xE2, c1 == 0x81, (0xA6...0xA9).contains(c2) { return 3 }
        return 0
    }

    /// The index after the direction marks from `start`.
    static func skipMarks(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        var i = start
        while i < b.count {
            let w = markWidth(b, i)
            if w == 0 { break }
            i += w
        }
        return i
    }

    /// The bytes without invisible direction marks.
    static func stripMarks(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        appendStrippingMarks(b, to: &out)
        return out
    }

    /// Appends `b` without its direction marks; runs without marks are copied whole.
    ///
    /// Called once per line of a message, so `out` must grow geometrically: reserving just the
    /// needed size each time would copy the whole message per line (quadratic in its line count).
    static func appendStrippingMarks(_ b: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let needed = out.count + b.count
        if needed > out.capacity { out.reserveCapacity(max(needed, 2 * out.capacity)) }
        var i = 0
        var runStart = 0
        while i < b.count {
            // Every mark starts with 0xE2 (markWidth); other bytes are copied in runs.
            if b[i] != 0xE2 { i += 1; continue }
            let w = markWidth(b, i)
            if w == 0 { i += 1; continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart..<i]))
            i += w
            runStart = i
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart..<b.count]))
    }
}
