import Foundation

/// Turns bytes in a declared MIME charset into text the way mail clients and browsers do: the
/// label names its real-world superset (``CharsetLabels``, the WHATWG label table), and each
/// invalid sequence becomes one U+FFFD while everything around it decodes. Never fails.
///
/// UTF-8 and all-ASCII text stay in the standard library (no Foundation, no iconv); single-byte
/// code pages decode through a 128-entry table built once from iconv; multi-byte legacy encodings
/// (GBK, Big5, Shift_JIS, EUC-KR, ISO-2022-JP…) go through iconv.
enum Charset {
    /// Decodes `bytes` declared as `charset` (nil: no declaration, see ``sniffed(_:)``).
    static func decode<Bytes: Collection>(_ bytes: Bytes, charset: String?) -> String where Bytes.Element == UInt8 {
        if let s = bytes.withContiguousStorageIfAvailable({ decode($0, charset: charset) }) { return s }
        return Array(bytes).withUnsafeBufferPointer { decode($0, charset: charset) }
    }

    static func decode(_ buf: UnsafeBufferPointer<UInt8>, charset: String?) -> String {
        let decoder = charset.map(Self.decoder(for:)) ?? .sniffed
        switch decoder {
        case .utf8:
            return utf8(buf)
        case .sniffed:
            return isASCII(buf) ? utf8(buf) : sniffed(buf)
        case .singleByte(let name):
            if isASCII(buf) { return utf8(buf) }
            return SingleByteTables.shared.table(name)?.decode(buf) ?? sniffed(buf)
        case .multiByte(let name, let asciiCompatible):
            if asciiCompatible && isASCII(buf) { return utf8(buf) }
            return Iconv.decode(buf, from: name, euroAt80: name == "GB18030") ?? sniffed(buf)
        case .utf16(let bigEndian):
            // UTF-16 text has NUL bytes; ASCII without any is mislabelled, and read as what it is.
            if isASCII(buf) && !buf.contains(0) { return utf8(buf) }
            return utf16(buf, bigEndian: bigEndian)
        case .iso2022jp:
            if isASCII(buf) && !buf.contains(0x1B) && !buf.contains(0x0E) { return utf8(buf) }
            return ISO2022JP.shiftJIS(buf).withUnsafeBufferPointer { Iconv.decode($0, from: "CP932") } ?? sniffed(buf)
        }
    }

