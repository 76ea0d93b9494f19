import Foundation
import SwitchboardCore

/// Resume state of an `imap` source: per mailbox, the UIDVALIDITY seen and the highest UID committed.
struct ImapState: Codable, Equatable {
    struct Mailbox: Codable, Equatable {
        var uidValidity: UInt64
        var lastUid: UInt64
    }
    var mailboxes: [String: Mailbox] = [:]
}

extension ImapSource {
    public func pull(from checkpoint: Checkpoint?, into sink: any IngestSink) async throws {
        var state = ImapState()
        if let checkpoint {
            do { state = try checkpoint.decode(ImapState.self) }
            catch { context.logger.warning("\(name): unreadable checkpoint, reading every mailbox again (duplicates are skipped)") }
        }
        let session = try await openSession()
        defer { session.logout() }
        try await pull(state: state, session: session, into: sink)
    }

    /// The pull over a logged-in session (tests give a recorded server).
    func pull(state: ImapState, session: IMAPSession, into sink: any IngestSink) async throws {
        var state = state
        var ingest = EmailIngest(mapping: mapping, kind: Self.kind)
        // The default set and `\Flag` entries need the mailbox list first; plain names wait for the
        // first FETCH, so a pull with nothing new asks neither CAPABILITY nor LIST.
        var server: ServerInfo? = nil
        if mailboxes?.contains(where: { $0.hasPrefix("\\") }) ?? true {
            server = try serverInfo(session, mailbox: "the mailbox list")
        }
        for entry in try mailboxPlan(server, resumed: Set(state.mailboxes.keys)).entries {
            try await pullMailbox(entry, session: session, state: &state, server: &server, ingest: &ingest, sink: sink)
        }
    }

    /// The mailboxes to read (``MailboxPlan``); `server` is nil when only names are configured.
    /// - Throws: ``ConnectorError`` `.settings` when a configured `\Flag` is on no mailbox.
    func mailboxPlan(_ server: ServerInfo?, resumed: Set<String> = []) throws -> MailboxPlan {
        let plan = MailboxPlan.resolve(mailboxes, listed: server?.listed ?? [], gmail: server?.gmail ?? false, resumed: resumed)
        if !plan.missing.isEmpty {
            let names = (server?.listed ?? []).filter(\.selectable).map(\.name).joined(separator: ", ")
            throw ConnectorError(.settings, "\(name): no mailbox on \(base) is flagged \(plan.missing.joined(separator: ", ")) "
                + "(RFC 6154 special use; its mailboxes: \(names.isEmpty ? "none listed" : names)); name the mailbox in `mailboxes` instead")
        }
        if mailboxes == nil && !plan.entries.contains(where: { $0.isSent || $0.isAll }) {
            context.logger.debug("\(name): no mailbox on \(base) is flagged \\Sent; reading INBOX only (name the Sent folder in `mailboxes` if the server does not flag it)")
        }
        return plan
    }

    /// What the pull asks the server once: its capabilities (Gmail's `X-GM-EXT-1`, SPECIAL-USE) and
    /// then its mailboxes with their special-use attributes and hierarchy delimiter (``MailboxList``).
    struct ServerInfo: Equatable {
        var capabilities: Set<String> = []
        var listed: [ListedMailbox] = []
        var gmail: Bool { capabilities.contains("X-GM-EXT-1") }
        var delimiter: Character? { MailboxList.delimiter(listed) }

        /// The special-use attributes LIST showed for `wire` (empty when it did not list it).
        func specialUse(of wire: String) -> [String] { listed.first { $0.named(wire) }?.specialUse ?? [] }
    }

