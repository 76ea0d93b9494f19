import Foundation
import SwitchboardCore

/// Dead-letter replay of `kind: survey-csv`: a letter holds one row and, in its context, its file's header
/// line; both are read again with the current `columns`, `metric`, `scale`, channel and timezone.
extension SurveyCSVImporter: DeadLetterReplaying {
    public func replay(_ letter: DeadLetter) throws -> ReplayDecoding {
        let values = letter.replay?.values ?? [:]
        let (file, line) = DeadLetter.fileAndLine(letter.provenance)
        var fields = CSVFields(delimiter: delimiter)
        if values["header_line"] != nil {
            // The header itself was refused: it is read again (nothing to store); its rows have letters of their own.
            _ = try Array(letter.raw).withUnsafeBufferPointer { b in
                try fields.split(b)
                return try header(fields.strings(in: b), file: file)
            }
            return ReplayDecoding()
        }
        guard let headerLine = values["header"] else {
            throw ConnectorError.notReplayable("the letter does not keep its file's header line (written before replay "
                + "contexts were kept); import the file again")
        }
        let head = Array(headerLine.utf8), row = Array(letter.raw)
        let columns = try head.withUnsafeBufferPointer { b in
            try fields.split(b)
            return try header(fields.strings(in: b), file: file)
        }
        let interaction = try row.withUnsafeBufferPointer { b in
            try fields.split(b)
            do {
                return try self.row(fields.strings(in: b), columns: columns, raw: b, file: file, line: line,
                                    provenance: letter.provenance, converter: LocalTimeConverter(timeZone: timeZone))
            } catch {
                throw ConnectorError(.format, "\(file):\(line): \(error)")
            }
        }
        return ReplayDecoding(interactions: [interaction])
    }

    /// The context of a rejected line: its file's header line, or that it was the header.
    func replayContext(header: String?, isHeader: Bool) -> ReplayContext {
        ReplayContext.csvLine(kind: Self.kind, header: header, isHeader: isHeader)
    }
}
