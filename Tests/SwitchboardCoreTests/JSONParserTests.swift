import Foundation
import SwitchboardCore
import Testing

@Suite struct JSONParserTests {
    @Test func parsesNestedValues() throws {
        let v = try JSONParser.parse(#"{"a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d"}, "n": 12345678901234567890}"#)
        #expect(v["a"]?[0]?.number == 1)
        #expect(v["a"]?[1]?.number == -2.5)
        #expect(v["a"]?[2]?.number == 300)
        #expect(v["a"]?[3]?.bool == true)
        #expect(v["a"]?[5]?.isNull == true)
        #expect(v.pointer("/b/c")?.string == "d")
        #expect(v["n"]?.number == 12345678901234567890)
    }

    @Test func pointerUnescapesTokens() throws {
        let v = try JSONParser.parse(#"{"a/b": {"m~n": [10, 20]}, "~1": "tilde one", "": {"": "empty"}}"#)
        #expect(v.pointer("/a~1b/m~0n/1")?.number == 20)
        #expect(v.pointer("/~01")?.string == "tilde one")
        #expect(v.pointer("//")?.string == "empty")
        #expect(v.pointer("/a/b") == nil)
        #expect(v.pointer("/a~1b/m~0n/2") == nil)
        #expect(v.pointer("a") == nil)
        #expect(v.pointer("") == v)
    }

    @Test func decodesEscapesAndSurrogates() throws {
        let v = try JSONParser.parse(#"["a\"b\\c\/\n\t", "\u00e9\u4e2d", "\ud83d\ude00", "Привет"]"#)
        #expect(v[0]?.string == "a\"b\\c/\n\t")
        #expect(v[1]?.string == "é中")
        #expect(v[2]?.string == "😀")
        #expect(v[3]?.string == "Привет")
    }

    @Test(arguments: [#"{"a": }"#, #"{"a" 1}"#, "[1, 2", #""unterminated"#, "tru", "{} x", "", #"{"a": "\x"}"#, "[01a]"])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Data([0x22, 0xA5, 0x22])) }
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }

    @Test func stringOrNumberKeepsIntegerIds() throws {
        let v = try JSONParser.parse(#"{"id": 123456789012, "s": "x"}"#)
        #expect(v["id"]?.stringOrNumber == "123456789012")
        #expect(v["s"]?.stringOrNumber == "x")
    }

    @Test(arguments: ["plain", "quote \" and \\ backslash", "lines\nand\r\ttabs", "bell \u{07} nul \u{00} esc \u{1B}",
                      "Привет, 世界 😀", "", "\u{7F} del stays"])
    func quotedStringsParseBack(_ s: String) throws {
        let literal = JSONString.quoted(s)
        #expect(try JSONParser.parse(literal).string == s)
        #expect(!literal.unicodeScalars.dropFirst().dropLast().contains { $0.value < 0x20 })
    }
}

@Suite struct UTF8TextTests {
    @Test(arguments: [
        ([0x41, 0xD0, 0x9F], true), ([0xE2, 0x82, 0xAC], true), ([0xF0, 0x9F, 0x98, 0x80], true),
        ([0xA5], false), ([0xC0, 0xAF], false), ([0xE0, 0x80, 0xAF], false), ([0xED, 0xA0, 0x80], false),
        ([0xF0, 0x9F, 0x98], false), ([0xF4, 0x90, 0x80, 0x80], false), ([0xD0], false),
    ] as [([UInt8], Bool)])
    func validation(_ bytes: [UInt8], _ valid: Bool) {
        bytes.withUnsafeBufferPointer { b in
            #expect(UTF8Text.isValid(b) == valid)
            #expect(UTF8Text.isValid(b) == (String(validating: b, as: UTF8.self) != nil))
        }
    }
}
