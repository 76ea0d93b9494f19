import Foundation
import Testing
@testable import EmailConnectors

@Suite("Charsets: labels read as their real-world supersets, one U+FFFD per bad sequence")
struct CharsetTests {
    @Test("UTF-8 body, encoded word and raw header with a bad byte each: only that byte is replaced")
    func utf8BadBytes() throws {
        let m = try Fixture.message("utf8-bad-bytes.eml")
        #expect(m.text == "Здравствуйте!\nЗаказ\u{FFFD} 4411 пришёл без чека\u{FFFD}.\nСпасибо!\n")
        #expect(m.subject == "Счёт\u{FFFD} за ноябрь")
        #expect(m.from == MailAddress(address: "olga@mail.example.ru", name: "Ольга\u{FFFD}"))
    }

    @Test("gb2312-labelled subject, sender name and body with GBK-only characters and a cp936 euro sign")
    func gb2312AsGBK() throws {
        let m = try Fixture.message("gb2312-gbk.eml")
        #expect(m.subject == "陈喆的发票")
        #expect(m.from == MailAddress(address: "wangyue@mail.example.cn", name: "王玥"))
        #expect(m.text == "您好，发票抬头应为“陈喆”，金额 €5。\n谢谢！\n")
        #expect(m.problems.isEmpty)
    }

    static let supersets: [(String, [UInt8], String)] = [
        ("iso-8859-1", [0x80, 0x20, 0xE9], "€ é"),                        // windows-1252
        ("Latin1", [0x93, 0x61, 0x94], "“a”"),
        ("iso-8859-9", [0x80, 0xFD], "€ı"),                               // windows-1254
        ("tis-620", [0x80, 0xA1], "€ก"),                                  // windows-874
        ("ks_c_5601-1987", [0x8C, 0x63, 0xB0, 0xA1], "똠가"),               // CP949
        ("shift_jis", [0x87, 0x40, 0x82, 0xA0], "①あ"),                    // CP932 (NEC row 13)
        ("big5", [0x9D, 0xEF], "嘅"),                                      // Big5-HKSCS
        ("koi8-u", [0xAE, 0xF0], "ўП"),                                   // KOI8-RU
        ("koi8-r", [0xF0, 0xD2, 0xC9], "При"),
        ("\"windows-1251\"", [0xCF, 0xF0, 0xE8], "При"),
        ("gb18030", [0x81, 0x30, 0x81, 0x30, 0xC4, 0xE3], "\u{80}你"),
        ("iso-2022-jp", [0x1B, 0x24, 0x42, 0x30, 0x21, 0x2D, 0x21, 0x79, 0x21, 0x1B, 0x28, 0x42, 0x41], "亜①纊A"),  // NEC rows
        ("iso-2022-jp", [0x1B, 0x28, 0x49, 0x31, 0x32, 0x1B, 0x28, 0x42], "ｱｲ"),   // half-width katakana
        ("iso-2022-jp-2", [0x1B, 0x24, 0x42, 0x30, 0x21, 0x1B, 0x28, 0x42], "亜"),   // iconv by name, not ASCII-compatible
        ("utf-16", [0xFF, 0xFE, 0x41, 0x00, 0x1F, 0x04], "AП"),
        ("utf-16be", [0x00, 0x41, 0xD8, 0x00, 0x00, 0x42], "A\u{FFFD}B"),  // lone surrogate
        ("cp850", [0x82, 0x41], "éA"),                                    // not in the table: iconv by name
        ("utf-7", Array("+BB8EQAQ4BDIENQRC-".utf8), "Привет"),
        ("us-ascii", Array("café".utf8), "café"),                         // cannot describe 8-bit bytes: sniffed
        ("x-unknown", [0x63, 0x61, 0x66, 0xE9, 0x80], "café€"),
        ("no-such-charset", Array("hi".utf8), "hi"),
        ("utf-8*ru", Array("Да".utf8), "Да"),                             // RFC 2231 language suffix
    ]

    @Test("WHATWG labels and mail aliases", arguments: supersets)
    func decodesLabel(label: String, bytes: [UInt8], expected: String) {
        #expect(Charset.decode(bytes, charset: label) == expected)
    }