    func serverInfo(_ session: IMAPSession, mailbox: String) throws -> ServerInfo {
        var info = ServerInfo()
        try wrap(mailbox, "CAPABILITY") {
            try session.run("CAPABILITY") { r in
                if let caps = Self.capabilities(r.textString) { info.capabilities = caps }
            }
        }
        var commands = [MailboxList.command(capabilities: info.capabilities)]
        if commands[0] != "LIST \"\" \"*\"" { commands.append("LIST \"\" \"*\"") }   // should RETURN be refused
        try wrap(mailbox, "LIST") {
            for command in commands {
                do {
                    try session.run(command) { r in if let m = MailboxList.parse(r) { info.listed.append(m) } }
                    return
                } catch IMAPError.commandFailed(_, let response)
                            where IMAPThrottle.classify(response) == nil && !ServerLines.notConnected(response) {
                    // Without a list, names are taken whole and a Sent folder is known by its name only.
                    info.listed.removeAll()
                }
            }
        }
        return info
    }

    /// The capability names of an untagged `* CAPABILITY …` response, upper-cased.
    static func capabilities(_ s: String) -> Set<String>? {
        guard s.uppercased().hasPrefix("* CAPABILITY ") else { return nil }
        return Set(s.dropFirst(13).split(separator: " ").map { $0.uppercased() })
    }

    /// A configured mailbox name as sent (modified UTF-7) and as shown. A name already written
    /// in modified UTF-7 (`&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-`) is sent as written.
    static func mailboxNames(_ configured: String) -> (wire: String, shown: String) {
        if configured.utf8.allSatisfy({ $0 < 0x80 }) && configured.contains("&"),
           let decoded = ModifiedUTF7.decode(configured) {
            return (configured, decoded)
        }
        return (ModifiedUTF7.encode(configured), configured)
    }

    /// The mailbox URL for provenance and messages (an inline password hidden).
    var base: String {
        var u = connection.url
        while u.hasSuffix("/") { u.removeLast() }
        return Redaction.url(u)
    }

