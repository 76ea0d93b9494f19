import Foundation
import SwitchboardCore

/// RFC 5322 dates, including the obsolete forms of §4.3: two- and three-digit
/// years, named zones (UT, GMT, EST…PDT), military letters (read as -0000),
/// comments such as `(MSK)`, missing seconds, missing day of week, missing zone
/// (read as UTC), and `-` or `.` between day, month and year.
enum MailDate {
    private static let months: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
        "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    ]
    private static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0,
        "est": -300, "edt": -240, "cst": -360, "cdt": -300,
        "mst": -420, "mdt": -360, "pst": -480, "pdt": -420,
        "msk": 180, "cet": 60, "cest": 120, "bst": 60,
    ]

    /// The instant a `Date:` value names, or nil when it cannot be read.
    static func parse(_ raw: [UInt8]) -> Date? {
        // Tokenise: words and numbers; comments dropped; separators , : - . space.
        var tokens: [String] = []
        var numbersAfterColon: [Bool] = []
        var cur: [UInt8] = []
        var depth = 0
        var colonBefore = false
        var signs: [UInt8?] = []
        var pendingSign: UInt8? = nil
        func flush() {
            if !cur.isEmpty {
                tokens.append(String(decoding: cur, as: UTF8.self).lowercased())
                numbersAfterColon.append(colonBefore)
                signs.append(pendingSign)
                colonBefore = false
                pendingSign = nil
                cur.removeAll()
            }
        }
        for c in raw {
            if depth > 0 {
                if c == 0x28 { depth += 1 } else if c == 0x29 { depth -= 1 }
                continue
            }
            switch c {
            case 0x28: flush(); depth = 1
            case 0x3A: flush(); colonBefore = true
            case 0x2B, 0x2D:
                flush()
                pendingSign = c
            case 0x20, 0x09, 0x2C, 0x2E, 0x2F: flush()
            default: cur.append(c)
            }
        }
        flush()
        var day: Int?, month: Int?, year: Int?
        var hour: Int?, minute: Int?, second = 0
        var offsetMinutes: Int?
        var k = 0
        while k < tokens.count {
            let t = tokens[k]
            if let m = months[String(t.prefix(3))], t.first!.isLetter, month == nil, t.count >= 3 {
                month = m
            } else if let v = Int(t) {
                if numbersAfterColon[k] {
                    if minute == nil { minute = v } else { second = v }
                } else if k + 1 < tokens.count && numbersAfterColon[k + 1] && hour == nil && t.count <= 2 {
                    hour = v
                } else if hour != nil, t.count == 4, let s = signs[k] {
                    let off = (v / 100) * 60 + v % 100
                    offsetMinutes = s == 0x2D ? -off : off
                } else if day == nil && month == nil && t.count <= 2 {
                    day = v
                } else if day != nil && month != nil && year == nil {
                    year = v
                } else if day == nil && month != nil && t.count <= 2 {
                    day = v   // `Mar 5 2024`
                } else if year == nil && t.count >= 3 {
                    year = v
                }
            } else if hour != nil, offsetMinutes == nil {
                if let z = zones[t] { offsetMinutes = z }
                else if t.count == 1, t.first!.isLetter { offsetMinutes = 0 }   // military zones: -0000
            }
            k += 1
        }
        guard var y = year, let mo = month, let d = day, let h = hour, let mi = minute else { return nil }
        if y < 50 { y += 2000 } else if y < 1000 { y += 1900 }
        guard Timestamp.isValid(year: y, month: mo, day: d, hour: h, minute: mi, second: min(second, 59)) else {
            return nil
        }
        let days = Timestamp.daysFromCivil(year: y, month: mo, day: d)
        let seconds = days * 86400 + h * 3600 + mi * 60 + min(second, 59) - (offsetMinutes ?? 0) * 60
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}

/// The `From sender date` separator line of an mbox.
enum MboxEnvelope {
    /// The date of a separator line, given the bytes after `From `: what follows the sender, which
    /// mailing-list archives write as `jdoe at example.com` (Mailman's pipermail); nil when unreadable.
    static func date(_ rest: [UInt8]) -> Date? {
        let tokens = rest.split(maxSplits: 3, whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D })
        guard tokens.count >= 2 else { return nil }
        let afterSender = Array(rest[tokens[1].startIndex...])
        if let d = MailDate.parse(afterSender) { return d }
        if tokens.count == 4, tokens[1].elementsEqual("at".utf8) {
            return MailDate.parse(Array(rest[tokens[3].startIndex...]))
        }
        return nil
    }
}