    /// Text of undeclared 8-bit bytes (or bytes under a label that cannot describe them): UTF-8 when
    /// they are UTF-8, or mostly so — at least one well-formed multi-byte character and no more
    /// invalid sequences than those, each invalid one becoming U+FFFD; otherwise windows-1252.
    static func sniffed(_ buf: UnsafeBufferPointer<UInt8>) -> String {
        if let valid = String(validating: buf, as: UTF8.self) {
            return valid.unicodeScalars.first == "\u{FEFF}" ? String(valid.unicodeScalars.dropFirst()) : valid
        }
        var iterator = buf.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var multiByte = 0, invalid = 0
        loop: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): if scalar.count > 1 { multiByte += 1 }
            case .error: invalid += 1
            case .emptyInput: break loop
            }
        }
        if multiByte > 0 && invalid <= multiByte { return utf8(buf) }
        return SingleByteTables.shared.table("CP1252")?.decode(buf) ?? String(buf.lazy.map { Character(Unicode.Scalar($0)) })
    }

    /// UTF-8 without a leading byte-order mark; each invalid sequence (its maximal subpart) becomes U+FFFD.
    static func utf8(_ buf: UnsafeBufferPointer<UInt8>) -> String {
        if buf.count >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF {
            return String(decoding: UnsafeBufferPointer(rebasing: buf[3...]), as: UTF8.self)
        }
        return String(decoding: buf, as: UTF8.self)
    }

    /// UTF-16 in `bigEndian` order unless a byte-order mark says otherwise; a lone surrogate or a
    /// trailing odd byte becomes U+FFFD.
    static func utf16(_ buf: UnsafeBufferPointer<UInt8>, bigEndian: Bool) -> String {
        var bigEndian = bigEndian
        var start = 0
        if buf.count >= 2 && (buf[0], buf[1]) == (0xFE, 0xFF) { bigEndian = true; start = 2 }
        if buf.count >= 2 && (buf[0], buf[1]) == (0xFF, 0xFE) { bigEndian = false; start = 2 }
        var units: [UInt16] = []
        units.reserveCapacity(buf.count / 2)
        var i = start
        while i + 1 < buf.count {
            let (a, b) = (UInt16(buf[i]), UInt16(buf[i + 1]))
            units.append(bigEndian ? a << 8 | b : b << 8 | a)
            i += 2
        }
        let text = String(decoding: units, as: UTF16.self)
        return i < buf.count ? text + "\u{FFFD}" : text
    }

    /// True when every byte is below 0x80; eight bytes at a time.
    @inline(__always) static func isASCII(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = buf.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var i = 0
        let n = buf.count
        while i + 8 <= n {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < n {
            if buf[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// A label as the tables hold it: surrounding spaces and quotes dropped, lower case, an RFC 2231
    /// language suffix (`utf-8*ru`) cut.
    private static let labelPadding = CharacterSet(charactersIn: "\"' \t\r\n")

    static func normalise(_ charset: String?) -> String {
        guard var s = charset?.lowercased() else { return "" }
        s = s.trimmed(labelPadding)
        if let star = s.firstIndex(of: "*") { s = String(s[..<star]) }
        return s
    }

    /// The decoder of a label as written: the WHATWG table and mail aliases, else any encoding the
    /// system's iconv knows by that name, else ``TextDecoder/sniffed``. Cached per label.
    static func decoder(for label: String) -> TextDecoder {
        if label.isEmpty { return .sniffed }
        if let hit = LabelCache.shared.lookup(label) { return hit }
        let name = normalise(label)
        var found = CharsetLabels.table[name] ?? iconvDecoder(name) ?? .sniffed
        switch found {
        case .singleByte(let n) where !SingleByteTables.shared.available(n): found = .sniffed
        case .multiByte(let n, _) where !Iconv.canDecode(n): found = .sniffed
        case .iso2022jp where !Iconv.canDecode("CP932"): found = .sniffed
        default: break
        }
        LabelCache.shared.store(label, found)
        return found
    }

    /// An encoding outside the tables that iconv knows (`cp850`, `utf-7`, `iso-2022-jp-2`…), treated as
    /// multi-byte; ASCII-compatible when iconv gives printable ASCII and an ISO 2022 escape sequence
    /// back unchanged (an ISO-2022 decoder consumes the escape, UTF-7 reads `+` as a shift).
    private static func iconvDecoder(_ name: String) -> TextDecoder? {
        // Only names made of what charset names are made of: nothing iconv reads as an option (`//`).
        let isNameByte = { (c: UInt8) in
            (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F || c == 0x2E || c == 0x3A
        }
        guard name.utf8.count <= 40, name.utf8.allSatisfy(isNameByte), Iconv.canDecode(name) else { return nil }
        let ascii = Array(UInt8(0x20)...UInt8(0x7E)) + [0x09, 0x0A, 0x0D, 0x1B, 0x28, 0x42]   // … ESC ( B
        let back = ascii.withUnsafeBufferPointer { Iconv.decode($0, from: name) }
        return .multiByte(iconv: name, asciiCompatible: back.map { Array($0.utf8) == ascii } ?? false)
    }
}

/// A single-byte code page: the UTF-8 of bytes 0x80–0xFF, packed (length in the top byte).
struct SingleByteTable: Sendable {
    private let packed: [UInt32]

    init(_ table: [[UInt8]]) {
        packed = table.map { bytes in
            var v = UInt32(bytes.count) << 24
            for (k, b) in bytes.enumerated() { v |= UInt32(b) << (8 * UInt32(k)) }
            return v
        }
    }

    func decode(_ buf: UnsafeBufferPointer<UInt8>) -> String {
        packed.withUnsafeBufferPointer { table in
            String(unsafeUninitializedCapacity: buf.count * 3) { out in
                var j = 0
                for b in buf {
                    if b < 0x80 { out[j] = b; j += 1; continue }
                    let v = table[Int(b &- 0x80)]
                    let n = Int(v >> 24)
                    out[j] = UInt8(truncatingIfNeeded: v)
                    if n > 1 { out[j + 1] = UInt8(truncatingIfNeeded: v >> 8) }
                    if n > 2 { out[j + 2] = UInt8(truncatingIfNeeded: v >> 16) }
                    j += n
                }
                return j
            }
        }
    }
}

/// Single-byte tables by iconv name, built on first use and shared by every parser thread.
final class SingleByteTables: @unchecked Sendable {
    static let shared = SingleByteTables()
    private let lock = NSLock()
    private var tables: [String: SingleByteTable?] = [:]

    func table(_ name: String) -> SingleByteTable? {
        lock.lock()
        defer { lock.unlock() }
        if let hit = tables[name] { return hit }
        let built = Iconv.singleByteTable(name).map(SingleByteTable.init)
        tables[name] = .some(built)
        return built
    }

    func available(_ name: String) -> Bool { table(name) != nil }
}

/// Label as written → decoder; bounded, since labels come from the mail itself.
private final class LabelCache: @unchecked Sendable {
    static let shared = LabelCache()
    private let lock = NSLock()
    private var map: [String: TextDecoder] = [:]

    func lookup(_ label: String) -> TextDecoder? {
        lock.lock()
        defer { lock.unlock() }
        return map[label]
    }

    func store(_ label: String, _ decoder: TextDecoder) {
        lock.lock()
        defer { lock.unlock() }
        if map.count < 512 { map[label] = decoder }
    }
}
