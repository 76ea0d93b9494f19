import Foundation
import SwitchboardCore
import Testing
@testable import ChatExportConnectors

/// The external id is built in one buffer; it must read exactly as the documented
/// `chat|epoch ms|author|text digest|n` written with string interpolation.
@Suite struct ChatAssemblerIdTests {
    @Test func externalIdMatchesTheDocumentedForm() {
        var scratch: [UInt8] = []
        let cases: [(String, Int64, String, UInt64, Int)] = [
            ("whatsapp:Anna", 1_704_096_000_000, "Anna (Support)", 0x0123_4567_89AB_CDEF, 0),
            ("whatsapp:Чат", 0, "+7 916 138-38-66", 0, 12),
            ("telegram:42", -86_400_123, "", .max, 1_000_000),
            ("whatsapp:x", Int64.max, "Ärger 😀", 0xF00D, 9),
            ("whatsapp:x", Int64.min + 1, "a|b", 1, 10),
        ]
        for (chat, ms, author, digest, n) in cases {
            let built = ChatAssembler.externalId(chatId: chat, ms: ms, author: author, digest: digest, n: n, scratch: &scratch)
            #expect(built == "\(chat)|\(ms)|\(author)|\(InteractionID.hex16(digest))|\(n)")
        }
    }
}
