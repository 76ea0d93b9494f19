import Foundation
import Testing
import SwitchboardCore
@testable import PhoneConnectors

@Suite("CSV field splitting")
struct CSVFieldsTests {
    func split(_ text: String, delimiter: Character = ",") throws -> [String] {
        var f = CSVFields(delimiter: delimiter.asciiValue!)
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { mp in
            let b = UnsafeBufferPointer(mp)
            try f.split(b)
            return (0..<f.count).map { f.string($0, in: b) }
        }
    }

    @Test("quoted, escaped, empty and unquoted fields")
    func fields() throws {
        #expect(try split(#""a","""Ivan"" <301>",,12,"","x,y""#) == ["a", "\"Ivan\" <301>", "", "12", "", "x,y"])
        #expect(try split("a,b,") == ["a", "b", ""])
        #expect(try split("") == [""])
        #expect(try split("1;\"2;3\";4", delimiter: ";") == ["1", "2;3", "4"])
    }

    @Test("broken quoting is an error, not a crash")
    func broken() {
        #expect(throws: CSVFields.SplitError.self) { try split(#""a","b"#) }
        #expect(throws: CSVFields.SplitError.self) { try split(#""a"x,b"#) }
    }

    @Test("numbers and local times parse from bytes")
    func parsers() throws {
        func bytes<T>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
            var copy = s
            return copy.withUTF8(body)
        }
        #expect(bytes("27") { FieldParse.int($0) } == 27)
        #expect(bytes("-3") { FieldParse.int($0) } == -3)
        #expect(bytes("12.0") { FieldParse.int($0) } == 12)
        #expect(bytes("1x") { FieldParse.int($0) } == nil)
        #expect(bytes("") { FieldParse.int($0) } == nil)
        let irkutsk = LocalTimeConverter(timeZone: TimeZone(identifier: "Asia/Irkutsk")!)
        #expect(bytes("2024-01-27 15:07:24") { FieldParse.localDateTime($0, irkutsk) } == 1_706_339_244)
        #expect(bytes("2024-01-27 15:07:24.250") { FieldParse.localDateTime($0, irkutsk) } == 1_706_339_244.25)
        #expect(bytes("2024-13-27 15:07:24") { FieldParse.localDateTime($0, irkutsk) } == nil)
        #expect(bytes("27.01.2024 15:07") { FieldParse.localDateTime($0, irkutsk) } == nil)
        let utc = LocalTimeConverter(timeZone: TimeZone(identifier: "UTC")!)
        #expect(bytes("Tue, 10 Aug 2010 08:02:17 +0300") { try! DateFormat("rfc2822").parse($0, utc) } == 1_281_416_537)
        #expect(bytes("8/10/2010 8:02 PM") { try! DateFormat("M/d/yyyy h:mm a").parse($0, utc) } == 1_281_470_520)
        #expect(bytes("1281416537") { try! DateFormat("epoch").parse($0, utc) } == 1_281_416_537)
    }
}
