import Foundation
import Testing
@testable import EmailConnectors

@Suite("MIME message parser")
struct MessageParserTests {
    @Test("koi8-r subject, sender name and quoted-printable body decode to Cyrillic")
    func koi8r() throws {
        let m = try Fixture.message("koi8r.eml")
        #expect(m.subject == "Не приходит счёт за ноябрь")
        #expect(m.from == MailAddress(address: "olga@mail.example.ru", name: "Ольга Петрова"))
        #expect(m.text?.hasPrefix("Здравствуйте!\r\nСчёт за ноябрь так и не пришёл.") == true)
        #expect(m.messageId == "koi8-1@mail.example.ru")
        #expect(m.date == Date(timeIntervalSince1970: 1795414502))   // 2026-11-23T06:15:02Z
        #expect(m.problems.isEmpty)
    }

    @Test("windows-1251 Q words across a fold join; nested multipart prefers text/plain; RFC 2231 attachment counted")
    func cp1251Multipart() throws {
        let m = try Fixture.message("cp1251-multipart.eml")
        #expect(m.subject == "Ответ: Возврат средств по заказу 4411")
        #expect(m.to.first == MailAddress(address: "ivan@client.example", name: "Иван"))
        #expect(m.text?.hasPrefix("Добрый день!\nДеньги вернутся в течение 3 дней.") == true)
        #expect(m.attachments == 1)
        #expect(m.references == ["order-4411@client.example"])
        #expect(m.date == Date(timeIntervalSince1970: 1795507320))   // 2026-11-24T08:02:00Z
        #expect(!m.isAutoReply)
    }

    @Test("HTML-only body becomes text; Auto-Submitted marks an auto-reply; two-digit year and GMT")
    func htmlAutoReply() throws {
        let m = try Fixture.message("autoreply-html.eml")
        #expect(m.text == "Thank you & welcome!\nTicket #77 is open.\nWe reply within 24\u{A0}hours.")
        #expect(m.isAutoReply)
        #expect(m.date == Date(timeIntervalSince1970: 1795507200))   // 24 Nov 26 08:00 GMT
    }

    @Test("a declared boundary that never appears: body read as text, problem noted")
    func brokenBoundary() throws {
        let m = try Fixture.message("broken-boundary.eml")
        #expect(m.text?.contains("The printer jams on page 2.") == true)
        #expect(m.problems.contains { $0.contains("boundary 'abc' not found") })
    }

    @Test("bad base64 is decoded leniently and reported; an undecodable image still counts as an attachment")
    func badBase64() throws {
        let m = try Fixture.message("bad-base64.eml")
        #expect(m.text == "Please send the invoice again.")
        #expect(m.attachments == 1)
        #expect(m.problems.contains { $0.contains("invalid base64") })
        #expect(m.problems.contains { $0.contains("no closing delimiter") })
    }

    @Test("raw 8-bit headers decode in the declared body charset; a missing Date stays nil")
    func eightBitHeaders() throws {
        let m = try Fixture.message("8bit-nodate.eml")
        #expect(m.subject == "Не работает вход")
        #expect(m.from?.name == "Сергей")
        #expect(m.date == nil)
        #expect(m.text == "Пароль не подходит.\n")
    }

    @Test("bytes without any header field are flagged")
    func notAnEmail() throws {
        let m = try Fixture.message("not-an-email.eml")
        #expect(m.hasNoHeaders)
    }

    @Test("the same message with LF or CRLF line ends has the same content hash")
    func contentHashIgnoresLineEnds() throws {
        let crlf = try Fixture.bytes("koi8r.eml")
        var lf: [UInt8] = []
        for b in crlf where b != 0x0D { lf.append(b) }
        let a = MessageParser.parse(crlf), b = MessageParser.parse(lf)
        #expect(a.contentHash == b.contentHash)
        #expect(a.stableKey == "<koi8-1@mail.example.ru>#" + a.contentHash)
        #expect(MessageParser.parse(Array("From: x@y.example\n\nother".utf8)).contentHash != a.contentHash)
    }

    @Test("malformed inputs of every shape never crash", arguments: 0..<200)
    func fuzz(seed: Int) {
        var rng = SplitMix(seed: UInt64(seed))
        let pieces: [String] = ["From: a@b.example\r\n", "Content-Type: multipart/mixed; boundary=x\r\n", "\r\n", "--x\r\n",
                                "--x--\r\n", "=?utf-8?B?0J/RgA==?=", "=?koi8-r?Q?=F0=?=", "=?", "?=", "Subject: ", " folded\r\n",
                                "Content-Transfer-Encoding: base64\r\n", "Content-Transfer-Encoding: quoted-printable\r\n",
                                "=\r\n", "=4", "\u{FF}", "Date: 31 Feb 99 25:61 +9999\r\n", "name*0*=x'y'%G", ";", "\"", "<", ">", "(", ")"]
        var s = ""
        for _ in 0..<Int(rng.next() % 60) { s += pieces[Int(rng.next() % UInt64(pieces.count))] }
        var bytes = Array(s.utf8)
        for _ in 0..<Int(rng.next() % 8) where !bytes.isEmpty { bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(rng.next() & 0xFF) }
        let m = MessageParser.parse(bytes)
        #expect(m.contentHash.count == 16)
    }
}

/// A small deterministic generator for the fuzz cases.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
