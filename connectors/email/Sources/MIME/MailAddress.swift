import Foundation
/// One mailbox of an address header: `"Anna" <anna@example.com>`.
public struct MailAddress: Sendable, Hashable {
    /// Lower-cased `local@domain`.
    public var address: String
    /// Display name, RFC 2047 decoded; nil when absent.
    public var name: String?

    /// The domain part, lower-cased.
    public var domain: String { address.split(separator: "@").last.map(String.init) ?? "" }

    /// Every mailbox in an address-list header (`From`, `To`, `Cc`), groups flattened.
    static func list(_ raw: [UInt8], fallbackCharset: String? = nil) -> [MailAddress] {
        var out: [MailAddress] = []
        var item: [UInt8] = []
        var inQuote = false, inAngle = false, depth = 0
        func finish() {
            if let a = parseOne(item, fallbackCharset: fallbackCharset) { out.append(a) }
            item.removeAll()
        }
        for c in raw {
            if inQuote {
                item.append(c)
                if c == 0x22 { inQuote = false }
                continue
            }
            switch c {
            case 0x22: inQuote = true; item.append(c)
            case 0x28: depth += 1; item.append(c)
            case 0x29: depth = max(0, depth - 1); item.append(c)
            case 0x3C: inAngle = true; item.append(c)
            case 0x3E: inAngle = false; item.append(c)
            case 0x2C where !inAngle && depth == 0: finish()
            case 0x3A where !inAngle && depth == 0: item.removeAll()          // `group:` prefix
            case 0x3B where !inAngle && depth == 0: finish()                  // group end
            default: item.append(c)
            }
        }
        finish()
        return out
    }

    private static func parseOne(_ raw: [UInt8], fallbackCharset: String?) -> MailAddress? {
        if let lt = raw.lastIndex(of: 0x3C) {
            let gt = raw[lt...].firstIndex(of: 0x3E) ?? raw.endIndex
            guard let addr = address(raw[(lt + 1)..<gt]) else { return nil }
            return MailAddress(address: addr, name: displayName(raw[..<lt], fallbackCharset: fallbackCharset))
        }
        // `addr (Name)`, bare `addr`, or `"Name" addr` without angle brackets.
        var addrPart = raw[...]
        var comment: String? = nil
        if let open = raw.firstIndex(of: 0x28) {
            let close = raw[open...].lastIndex(of: 0x29) ?? raw.endIndex
            comment = EncodedWords.decode(Array(raw[(open + 1)..<close]), fallbackCharset: fallbackCharset)
            addrPart = raw[..<open]
        }
        if comment?.isEmpty == true { comment = nil }
        let words = addrPart.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 })
        if words.count > 1, let last = words.last, let at = last.firstIndex(of: 0x40),
           at > last.startIndex, at < last.endIndex - 1 {
            // The last word is an address (`@` with both sides non-empty): the words before it are a name.
            return MailAddress(address: clean(last),
                               name: comment ?? displayName(addrPart[..<last.startIndex], fallbackCharset: fallbackCharset))
        }
        guard let addr = address(addrPart) else { return nil }
        return MailAddress(address: addr, name: comment)
    }

    /// A display name: RFC 2047 decoded, surrounding quotes and quoted-pair escapes removed; nil when empty.
    private static func displayName(_ raw: ArraySlice<UInt8>, fallbackCharset: String?) -> String? {
        var name = EncodedWords.decode(Array(raw), fallbackCharset: fallbackCharset).trimmed(.whitespaces)
        if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
        if name.utf8.contains(0x5C) { name = name.replacingOccurrences(of: "\\\"", with: "\"") }
        name = name.trimmed(.whitespaces)
        return name.isEmpty ? nil : name
    }

    /// `local@domain` lower-cased, or the same written as an archive writes it; nil when it is neither.
    private static func address(_ bytes: ArraySlice<UInt8>) -> String? {
        let addr = clean(bytes)
        return addr.contains("@") ? addr : archived(bytes)
    }

    /// `jdoe at example.com`: how Mailman's pipermail and other list archives write an address to keep
    /// it from harvesters. Read only when unambiguous: exactly three words, the middle one `at`, a local
    /// part of address characters and a domain name of two or more dot-separated labels (letters, digits,
    /// hyphens) ending in a letter label — `Bob at Acme Corp` or `support at home` are no address.
    static func archived(_ bytes: ArraySlice<UInt8>) -> String? {
        let words = bytes.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 })
        guard words.count == 3, words[1].count == 2, words[1].first! | 0x20 == 0x61, words[1].last! | 0x20 == 0x74,
              words[0].allSatisfy(isLocalPartByte) else { return nil }
        let labels = words[2].split(separator: 0x2E, omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ label in
                  !label.isEmpty && label.first != 0x2D && label.last != 0x2D && label.allSatisfy(isDomainByte)
              }),
              let last = labels.last, last.count >= 2, last.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A })
                || last.starts(with: Array("xn--".utf8))
        else { return nil }
        return String(decoding: words[0], as: UTF8.self).lowercased() + "@" + String(decoding: words[2], as: UTF8.self).lowercased()
    }

    /// Letters, digits and the other characters of an RFC 5322 dot-atom.
    private static func isLocalPartByte(_ c: UInt8) -> Bool {
        isDomainByte(c) || c == 0x2E || localPartSymbols.contains(c)
    }

    private static let localPartSymbols = Set("!#$%&'*+/=?^_`{|}~".utf8)

    private static func isDomainByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A) || c == 0x2D
    }

    private static func clean(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.filter { $0 > 0x20 && $0 != 0x22 }, as: UTF8.self).lowercased()
    }
}


/// Message ids (`<id@host>`) from `Message-ID`, `In-Reply-To` and `References`.
enum MessageIDs {
    /// Whether `id` (without brackets) has the shape of a message id, `left@right` with both sides
    /// non-empty and no second `@`; `yes`, an empty id or `1234` are not ids and never thread mail.
    static func isWellFormed(_ id: String) -> Bool {
        let u = id.utf8
        guard let at = u.firstIndex(of: 0x40), at != u.startIndex else { return false }
        let right = u[u.index(after: at)...]
        return !right.isEmpty && !right.contains(0x40)
    }

    /// Every `<…>` id in order, without brackets; a bare id when there are no brackets.
    static func parse(_ raw: [UInt8]) -> [String] {
        var out: [String] = []
        var i = 0
        while let lt = raw[i...].firstIndex(of: 0x3C) {
            guard let gt = raw[lt...].firstIndex(of: 0x3E) else { break }
            let id = raw[(lt + 1)..<gt].filter { $0 > 0x20 }
            if !id.isEmpty { out.append(String(decoding: id, as: UTF8.self)) }
            i = gt + 1
        }
        if out.isEmpty {
            let bare = raw.filter { $0 > 0x20 }
            if !bare.isEmpty, bare.contains(0x40) { out.append(String(decoding: bare, as: UTF8.self)) }
        }
        return out
    }
}
