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
            let addr = clean(raw[(lt + 1)..<gt])
            guard addr.contains("@") else { return nil }
            var name = EncodedWords.decode(Array(raw[..<lt]), fallbackCharset: fallbackCharset)
            name = name.trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
            name = name.replacingOccurrences(of: "\\\"", with: "\"").trimmingCharacters(in: .whitespaces)
            return MailAddress(address: addr, name: name.isEmpty ? nil : name)
        }
        // `addr (Name)` or bare `addr`.
        var addrPart = raw[...]
        var comment: String? = nil
        if let open = raw.firstIndex(of: 0x28) {
            let close = raw[open...].lastIndex(of: 0x29) ?? raw.endIndex
            comment = EncodedWords.decode(Array(raw[(open + 1)..<close]), fallbackCharset: fallbackCharset)
            addrPart = raw[..<open]
        }
        let addr = clean(addrPart)
        guard addr.contains("@") else { return nil }
        return MailAddress(address: addr, name: comment?.isEmpty == false ? comment : nil)
    }

    private static func clean(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.filter { $0 > 0x20 && $0 != 0x22 }, as: UTF8.self).lowercased()
    }
}


/// Message ids (`<id@host>`) from `Message-ID`, `In-Reply-To` and `References`.
enum MessageIDs {
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
