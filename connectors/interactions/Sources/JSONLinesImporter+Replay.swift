import Foundation
import SwitchboardCore

/// Dead-letter replay of `kind: jsonl`: a letter holds one line; it is parsed again as at import, with the
/// line's provenance. A line that was cut at `max_record_bytes` keeps only its first bytes: import its file
/// again after raising the limit.
extension JSONLinesImporter: DeadLetterReplaying {
    public func replay(_ letter: DeadLetter) throws -> ReplayDecoding {
        if letter.replay?.values["cut"] != nil {
            throw ConnectorError.notReplayable("the line was longer than max_record_bytes and only its first "
                + "\(Self.rawHead) bytes were kept; raise max_record_bytes and import the file again")
        }
        let value = try JSONParser.parse(letter.raw)
        return ReplayDecoding(interactions: [try InteractionJSON.interaction(from: value, defaultSource: name,
                                                                             provenance: letter.provenance, values: values)])
    }

    /// The context of a rejected line (`cut`: the payload is only the line's head).
    static func context(cut: Bool) -> ReplayContext {
        ReplayContext(kind: kind, values: cut ? ["cut": "true"] : [:])
    }
}
