import Crypto
import Foundation

extension DeadLetter {
    /// The raw payload's SHA-256 in lowercase hex.
    ///
    /// A dead letter is identified by (source, provenance, digest): stores keep one letter per identity,
    /// so importing a file again does not store its rejected records again (the run's summary still
    /// counts every record it rejected).
    public var digest: String { Self.digest(of: raw) }

    /// ``digest`` of a payload.
    public static func digest(of raw: Data) -> String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: raw) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
