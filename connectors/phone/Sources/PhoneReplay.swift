import Foundation
import SwitchboardCore

// Dead-letter replay of the PBX kinds: a letter holds one line of the file, read again with the current
// settings. A CDR row is one leg and a queue_log line one event of a call: replayed alone, it becomes a call
// of its own only when it is one by itself; a leg or event of a call whose other lines were stored adds
// nothing to that call (its key is already stored) — import the file into a fresh source to rebuild it.

extension AsteriskCDRConnector: DeadLetterReplaying {
    public func replay(_ letter: DeadLetter) throws -> ReplayDecoding {
        var session = try makeSession()
        let (file, number) = DeadLetter.fileAndLine(letter.provenance)
        let leg = try PhoneReplayLine.withBytes(letter.raw) { bytes in
            do throws(AsteriskCDRRowParser.RowError) { return .success(try session.parser.parse(bytes, file: file, number: number)) }
            catch { return .failure(ConnectorError(.format, "\(file):\(number): \(error.reason)")) }
        }
        return ReplayDecoding(interactions: [session.build([leg])])
    }
}

extension FreeSWITCHCDRConnector: DeadLetterReplaying {
    public func replay(_ letter: DeadLetter) throws -> ReplayDecoding {
        var parser = RowParser(columns: columns, converter: LocalTimeConverter(timeZone: timeZone))
        let (file, number) = DeadLetter.fileAndLine(letter.provenance)
        let call = try PhoneReplayLine.withBytes(letter.raw) { bytes in
            do throws(RowParser.RowError) {
                return .success(try parser.parse(bytes, provenance: letter.provenance, shortAbandon: shortAbandon))
            } catch { return .failure(ConnectorError(.format, "\(file):\(number): \(error.reason)")) }
        }
        return ReplayDecoding(interactions: [builder.interaction(call)])
    }
}

extension AsteriskQueueLogConnector: DeadLetterReplaying {
    public func replay(_ letter: DeadLetter) throws -> ReplayDecoding {
        var reader = QueueLogReader(timeZone: timeZone, shortAbandon: shortAbandon)
        let (file, number) = DeadLetter.fileAndLine(letter.provenance)
        let event = try PhoneReplayLine.withBytes(letter.raw) { bytes in
            do throws(QueueLogReader.LineError) { return .success(try reader.parse(bytes, provenance: letter.provenance)) }
            catch { return .failure(ConnectorError(.format, "\(file):\(number): \(error.reason)")) }
        }
        let session = QueueSession(reader: reader, builder: builder, shortAbandon: shortAbandon)
        return ReplayDecoding(interactions: event.flatMap { session.build([$0]) }.map { [$0] } ?? [])
    }
}

/// Helpers shared by the phone kinds' replays.
enum PhoneReplayLine {
    /// Runs a line parser on the payload's bytes; its failure is thrown.
    static func withBytes<T>(_ raw: Data, _ body: (UnsafeBufferPointer<UInt8>) -> Result<T, ConnectorError>) throws -> T {
        try Array(raw).withUnsafeBufferPointer { body($0) }.get()
    }
}
