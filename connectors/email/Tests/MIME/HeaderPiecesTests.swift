import Foundation
import Testing
@testable import EmailConnectors

@Suite("MIME header pieces")
struct HeaderPiecesTests {
    @Test("RFC 2047: B and Q words, adjacent words joined, malformed words kept, iso-8859-5")
    func encodedWords() {
        #expect(EncodedWords.decode(Array("=?UTF-8?B?0J/RgNC40LLQtdGC?= =?UTF-8?Q?_=D0=BC=D0=B8=D1=80?=".utf8)) == "Привет мир")
        #expect(EncodedWords.decode(Array("Re: =?iso-8859-1?q?caf=E9?= ok".utf8)) == "Re: café ok")
        #expect(EncodedWords.decode(Array("=?iso-8859-5?B?sN3Q?=".utf8)) == "Ана")
        #expect(EncodedWords.decode(Array("=?utf-8?X?abc?= plain".utf8)) == "=?utf-8?X?abc?= plain")
        #expect(EncodedWords.decode(Array("=?no-such-charset?B?aGk=?=".utf8)) == "hi")
    }

    @Test("RFC 2231 continuations and charset, quoted parameters, case-insensitive names")
    func parameters() {
        let p = HeaderParameters(Array("attachment; FILENAME*0*=utf-8''%D0%90%D0%BA%D1%82; filename*1=\" 12.pdf\"".utf8))
        #expect(p.value == "attachment")
        #expect(p["filename"] == "Акт 12.pdf")
        let ct = HeaderParameters(Array("Text/Plain; charset=\"KOI8-R\"; format=flowed".utf8))
        #expect(ct.value == "text/plain")
        #expect(ct["charset"] == "KOI8-R")
        #expect(ct["format"] == "flowed")
    }

    @Test("quoted-printable soft breaks and escapes; lenient base64")
    func transferEncodings() {
        #expect(TransferEncoding.quotedPrintable(Array("caf=C3=A9 =\r\nnoir=3D=ZZ".utf8)) == Array("café noir==ZZ".utf8))
        let r = TransferEncoding.base64Lenient(Array("aGVs\r\nbG8*=".utf8))
        #expect(r.bytes == Array("hello".utf8))
        #expect(r.invalid == 1)
    }

    @Test("RFC 5322 dates: full, no weekday, no seconds, obsolete zones, two-digit year, comments, missing zone")
    func dates() {
        func d(_ s: String) -> Double? { MailDate.parse(Array(s.utf8))?.timeIntervalSince1970 }
        let base = 1795507200.0   // 2026-11-24T08:00:00Z
        #expect(d("Tue, 24 Nov 2026 11:00:00 +0300") == base)
        #expect(d("24 Nov 2026 08:00 +0000") == base)
        #expect(d("Tue, 24 Nov 2026 03:00:00 EST") == base)
        #expect(d("Tue, 24 Nov 2026 00:00:00 PST") == base)
        #expect(d("Tue, 24 Nov 26 08:00:00 GMT") == base)
        #expect(d("Tue, 24 Nov 2026 08:00:00 Z") == base)
        #expect(d("Tue, 24 Nov 2026 08:00:00 A") == base)           // military: read as -0000
        #expect(d("Tue, 24 Nov 2026 11:00:00 +0300 (MSK)") == base)
        #expect(d("Tue,  24  Nov  2026  08:00:00") == base)           // no zone: UTC
        #expect(d("24-Nov-2026 11:00:00 +0300") == base)              // IMAP INTERNALDATE
        #expect(d("Tue Nov 24 08:00:00 2026") == base)                // asctime (mbox From_ line)
        #expect(d("Tue, 24 Nov 126 08:00:00 +0000") == base)          // three-digit year
        #expect(d("not a date") == nil)
        #expect(d("31 Feb 2026 10:00:00 +0000") == nil)
    }

    @Test("address lists: quoted names, comments, groups, encoded names")
    func addresses() {
        let list = MailAddress.list(Array("\"Smith, John\" <John@X.example>, jane@y.example (Jane D), team: a@z.example, b@z.example;, =?utf-8?B?0JDQvdC90LA=?= <anna@s.example>".utf8))
        #expect(list.map(\.address) == ["john@x.example", "jane@y.example", "a@z.example", "b@z.example", "anna@s.example"])
        #expect(list.map(\.name) == ["Smith, John", "Jane D", nil, nil, "Анна"])
        #expect(MessageIDs.parse(Array("<a@b> <c@d>\r\n <e@f>".utf8)) == ["a@b", "c@d", "e@f"])
    }

    @Test("subject normalisation strips reply and forward prefixes in several languages")
    func subjects() {
        #expect(ThreadIndex.normaliseSubject("Re: Fwd: AW: Ответ: RE[2]: Hello  World") == "hello world")
        #expect(ThreadIndex.normaliseSubject("FW:Invoice") == "invoice")
        #expect(ThreadIndex.normaliseSubject("Regarding: Invoice") == "regarding: invoice")
    }

    @Test("quoted replies are stripped from stored text")
    func quoteStripping() {
        let text = "Sure, done.\n\nOn Mon, 23 Nov 2026 at 08:00, Maria <m@x> wrote:\n> old text\n> more"
        #expect(QuoteStripper.strip(text) == "Sure, done.")
        #expect(QuoteStripper.strip("Ok\n-----Original Message-----\nFrom: x") == "Ok")
        #expect(QuoteStripper.strip("a > b is true") == "a > b is true")
    }
}
