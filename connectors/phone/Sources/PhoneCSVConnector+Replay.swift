import Foundation
import SwitchboardCore

/// Dead-letter replay of `kind: phone-csv`: a letter holds one row and, in its context, the header line of
/// the file it came from; the row is read again under that header with the current column map, outcome
/// and direction maps, date format and timezone. (A row naming a parent call is stored as a call of its
/// own: its siblings are not in the letter.)
extension PhoneCSVConnector: DeadLetterReplaying {
    public func replay(_ letter: DeadLetter) throws -> ReplayDecoding {
        let values = letter.replay?.values ?? [:]
        var rows = PhoneCSVRows(connector: self)
        rows.startFile()
        if values["header_line"] != nil {
            // The header itself was refused: it is read again (nothing to store); its rows have letters of their own.
            _ = try Self.parse(Array(letter.raw), with: &rows, provenance: letter.provenance, label: "header")
            return ReplayDecoding()
        }
        if header {
            guard let headerLine = values["header"] else {
                throw ConnectorError.notReplayable("the letter does not keep its file's header line (written before replay "
                    + "contexts were kept); import the file again")
            }
            _ = try Self.parse(Array(headerLine.utf8), with: &rows, provenance: letter.provenance, label: "header")
        }
        let row = try Self.parse(Array(letter.raw), with: &rows, provenance: letter.provenance,
                                 label: Self.fileLine(letter.provenance))
        guard let row else { return ReplayDecoding() }
        return ReplayDecoding(interactions: [assemble([row])])
    }

    /// One line through ``PhoneCSVRows/parse(_:provenance:)``; its refusal as a ``ConnectorError``.
    private static func parse(_ line: [UInt8], with rows: inout PhoneCSVRows, provenance: String,
                              label: String) throws -> PhoneCSVRow? {
        var result: Result<PhoneCSVRow?, PhoneCSVRows.RowError> = .success(nil)
        line.withUnsafeBufferPointer { b in
            do throws(PhoneCSVRows.RowError) { result = .success(try rows.parse(b, provenance: provenance)) }
            catch { result = .failure(error) }
        }
        switch result {
        case .success(let row): return row
        case .failure(let error): throw ConnectorError(.format, "\(label): \(error.reason)")
        }
    }

    /// The context of a rejected line: the header it was read under, or that it was the header.
    func replayContext(header: String?, isHeader: Bool) -> ReplayContext {
        ReplayContext.csvLine(kind: Self.kind, header: header, isHeader: isHeader)
    }

    /// `file:calls.csv#L12` → `calls.csv:12`, as the import's reasons name a row.
    static func fileLine(_ provenance: String) -> String {
        let (file, line) = DeadLetter.fileAndLine(provenance)
        return "\(file):\(line)"
    }
}
