import Foundation
import SwitchboardCore

/// One run's worth of e-mail ingestion shared by the mbox, Maildir and IMAP
/// readers: parse, map, and queue interactions or dead letters in blocks.
struct EmailIngest {
    let mapping: EmailMapping
    var threads = ThreadIndex()
    private(set) var accepted: [Interaction] = []
    private(set) var rejected: [(reason: String, provenance: String, raw: Data, replay: ReplayContext?)] = []
    var pendingBytes = 0
    /// The connector kind, kept with each dead letter for its replay (``EmailReplay``).
    let kind: String

    init(mapping: EmailMapping, kind: String = "") {
        self.mapping = mapping
        self.kind = kind
    }

    /// Parses and maps one message; a message that cannot be mapped is queued as a dead letter.
    /// - Parameters:
    ///   - topics: native topics known outside the message (IMAP keywords and labels, the folder).
    ///   - clientLabels: also take the labels a mail client or export wrote into the headers
    ///     (`X-Mozilla-Keys`, `X-Gmail-Labels`): file imports only, never mail straight from a sender.
    ///   - externalId: the server's own stable id (Gmail's `X-GM-MSGID`), instead of Message-ID + digest.
    mutating func add(_ buf: UnsafeBufferPointer<UInt8>, fallbackDate: Date?, fromSent: Bool, provenance: String,
                      topics: [String] = [], clientLabels: Bool = false, externalId: String? = nil) {
        let message = MessageParser.parse(buf)
        add(message, raw: buf, fallbackDate: fallbackDate, fromSent: fromSent, provenance: provenance,
            topics: topics, clientLabels: clientLabels, externalId: externalId)
    }

    mutating func add(_ message: EmailMessage, raw buf: UnsafeBufferPointer<UInt8>, fallbackDate: Date?, fromSent: Bool,
                      provenance: String, topics: [String] = [], clientLabels: Bool = false, externalId: String? = nil) {
        pendingBytes += buf.count
        var topics = topics
        if clientLabels && (message.mozillaKeys != nil || message.gmailLabels != nil) {
            topics += MailTopics.clientLabels(message)
        }
        do {
            accepted.append(try mapping.interaction(message, fallbackDate: fallbackDate, fromSentMailbox: fromSent,
                                                    provenance: provenance, topics: topics, externalId: externalId,
                                                    threads: &threads))
        } catch {
            let reason = (error as? EmailMapping.Rejection)?.reason ?? "\(error)"
            let context = EmailReplay.context(kind: kind, fallbackDate: fallbackDate, fromSent: fromSent, topics: topics,
                                              externalId: externalId)
            rejected.append(("\(provenance): \(reason)", provenance, Data(buf), context))
        }
    }

    /// Queues a dead letter directly.
    mutating func reject(reason: String, provenance: String, raw: Data) {
        rejected.append((reason, provenance, raw, ReplayContext(kind: kind, values: ["no_message": "true"])))
    }

    var pending: Int { accepted.count + rejected.count }

    /// Hands everything queued to the sink.
    mutating func flush(into sink: any IngestSink) async throws {
        let a = accepted, r = rejected, bytes = pendingBytes
        accepted.removeAll(keepingCapacity: true)
        rejected.removeAll()
        pendingBytes = 0
        try await sink.accept(contentsOf: a)
        for x in r { try await sink.reject(reason: x.reason, provenance: x.provenance, raw: x.raw, replay: x.replay) }
        await sink.progress(bytes: bytes)
    }
}

/// Settings shared by every e-mail kind: who the support side is, whether the folder is a topic.
protocol EmailSettings {
    var supportAddresses: [String]? { get }
    var folderTopic: Bool? { get }
}

extension SettingSpec {
    /// `folder_topic` of every e-mail kind; `what` names the folder (`the mailbox`).
    static func folderTopic(_ what: String) -> SettingSpec {
        SettingSpec("folder_topic", "bool",
            "\(what) is a topic of its mail, except INBOX, Sent, Drafts, Trash, Junk, Archive and the like (default true)")
    }
}
