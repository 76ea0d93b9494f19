#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Lenient decoding through the C library's iconv: each sequence iconv rejects becomes one U+FFFD
/// and decoding goes on at the next byte, so one bad byte never costs the rest of the text.
enum Iconv {
    private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// A decoder from `name` to UTF-8, or nil when iconv does not know `name`.
    fileprivate static func open(_ name: String) -> iconv_t? {
        let cd = iconv_open("UTF-8", name)
        return cd == iconv_t(bitPattern: -1) ? nil : cd
    }

    /// Whether iconv can decode `name` on this system.
    static func canDecode(_ name: String) -> Bool {
        guard let cd = open(name) else { return false }
        iconv_close(cd)
        return true
    }

    /// `input` in the encoding iconv calls `name` as text; nil when iconv does not know `name`.
    /// - Parameter euroAt80: byte 0x80 alone is `€` (Windows code page 936, read for GBK by browsers).
    static func decode(_ input: UnsafeBufferPointer<UInt8>, from name: String, euroAt80: Bool = false) -> String? {
        guard let cd = DecoderPool.shared.take(name) else { return nil }
        defer { DecoderPool.shared.give(back: cd, name) }
        var out = [UInt8](repeating: 0, count: input.count * 3 + 16)
        var produced = 0
        var consumed = 0
        /// Runs iconv on `input[consumed...]` (nil: flushes a stateful decoder), appending to `out`.
        func convert(flush: Bool) -> Int32 {
            while true {
                var inLeft = input.count - consumed
                var outLeft = out.count - produced
                let result: Int = out.withUnsafeMutableBufferPointer { o in
                    var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(o.baseAddress! + produced)
                        .assumingMemoryBound(to: CChar.self)
                    if flush { return iconv(cd, nil, nil, &outPtr, &outLeft) }
                    var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: input.baseAddress! + consumed)
                        .assumingMemoryBound(to: CChar.self)
                    return iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                }
                let err = result == -1 ? errno : 0
                if !flush { consumed = input.count - inLeft }
                produced = out.count - outLeft
                guard err == E2BIG else { return err }
                out += [UInt8](repeating: 0, count: out.count)
            }
        }
        func append(_ bytes: [UInt8]) {
            if produced + bytes.count > out.count { out += [UInt8](repeating: 0, count: out.count + bytes.count) }
            for b in bytes { out[produced] = b; produced += 1 }
        }
        if input.count > 0 {
            while consumed < input.count {
                switch convert(flush: false) {
                case 0: continue
                case EINVAL:                 // an incomplete sequence at the end
                    append(replacement)
                    consumed = input.count
                default:                     // EILSEQ: one bad byte
                    append(euroAt80 && input[consumed] == 0x80 ? [0xE2, 0x82, 0xAC] : replacement)
                    consumed += 1
                }
            }
        }
        _ = convert(flush: true)
        return String(decoding: out[..<produced], as: UTF8.self)
    }

    /// The characters of bytes 0x80–0xFF in the single-byte encoding `name`, as UTF-8; nil when iconv
    /// does not know it. A byte iconv leaves undefined is its C1 control in 0x80–0x9F (as the WHATWG
    /// tables for the windows code pages have it) and U+FFFD above.
    static func singleByteTable(_ name: String) -> [[UInt8]]? {
        guard let cd = open(name) else { return nil }
        defer { iconv_close(cd) }
        var table: [[UInt8]] = []
        table.reserveCapacity(128)
        for byte in UInt8(0x80)...UInt8(0xFF) {
            var input = [CChar(bitPattern: byte)]
            var output = [CChar](repeating: 0, count: 8)
            var inLeft = 1, outLeft = 8
            let ok: Bool = input.withUnsafeMutableBufferPointer { i in
                output.withUnsafeMutableBufferPointer { o in
                    var inPtr: UnsafeMutablePointer<CChar>? = i.baseAddress
                    var outPtr: UnsafeMutablePointer<CChar>? = o.baseAddress
                    return iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) != -1 && inLeft == 0
                }
            }
            _ = iconv(cd, nil, nil, nil, nil)   // back to the initial state
            let bytes = output[..<(8 - outLeft)].map { UInt8(bitPattern: $0) }
            if ok && !bytes.isEmpty && bytes.count <= 3 {
                table.append(bytes)
            } else if byte < 0xA0 {
                table.append([0xC2, byte])                 // U+0080–U+009F
            } else {
                table.append(replacement)
            }
        }
        return table
    }
}

/// Open iconv decoders kept for reuse: opening one costs tens of microseconds, and one decoder must
/// not be used by two threads at once, so each call takes one for itself and gives it back.
private final class DecoderPool: @unchecked Sendable {
    static let shared = DecoderPool()
    private let lock = NSLock()
    private var idle: [String: [iconv_t]] = [:]

    func take(_ name: String) -> iconv_t? {
        lock.lock()
        let reused = idle[name]?.popLast()
        lock.unlock()
        return reused ?? Iconv.open(name)
    }

    /// Returns `cd`, reset to its initial shift state; beyond eight idle decoders per encoding it is closed.
    func give(back cd: iconv_t, _ name: String) {
        _ = iconv(cd, nil, nil, nil, nil)
        lock.lock()
        defer { lock.unlock() }
        if idle[name, default: []].count < 8 { idle[name, default: []].append(cd) } else { iconv_close(cd) }
    }
}
