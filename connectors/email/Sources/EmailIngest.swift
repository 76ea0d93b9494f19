import Foundation
import SwitchboardCore

/// One run's worth of e-mail ingestion shared by the mbox, Maildir and IMAP
/// readers: parse, map, and queue interactions or dead letters in blocks.
struct EmailIngest {
    let mapping: EmailMapping
    var threads = ThreadIndex()
    private(set) var accepted: [Interaction] = []
    private(set) var rejected: [(reason: String, provenance: String, raw: Data)] = []
    var pendingBytes = 0

    init(mapping: EmailMapping) { self.mapping = mapping }

    /// Parses and maps one message; a message that cannot be mapped is queued as a dead letter.
    mutating func add(_ buf: UnsafeBufferPointer<UInt8>, fallbackDate: Date?, fromSent: Bool, provenance: String) {
        let message = MessageParser.parse(buf)
        add(message, raw: buf, fallbackDate: fallbackDate, fromSent: fromSent, provenance: provenance)
    }

    mutating func add(_ message: EmailMessage, raw buf: UnsafeBufferPointer<UInt8>, fallbackDate: Date?, fromSent: Bool,
                      provenance: String) {
        pendingBytes += buf.count
        do {
            accepted.append(try mapping.interaction(message, fallbackDate: fallbackDate, fromSentMailbox: fromSent,
                                                    provenance: provenance, threads: &threads))
        } catch let r as EmailMapping.Rejection {
            rejected.append(("\(provenance): \(r.reason)", provenance, Data(buf)))
        } catch {
            rejected.append(("\(provenance): \(error)", provenance, Data(buf)))
        }
    }

    /// Queues a dead letter directly.
    mutating func reject(reason: String, provenance: String, raw: Data) {
        rejected.append((reason, provenance, raw))
    }

    var pending: Int { accepted.count + rejected.count }

    /// Hands everything queued to the sink.
    mutating func flush(into sink: any IngestSink) async throws {
        let a = accepted, r = rejected, bytes = pendingBytes
        accepted.removeAll(keepingCapacity: true)
        rejected.removeAll()
        pendingBytes = 0
        try await sink.accept(contentsOf: a)
        for x in r { try await sink.reject(reason: x.reason, provenance: x.provenance, raw: x.raw) }
        await sink.progress(bytes: bytes)
    }
}

/// Settings shared by every e-mail kind: who the support side is.
protocol EmailSettings {
    var supportAddresses: [String]? { get }
}
