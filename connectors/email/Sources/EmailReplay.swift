import Foundation
import SwitchboardCore

/// Dead-letter replay of the e-mail kinds (`imap`, `mbox`, `maildir`): a letter holds the whole message and,
/// in its context, what was known outside it when it was read — the fallback date (mbox `From ` line,
/// Maildir delivery time, IMAP INTERNALDATE), whether it came from the Sent folder, its native topics and a
/// server id (Gmail). The message is mapped again with the current `support_addresses` and agents. It is
/// threaded on its own headers (References, In-Reply-To, subject); the messages read beside it at the time
/// are not there to join.
enum EmailReplay {
    static func context(kind: String, fallbackDate: Date?, fromSent: Bool, topics: [String],
                        externalId: String?) -> ReplayContext {
        var values: [String: String] = [:]
        if let fallbackDate { values["fallback_date"] = Timestamp.formatISO8601(fallbackDate) }
        if fromSent { values["from_sent"] = "true" }
        if !topics.isEmpty { values["topics"] = topics.joined(separator: "\n") }
        if let externalId { values["external_id"] = externalId }
        return ReplayContext(kind: kind, values: values)
    }

    static func replay(_ letter: DeadLetter, mapping: EmailMapping) throws -> ReplayDecoding {
        let values = letter.replay?.values ?? [:]
        if values["no_message"] != nil {
            throw ConnectorError.notReplayable("the server sent no message body; it is read again at the next pull only "
                + "if it is still new there")
        }
        var threads = ThreadIndex()
        let interaction: Interaction = try Array(letter.raw).withUnsafeBufferPointer { buf in
            let message = MessageParser.parse(buf)
            do {
                return try mapping.interaction(
                    message, fallbackDate: values["fallback_date"].flatMap(Timestamp.parseISO8601),
                    fromSentMailbox: values["from_sent"] == "true", provenance: letter.provenance,
                    topics: values["topics"].map { $0.split(separator: "\n").map(String.init) } ?? [],
                    externalId: values["external_id"], threads: &threads)
            } catch let r as EmailMapping.Rejection {
                throw ConnectorError(.format, "\(letter.provenance): \(r.reason)")
            }
        }
        return ReplayDecoding(interactions: [interaction])
    }
}

extension MboxImporter: DeadLetterReplaying {
    public func replay(_ letter: DeadLetter) throws -> ReplayDecoding { try EmailReplay.replay(letter, mapping: mapping) }
}

extension MaildirImporter: DeadLetterReplaying {
    public func replay(_ letter: DeadLetter) throws -> ReplayDecoding { try EmailReplay.replay(letter, mapping: mapping) }
}

extension ImapSource: DeadLetterReplaying {
    public func replay(_ letter: DeadLetter) throws -> ReplayDecoding { try EmailReplay.replay(letter, mapping: mapping) }
}
