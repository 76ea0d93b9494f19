import Foundation
import SwitchboardCore
import Testing

/// The pieces the CSV kinds' replays share (phone-csv, survey-csv): the context kept with a rejected line and
/// the file and line its provenance names.
@Suite struct CSVLineReplayTests {
    @Test func aRejectedLineKeepsItsHeaderAndAHeaderSaysSo() {
        let row = ReplayContext.csvLine(kind: "phone-csv", header: "id,start,status", isHeader: false)
        #expect(row == ReplayContext(kind: "phone-csv", values: ["header": "id,start,status"]))
        #expect(ReplayContext.csvLine(kind: "survey-csv", header: "a,b", isHeader: true)
                == ReplayContext(kind: "survey-csv", values: ["header_line": "true"]))
        #expect(ReplayContext.csvLine(kind: "survey-csv", header: nil, isHeader: false).values.isEmpty)
    }

    @Test func aProvenanceNamesItsFileAndLine() {
        #expect(DeadLetter.fileAndLine("file:calls.csv#L12") == ("calls.csv", 12))
        #expect(DeadLetter.fileAndLine("file:dir/a#b.csv#L3") == ("dir/a#b.csv", 3), "the last # separates the line")
        #expect(DeadLetter.fileAndLine("file:Master.csv") == ("Master.csv", 0))
        #expect(DeadLetter.fileAndLine("calls.csv#7") == ("calls.csv", 7))
    }
}