    private func pullMailbox(_ entry: MailboxPlan.Entry, session: IMAPSession, state: inout ImapState, server: inout ServerInfo?,
                             ingest: inout EmailIngest, sink: any IngestSink) async throws {
        var uidValidity: UInt64 = 0, exists = -1, uidNext: UInt64 = 0
        let mailbox = entry.key   // the resume state's key
        try wrap(entry.shown, "EXAMINE") {
            try session.run("EXAMINE \(IMAPSession.quote(entry.wire))") { r in
                let s = r.textString
                if let v = Self.number(after: "[UIDVALIDITY ", in: s) { uidValidity = v }
                if let v = Self.number(after: "[UIDNEXT ", in: s) { uidNext = v }
                if s.hasSuffix(" EXISTS"), let n = Int(s.dropFirst(2).prefix { $0.isNumber }) { exists = n }
            }
        }
        var box = state.mailboxes[mailbox] ?? ImapState.Mailbox(uidValidity: uidValidity, lastUid: 0)
        if box.uidValidity != uidValidity {
            context.logger.warning("\(name): UIDVALIDITY of \(mailbox) changed (\(box.uidValidity) → \(uidValidity)); reading it again, stored messages are skipped")
            box = ImapState.Mailbox(uidValidity: uidValidity, lastUid: 0)
        }
        let changed = state.mailboxes[mailbox] != box
        state.mailboxes[mailbox] = box
        // Nothing new: no search, no fetch, no write.
        if exists == 0 || (uidNext > 0 && uidNext <= box.lastUid + 1) {
            if changed { try await sink.checkpoint(try Checkpoint(source: name, encoding: state)) }
            return
        }
        var search = "UID SEARCH UID \(box.lastUid + 1):*"
        if box.lastUid == 0, let d = since { search += " SINCE \(d.day)-\(Self.monthNames[d.month - 1])-\(d.year)" }
        var uids: [UInt64] = []
        try wrap(entry.shown, "UID SEARCH") {
            try session.run(search) { r in
                let s = r.textString
                guard s.hasPrefix("* SEARCH") else { return }
                for part in s.dropFirst(8).split(separator: " ") { if let u = UInt64(part) { uids.append(u) } }
            }
        }
        // `n:*` always matches the highest UID, even below n: filter client-side.
        uids = uids.filter { $0 > box.lastUid }.sorted()
        if uids.isEmpty {
            if changed { try await sink.checkpoint(try Checkpoint(source: name, encoding: state)) }
            return
        }
        let chunks = stride(from: 0, to: uids.count, by: batch).map { Array(uids[$0..<min($0 + batch, uids.count)]) }
        if server == nil { server = try serverInfo(session, mailbox: entry.shown) }
        let info = server ?? ServerInfo()
        let fetchItems = info.gmail ? "(UID INTERNALDATE RFC822.SIZE FLAGS X-GM-MSGID X-GM-LABELS BODY.PEEK[])"
                                    : "(UID INTERNALDATE RFC822.SIZE FLAGS BODY.PEEK[])"
        var read = entry
        if read.specialUse.isEmpty { read.specialUse = info.specialUse(of: entry.wire) }
        // A special-use mailbox (Sent, All Mail, Archive, … in any language) says where mail sits: no topic.
        let topic = folderTopic && read.specialUse.isEmpty ? MailTopics.imapFolder(entry.shown, delimiter: info.delimiter) : nil
        let how = Reading(mailbox: entry.shown, sent: read.isSent, all: read.isAll, gmail: info.gmail, folder: topic)
        var tags: [String] = []
        func sendFetch(_ k: Int) throws {
            tags.append(try session.send("UID FETCH \(Self.uidSet(chunks[k])) \(fetchItems)"))
        }
        let window = 2   // commands in flight
        try wrap(entry.shown, "UID FETCH") { for k in 0..<min(window, chunks.count) { try sendFetch(k) } }
        for k in 0..<chunks.count {
            let first = chunks[k].first!, last = chunks[k].last!
            try wrap(entry.shown, "UID FETCH \(first):\(last)", committedUpTo: box.lastUid) {
                try session.complete(tags[k], command: "UID FETCH") { r in
                    self.take(r, how, uidValidity: uidValidity, ingest: &ingest)
                }
                if k + window < chunks.count { try sendFetch(k + window) }
            }
            box.lastUid = max(box.lastUid, last)
            state.mailboxes[mailbox] = box
            try await ingest.flush(into: sink)
            try await sink.checkpoint(try Checkpoint(source: name, encoding: state))
        }
    }

    /// How the messages of one mailbox are read.
    struct Reading {
        /// The name as shown (decoded): provenance and the topic rules' `mailboxes` use it.
        var mailbox: String
        /// A `\Sent` mailbox (or one named like it): the team's outbound mail.
        var sent: Bool
        /// A `\All` mailbox: drafts in it are skipped (they were never sent).
        var all: Bool
        /// Gmail (`X-GM-EXT-1`): `X-GM-MSGID` is the external id, the `\Sent` label marks the team's mail.
        var gmail: Bool
        var folder: String?
    }

    /// One untagged response of a UID FETCH: a message, or something to ignore (flag updates, EXPUNGE,
    /// drafts in a `\All` mailbox).
    func take(_ r: IMAPResponse, _ how: Reading, uidValidity: UInt64, ingest: inout EmailIngest) {
        guard let f = FetchResponse.parse(r), let uid = f.uid, f.hasBody else { return }
        let labels = how.gmail ? f.gmailLabels(in: r) : []
        if how.all && (Self.contains(labels, "\\Draft") || Self.contains(f.flags, "\\Draft")) { return }
        let provenance = "\(base)/\(how.mailbox);UIDVALIDITY=\(uidValidity);UID=\(uid)"
        let internalDate = f.internalDate.flatMap { MailDate.parse($0) }
        guard let body = f.bodyBytes(in: r) else {
            ingest.reject(reason: "\(provenance): the server sent no message body", provenance: provenance, raw: Data(r.text))
            return
        }
        let topics = Self.topics(f, in: r, folder: how.folder)
        let fromSent = how.sent || Self.contains(labels, "\\Sent")
        let externalId = how.gmail ? f.gmailMessageId.map(Self.gmailExternalId) : nil
        body.withUnsafeBufferPointer { buf in
            ingest.add(buf, fallbackDate: internalDate, fromSent: fromSent, provenance: provenance, topics: topics,
                       externalId: externalId)
        }
    }

