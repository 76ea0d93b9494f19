import CoreFoundation
import Foundation

/// Turns bytes in a declared MIME charset into text, leniently: an unknown
/// charset or bytes that are invalid in it never fail, they decode as UTF-8
/// with replacement characters (or Latin-1 when that reads better).
enum Charset {
    /// Decodes `bytes` declared as `charset` (nil: UTF-8, falling back to Latin-1).
    static func decode<Bytes: Collection>(_ bytes: Bytes, charset: String?) -> String where Bytes.Element == UInt8 {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        let name = normalise(charset)
        switch name {
        case "", "utf-8", "utf8", "us-ascii", "ascii", "unknown-8bit", "x-unknown", "8bit":
            return utf8OrFallback(bytes)
        case "iso-8859-1", "latin1", "iso8859-1", "iso_8859-1":
            return String(decoding: bytes.map { UInt16($0) }, as: UTF16.self)
        default:
            if let encoding = encoding(for: name),
               let s = String(data: Data(bytes), encoding: encoding) { return s }
            return utf8OrFallback(bytes)
        }
    }

    /// Valid UTF-8 as is; otherwise Latin-1 (every byte maps to a character, never fails).
    static func utf8OrFallback<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        return String(decoding: bytes.map { UInt16($0) }, as: UTF16.self)
    }

    static func normalise(_ charset: String?) -> String {
        guard var s = charset?.lowercased() else { return "" }
        s = s.trimmingCharacters(in: CharacterSet(charactersIn: "\"' \t"))
        // RFC 2231 language suffix: `utf-8*ru`.
        if let star = s.firstIndex(of: "*") { s = String(s[..<star]) }
        return s
    }

    private static let cache = EncodingCache()

    /// The Foundation encoding of an IANA charset name, cached.
    static func encoding(for name: String) -> String.Encoding? {
        if let hit = cache.withLock({ $0[name] }) { return hit }
        let found: String.Encoding?
        switch name {
        case "windows-1251", "cp1251", "x-cp1251": found = .windowsCP1251
        case "windows-1252", "cp1252": found = .windowsCP1252
        case "utf-16": found = .utf16
        default:
            let cfName = CFStringCreateWithCString(nil, name, CFStringBuiltInEncodings.UTF8.rawValue)
            let cf = cfName.map { CFStringConvertIANACharSetNameToEncoding($0) } ?? kCFStringEncodingInvalidId
            if cf == kCFStringEncodingInvalidId {
                found = nil
            } else {
                found = String.Encoding(rawValue: UInt(CFStringConvertEncodingToNSStringEncoding(cf)))
            }
        }
        cache.withLock { $0[name] = .some(found) }
        return found
    }
}

/// Charset name → Foundation encoding, shared by every parser thread.
private final class EncodingCache: @unchecked Sendable {
    private let lock = NSLock()
    private var map: [String: String.Encoding?] = [:]

    func withLock<T>(_ body: (inout [String: String.Encoding?]) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&map)
    }
}
