import Foundation
import SwitchboardCore
import Testing

/// `JSONArrayReader`: one element at a time, the same values as parsing the whole array, problems per element.
@Suite struct JSONArrayReaderTests {
    enum Seen: Equatable {
        case element(JSONValue, Int)
        case invalid(Int)
        case tooLarge(Int, length: Int)
        case problem(JSONArrayReader.Problem.Kind, elements: Int)
    }

    /// Everything a reader of `text` gives, read from a file in `chunkSize` chunks and from memory (both must agree).
    func read(_ text: String, bytes prefix: [UInt8] = [], chunkSize: Int = 1 << 20, max: Int = 1 << 20) throws -> [Seen] {
        let bytes = prefix + Array(text.utf8)
        let url = try temporaryFile(bytes, name: "array.json")
        defer { removeTemporary(url) }
        var fromFile = try JSONArrayReader(url: url, maxElementBytes: max, chunkSize: chunkSize)
        var fromMemory = JSONArrayReader(data: Data(bytes), maxElementBytes: max)
        let a = drain(&fromFile), b = drain(&fromMemory)
        #expect(a == b, "file and memory disagree")
        return a
    }

    func drain(_ reader: inout JSONArrayReader) -> [Seen] {
        var out: [Seen] = []
        do {
            while let item = try reader.next() {
                switch item {
                case .element(let v, let i): out.append(.element(v, i))
                case .invalid(_, let i, _): out.append(.invalid(i))
                case .tooLarge(let i, let length, _): out.append(.tooLarge(i, length: length))
                }
            }
        } catch let p as JSONArrayReader.Problem {
            out.append(.problem(p.kind, elements: p.elements))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return out
    }

    @Test func elementsAreTheValuesOfTheWholeArrayWhateverTheChunks() throws {
        let text = #"""
            [ {"ts": "1.2", "text": "a, b ] } [ \" \\", "n": [1, {"x": []}]},
              "plain", 12.5e1 , null,[],{} , "\u005d", "\\", "\\\"]", {"k\\": "\\\\\",\\"}
            ]
            """#
        let whole = try #require(try JSONParser.parse(text).array)
        let expected = whole.enumerated().map { Seen.element($1, $0) }
        for chunk in Array(16...48) + [64, 1 << 20] {
            #expect(try read(text, chunkSize: chunk) == expected, "chunk size \(chunk)")
        }
    }

    @Test func aByteOrderMarkAndEmptyArraysAreFine() throws {
        #expect(try read(#"[{"a": 1}]"#, bytes: [0xEF, 0xBB, 0xBF]) == [.element(.object([("a", .number(1))]), 0)])
        #expect(try read(" [ ] \n").isEmpty)
        #expect(try read("", bytes: [0xEF, 0xBB, 0xBF]) == [.problem(.empty, elements: 0)])
        #expect(try read("  \n") == [.problem(.empty, elements: 0)])
    }

    @Test func aBrokenElementIsReportedAloneAndTheNextOnesAreRead() throws {
        let seen = try read(#"[{"a": 1}, {"b": tru}, {"c": 3}}, {"d": 4}, ]"#, chunkSize: 16)
        #expect(seen == [.element(.object([("a", .number(1))]), 0), .invalid(1), .invalid(2),
                         .element(.object([("d", .number(4))]), 3), .invalid(4)])
    }

    @Test func anElementOverTheLimitIsReadPastWithItsLength() throws {
        let big = #"{"text": ""# + String(repeating: "z", count: 3000) + #""}"#
        for chunk in [16, 100, 1 << 20] {
            let seen = try read("[1, \(big), 2]", chunkSize: chunk, max: 1000)
            #expect(seen == [.element(.number(1), 0), .tooLarge(1, length: big.utf8.count + 1), .element(.number(2), 2)],
                    "chunk size \(chunk)")
        }
        let bigger = #"{"text": ""# + String(repeating: "z", count: 6000) + #""}"#
        var reader = JSONArrayReader(data: Data("[\(bigger)]".utf8), maxElementBytes: 1000)
        guard case .tooLarge(_, _, let head) = try reader.next() else { Issue.record("not refused"); return }
        #expect(head.count == JSONArrayReader.headBytes && head.starts(with: Array(#"{"text""#.utf8)))
    }

    @Test func truncatedFilesAndOtherDocumentsAreProblemsAfterTheElementsRead() throws {
        #expect(try read(#"[{"a": 1}, {"b": "#, chunkSize: 16) == [.element(.object([("a", .number(1))]), 0),
                                                                   .problem(.truncated, elements: 1)])
        #expect(try read(#"{"messages": []}"#) == [.problem(.notAnArray, elements: 0)])
        #expect(try read("[1] x") == [.element(.number(1), 0), .problem(.trailingData, elements: 1)])
    }

    @Test func theParserSkipsAByteOrderMarkToo() throws {
        var bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#" {"a": "b"}"#.utf8)
        let value = try bytes.withUnsafeMutableBufferPointer { try JSONParser.parse(UnsafeBufferPointer($0)) }
        #expect(value["a"]?.string == "b")
        #expect(throws: JSONParseError.self) { try JSONParser.parse("\u{FEFF}\u{FEFF}{}") }
    }
}