    /// The external id of a Gmail message: `gmail:` and its `X-GM-MSGID` in decimal, the same in
    /// every mailbox (label) the message shows in, so INBOX, `\Sent` and `\All` store it once.
    static func gmailExternalId(_ messageId: UInt64) -> String { "gmail:\(messageId)" }

    /// `list` holds `flag`, compared case-insensitively (IMAP flags and Gmail system labels).
    static func contains(_ list: [String], _ flag: String) -> Bool {
        list.contains { $0.caseInsensitiveCompare(flag) == .orderedSame }
    }

    /// Native topics of a fetched message: its keywords, its Gmail labels and the folder topic.
    static func topics(_ f: FetchResponse, in r: IMAPResponse, folder: String?) -> [String] {
        var topics: [String] = []
        for flag in f.flags { if let t = MailTopics.keyword(flag) { topics.append(t) } }
        if f.gmailLabels != nil {
            for label in f.gmailLabels(in: r) { if let t = MailTopics.gmailLabel(label) { topics.append(t) } }
        }
        if let folder { topics.append(folder) }
        return topics
    }

    /// Runs IMAP steps, turning protocol and transport failures into errors that name the source and what to expect.
    func wrap(_ mailbox: String, _ step: String, committedUpTo: UInt64? = nil, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch IMAPError.connectionLost(let why) where ServerLines.notConnected(why) {
            throw ConnectorError(.authentication, "\(name): \(base) refused \(step) in \(mailbox) for \(settings.username) "
                + "(\(Redaction.text(why))): \(ServerLines.notConnectedAdvice)")
        } catch IMAPError.commandFailed(_, let response) where ServerLines.notConnected(response) {
            throw ConnectorError(.authentication, "\(name): \(base) refused \(step) in \(mailbox) for \(settings.username) "
                + "(the server said: \(Redaction.text(response))): \(ServerLines.notConnectedAdvice)")
        } catch IMAPError.connectionLost(let why) where IMAPThrottle.classify(why) != nil {
            throw IMAPThrottle.error(IMAPThrottle.classify(why)!, source: name, server: base, during: "\(step) in \(mailbox)")
        } catch IMAPError.commandFailed(_, let response) where IMAPThrottle.classify(response) != nil {
            throw IMAPThrottle.error(IMAPThrottle.classify(response)!, source: name, server: base, during: "\(step) in \(mailbox)")
        } catch IMAPError.connectionLost(let why) {
            let resume = committedUpTo.map { "; messages up to UID \($0) are committed and the next pull resumes after it" } ?? ""
            throw ConnectorError(.network, "\(name): connection to \(base) lost during \(step) in \(mailbox): \(why)\(resume)")
        } catch IMAPError.commandFailed(let command, let response) {
            throw ConnectorError(.network, "\(name): \(base) refused \(command) in \(mailbox): \(response)"
                + (command == "EXAMINE" ? " (check the mailbox name in `mailboxes`)" : ""))
        }
    }

    static func isSentMailbox(_ name: String) -> Bool { EmailMapping.isSentMailbox(name) }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `1:5,7,9:12` for sorted UIDs.
    static func uidSet(_ uids: [UInt64]) -> String {
        var parts: [String] = []
        var i = 0
        while i < uids.count {
            var j = i
            while j + 1 < uids.count && uids[j + 1] == uids[j] + 1 { j += 1 }
            parts.append(i == j ? "\(uids[i])" : "\(uids[i]):\(uids[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    static func number(after marker: String, in s: String) -> UInt64? {
        guard let r = s.range(of: marker) else { return nil }
        return UInt64(s[r.upperBound...].prefix { $0.isNumber })
    }
}
