import Crypto
import Foundation
@testable import SwitchboardCore
import Testing

/// The Standard Webhooks signature check, against an HMAC computed the plain way and Foundation's base64.
@Suite struct StandardWebhooksSigningTests {
    static let key = Data("a signing key of some length".utf8)

    static func reference(_ key: Data, _ id: String, _ ts: String, _ body: Data) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(id).\(ts).".utf8) + body, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }

    @Test func signatureEqualsThePlainHMAC() {
        var generator = SystemRandomNumberGenerator()
        // Keys shorter than, as long as and longer than SHA-256's 64-byte block (a longer one is hashed first).
        let keys = [Self.key, Data(repeating: 7, count: 64), Data((0..<100).map { UInt8($0) }), Data([1])]
        for key in keys {
            for n in [0, 1, 63, 64, 1000, 5000] {
                let body = Data((0..<n).map { _ in UInt8.random(in: 0...255, using: &generator) })
                let id = "msg_\(n)", ts = "17000000\(n % 100)"
                #expect(StandardWebhooks.signature(key: key, id: id, timestamp: ts, body: body)
                    == Self.reference(key, id, ts, body), "key of \(key.count) bytes, body of \(n)")
            }
        }
    }

    @Test func anyListedSignatureUnderAnyKeyMatches() {
        let other = Data("the rotated-out key".utf8)
        let body = Data(#"{"type":"x"}"#.utf8)
        let good = Self.reference(other, "msg_1", "1700000000", body)
        let verifier = StandardWebhooks.Verifier(keys: [Self.key, other])
        #expect(verifier.matches("v1,AAAA v2,xyz \(good)", id: "msg_1", timestamp: "1700000000", body: body))
        #expect(!StandardWebhooks.Verifier(keys: [Self.key]).matches(good, id: "msg_1", timestamp: "1700000000", body: body))
        #expect(!verifier.matches(good, id: "msg_2", timestamp: "1700000000", body: body))
        #expect(!verifier.matches(good, id: "msg_1", timestamp: "1700000001", body: body))
        #expect(!verifier.matches(good, id: "msg_1", timestamp: "1700000000", body: body + Data([0x20])))
        // The same signature without its padding, with a character changed, or cut short.
        #expect(!verifier.matches(String(good.dropLast()), id: "msg_1", timestamp: "1700000000", body: body))
        #expect(!verifier.matches(String(good.dropLast(2)) + "!=", id: "msg_1", timestamp: "1700000000", body: body))
        #expect(!verifier.matches("v1,", id: "msg_1", timestamp: "1700000000", body: body))
        #expect(!verifier.matches("", id: "msg_1", timestamp: "1700000000", body: body))
    }

    @Test func base64DecodesAsFoundationDoes() {
        var generator = SystemRandomNumberGenerator()
        for n in 0..<80 {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Data(bytes).base64EncodedString()
            #expect(StandardWebhooks.base64(Array(text.utf8)) == bytes)
        }
        #expect(StandardWebhooks.base64(Array("A".utf8)) == nil)
        #expect(StandardWebhooks.base64(Array("AB\nC".utf8)) == nil)
        #expect(StandardWebhooks.base64(Array("AB=C".utf8)) == nil)
        #expect(StandardWebhooks.base64(Array("AB==AB==".utf8)) == nil)
        #expect(StandardWebhooks.base64(Array("AB$C".utf8)) == nil)
    }
}
