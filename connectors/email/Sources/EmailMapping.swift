import Foundation
import SwitchboardCore

/// Turns parsed e-mails into `kind: message` interactions: who wrote (agent,
/// customer or bot), which way it went, the customer's key and the thread.
public struct EmailMapping: Sendable {
    public let source: String
    let platform: String
    let addresses: Set<String>
    let domains: Set<String>
    let agents: AgentDirectory

    /// - Parameter supportAddresses: the team's addresses (`support@example.com`) and
    ///   domains (`example.com` or `@example.com`).
    public init(source: String, platform: String, supportAddresses: [String], agents: AgentDirectory) {
        self.source = source
        self.platform = platform
        var a = Set<String>(), d = Set<String>()
        for s in supportAddresses.map({ $0.lowercased().trimmingCharacters(in: .whitespaces) }) where !s.isEmpty {
            if s.hasPrefix("@") { d.insert(String(s.dropFirst())) }
            else if s.contains("@") { a.insert(s) }
            else { d.insert(s) }
        }
        addresses = a
        domains = d
        self.agents = agents
    }

    /// The agent id (from `agents:`) or the support address, when `address` is on the support side.
    func supportIdentity(_ address: MailAddress) -> String? {
        if let id = agents.agent(email: address.address) { return id }
        if addresses.contains(address.address) || domains.contains(address.domain) { return address.address }
        return nil
    }

    /// Mailboxes whose mail the team sent (`Sent`, `INBOX.Sent`, `Sent Items`, `Отправленные`).
    public static func isSentMailbox(_ name: String) -> Bool {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "." }).last.map { $0.lowercased() } ?? ""
        return ["sent", "sent items", "sent messages", "sent mail", "отправленные"].contains(last)
    }

    /// Topics in stored form; one label (a folder alone, the common case) skips the set and the sort.
    static func normalized(_ topics: [String]) -> [String] {
        switch topics.count {
        case 0: return []
        case 1: return Topics.normalize(label: topics[0]).map { [$0] } ?? []
        default: return Topics.normalize(topics)
        }
    }

    /// Why a message cannot become an interaction.
    public struct Rejection: Error, Sendable { public var reason: String }

    /// The interaction of one message.
    /// - Parameters:
    ///   - fallbackDate: INTERNALDATE, the mbox `From ` line or the Maildir file time, used without a readable
    ///     `Date:` (after the date of a `From ` line the message itself began with).
    ///   - fromSentMailbox: the message was read from the team's Sent folder.
    ///   - topics: native topics (keywords, labels, folder; see ``MailTopics``).
    ///   - externalId: the origin's own stable id where it has one (Gmail's `X-GM-MSGID`); default
    ///     the Message-ID and content digest (``EmailMessage/stableKey``).
    /// - Throws: ``Rejection`` when the bytes are not an e-mail or have no usable sender or date.
    public func interaction(_ m: EmailMessage, fallbackDate: Date?, fromSentMailbox: Bool, provenance: String,
                            topics: [String] = [], externalId: String? = nil, threads: inout ThreadIndex) throws -> Interaction {
        if m.hasNoHeaders { throw Rejection(reason: "not an e-mail: no header fields") }
        guard let from = m.from else {
            throw Rejection(reason: "no readable From address" + (m.problems.isEmpty ? "" : " (\(m.problems.joined(separator: "; ")))"))
        }
        guard let when = m.date ?? m.envelopeDate ?? fallbackDate else { throw Rejection(reason: "no readable Date header and no delivery date") }
        let recipients = m.to + m.cc
        let supportId = supportIdentity(from) ?? (fromSentMailbox ? from.address : nil)
        var direction: Direction
        var role: ActorRole
        var customer: MailAddress?
        if supportId != nil {
            customer = recipients.first { supportIdentity($0) == nil }
            direction = customer == nil && !recipients.isEmpty ? .internal : .outbound
            role = .agent
        } else {
            customer = from
            direction = .inbound
            role = .customer
        }
        if m.isAutoReply { role = .bot }
        // Who the message is between, the support side left out: the sender, or for team mail its recipients.
        let people = supportId == nil ? [from.address] : recipients.compactMap { supportIdentity($0) == nil ? $0.address : nil }
        let conversationKey = threads.key(for: m, customer: customer?.address, people: people, at: when)
        return Interaction(
            source: source, externalId: externalId ?? m.stableKey, channel: .email, platform: platform,
            conversationKey: conversationKey, kind: .message, direction: direction, actorRole: role,
            actorId: supportId ?? from.address, actorName: from.name, customerKey: customer?.address,
            occurredAt: when, subject: m.subject, text: m.text.map(QuoteStripper.strip),
            attachments: m.attachments, provenance: provenance, topics: Self.normalized(topics))
    }
}