    static let badSequences: [(String, [UInt8], String)] = [
        ("utf-8", [0xE2, 0x82, 0x41], "\u{FFFD}A"),                        // a truncated sequence is one U+FFFD
        ("utf-8", [0xEF, 0xBB, 0xBF, 0x41, 0xC0, 0xAF], "A\u{FFFD}\u{FFFD}"), // BOM dropped; overlong bytes
        ("shift_jis", [0x82, 0xA0, 0x81, 0x0A, 0x82, 0xA2], "あ\u{FFFD}\nい"), // an ASCII trail byte survives
        ("gbk", [0xC4, 0xE3, 0xFF, 0xBA, 0xC3], "你\u{FFFD}好"),
        ("euc-kr", [0xB0, 0xA1, 0xB0], "가\u{FFFD}"),                       // incomplete at the end
        ("windows-1253", [0xC1, 0xAA], "Α\u{FFFD}"),                       // undefined in the code page
        ("utf-16le", [0x41, 0x00, 0x42], "A\u{FFFD}"),                     // odd trailing byte
        ("iso-2022-jp", [0x1B, 0x24, 0x42, 0x30, 0x21, 0x30, 0x1B, 0x28, 0x42, 0x41], "亜\u{FFFD}A"),  // half a pair
        ("iso-2022-jp", [0x1B, 0x24, 0x41, 0x41], "\u{FFFD}$AA"),           // an escape it does not know
    ]

    @Test("invalid sequences become one U+FFFD each; the text around them decodes", arguments: badSequences)
    func replacesBadSequences(label: String, bytes: [UInt8], expected: String) {
        #expect(Charset.decode(bytes, charset: label) == expected)
    }

    @Test("undeclared 8-bit bytes: UTF-8 when mostly UTF-8 (bad bytes replaced), else windows-1252")
    func undeclared() {
        #expect(Charset.decode(Array("Привет".utf8) + [0xFF], charset: nil) == "Привет\u{FFFD}")
        #expect(Charset.decode([0x63, 0x61, 0x66, 0xE9, 0x20, 0x80], charset: nil) == "café €")
        #expect(Charset.decode(Array("Ünïcödé".utf8), charset: nil) == "Ünïcödé")
        #expect(Charset.decode([0xEF, 0xBB, 0xBF] + Array("Да".utf8), charset: nil) == "Да")
        // One multi-byte character against two bad bytes: not UTF-8.
        #expect(Charset.decode([0xC3, 0xA9, 0xE9, 0xE8], charset: nil) == "Ã©éè")
    }

    @Test("RFC 2047 words: labels read as supersets; a bad byte replaced within its word only")
    func encodedWords() {
        #expect(EncodedWords.decode(Array("=?utf-8?Q?caf=C3=A9=FF?= ok".utf8)) == "café\u{FFFD} ok")
        #expect(EncodedWords.decode(Array("=?iso-8859-1?Q?=80_5?=".utf8)) == "€ 5")
        #expect(EncodedWords.decode(Array("=?gb2312?B?s8KGtLXEt6LGsQ==?=".utf8)) == "陈喆的发票")
        #expect(EncodedWords.decode(Array("=?ks_c_5601-1987?B?jGOwoQ==?=".utf8)) == "똠가")
        #expect(EncodedWords.decode(Array("=?SHIFT_JIS?B?h0A=?= =?shift_jis?B?gqA=?=".utf8)) == "①あ")
        // Raw 8-bit header text without a body charset: mostly UTF-8 with one bad byte.
        #expect(EncodedWords.decode(Array("Ольга".utf8) + [0xC0], fallbackCharset: nil) == "Ольга\u{FFFD}")
    }

    @Test("random bytes under every encoding of the table never fail; ASCII-compatible ones keep ASCII",
          arguments: CharsetLabels.whatwg.map { $0.labels[0] })
    func randomBytes(label: String) {
        var rng = SplitMix(seed: UInt64(label.utf8.reduce(0) { $0 &* 31 &+ Int($1) }.magnitude))
        for _ in 0..<50 {
            let bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let text = Charset.decode(bytes, charset: label)
            #expect(text.unicodeScalars.count <= max(bytes.count, 1) * 2)
        }
        let ascii = Array("Order 4411: ok\r\n".utf8)
        if !label.contains("2022"), !label.contains("utf-16"), !label.contains("unicode"), !label.contains("hz") {
            #expect(Charset.decode(ascii + [0xFF], charset: label).hasPrefix("Order 4411: ok\r\n"))
        }
    }

    @Test("tables and the iconv path are shared safely by parallel parsers")
    func concurrentDecoding() async {
        let results = await withTaskGroup(of: Bool.self) { group in
            for k in 0..<16 {
                group.addTask {
                    let (label, bytes, expected) = Self.supersets[k % Self.supersets.count]
                    return (0..<200).allSatisfy { _ in Charset.decode(bytes, charset: label) == expected }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0 })
    }
}
