import Foundation
import SwitchboardCore

/// What the X CRC handshake agrees to sign.
///
/// The CRC answer is HMAC-SHA256(consumer secret, token) — exactly the signature X puts on a
/// delivery whose body is the token. Answering any token would sign any body, so the handshake
/// answers only what X itself sends: an opaque base64 token (X sends 48 characters, the base64
/// of a UUID). Accepted: 8 to ``maxLength`` characters of the base64 or base64url alphabet with
/// optional `=` padding, and nothing that parses as JSON (a bare number such as `12345678`).
/// No such token can start with `{`, so no CRC answer is the signature of a JSON object, and the
/// X connector refuses every delivery that is not one (``isJSONObject(_:)``).
enum CRCToken {
    /// The longest token answered: X's tokens are 48 characters; the rest is headroom.
    static let maxLength = 64
    static let minLength = 8

    static func accepts(_ token: String) -> Bool {
        let bytes = Array(token.utf8)
        guard (minLength...maxLength).contains(bytes.count) else { return false }
        var padding = 0
        for b in bytes {
            if b == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            guard padding == 0, isAlphabet(b) else { return false }   // `=` only at the end
        }
        guard padding <= 2 else { return false }
        return (try? JSONParser.parse(Data(bytes))) == nil
    }

    static func isAlphabet(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    /// Whether `body` starts (after white space) with `{`: every X delivery does, and no accepted CRC token can.
    static func isJSONObject(_ body: Data) -> Bool {
        for b in body {
            switch b {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"): continue
            default: return b == UInt8(ascii: "{")
            }
        }
        return false
    }
}
