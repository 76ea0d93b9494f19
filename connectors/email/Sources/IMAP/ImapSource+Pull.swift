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
        let session = IMAPSession(try CurlConnection(connection, source: name))
        defer { session.logout() }
        try await pull(state: state, session: session, into: sink)
    }

    /// The pull over a logged-in session (tests give a recorded server).
    func pull(state: ImapState, session: IMAPSession, into sink: any IngestSink) async throws {
        var state = state
        var ingest = EmailIngest(mapping: mapping)
        var server: ServerInfo? = nil   // asked once, before the first FETCH
        for mailbox in mailboxes {
            try await pullMailbox(mailbox, session: session, state: &state, server: &server, ingest: &ingest, sink: sink)
        }
    }

    /// What the pull asks the server once: Gmail's extension (`X-GM-EXT-1` in CAPABILITY) and the
    /// hierarchy delimiter (`LIST "" ""`, for folder topics), both commands in flight together.
    struct ServerInfo: Equatable {
        var gmail = false
        var delimiter: Character? = nil
    }

    func serverInfo(_ session: IMAPSession, mailbox: String) throws -> ServerInfo {
        var info = ServerInfo()
        try wrap(mailbox, "CAPABILITY") {
            let capability = try session.send("CAPABILITY")
            let list = folderTopic ? try session.send("LIST \"\" \"\"") : nil
            try session.complete(capability, command: "CAPABILITY") { r in
                if let caps = Self.capabilities(r.textString) { info.gmail = caps.contains("X-GM-EXT-1") }
            }
            if let list {
                do {
                    try session.complete(list, command: "LIST") { r in
                        if let d = Self.listDelimiter(r.textString) { info.delimiter = d }
                    }
                } catch IMAPError.commandFailed {
                    // No delimiter: mailbox names are taken whole.
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

    /// The delimiter of `* LIST (\Noselect) "/" ""` (`"\\"` for a backslash); nil for NIL or another response.
    static func listDelimiter(_ s: String) -> Character? {
        guard s.uppercased().hasPrefix("* LIST "), let close = s.firstIndex(of: ")") else { return nil }
        let rest = s[s.index(after: close)...].drop { $0 == " " }
        guard rest.first == "\"" else { return nil }
        var chars = rest.dropFirst().makeIterator()
        guard var c = chars.next() else { return nil }
        if c == "\\", let escaped = chars.next() { c = escaped }
        return c == "\"" ? nil : c
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
    private var base: String {
        var u = connection.url
        while u.hasSuffix("/") { u.removeLast() }
        return Redaction.url(u)
    }

    private func pullMailbox(_ mailbox: String, session: IMAPSession, state: inout ImapState, server: inout ServerInfo?,
                             ingest: inout EmailIngest, sink: any IngestSink) async throws {
        var uidValidity: UInt64 = 0, exists = -1, uidNext: UInt64 = 0
        let names = Self.mailboxNames(mailbox)
        try wrap(mailbox, "EXAMINE") {
            try session.run("EXAMINE \(IMAPSession.quote(names.wire))") { r in
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
        try wrap(mailbox, "UID SEARCH") {
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
        if server == nil { server = try serverInfo(session, mailbox: mailbox) }
        let info = server ?? ServerInfo()
        let fetchItems = info.gmail ? "(UID INTERNALDATE RFC822.SIZE FLAGS X-GM-LABELS BODY.PEEK[])"
                                    : "(UID INTERNALDATE RFC822.SIZE FLAGS BODY.PEEK[])"
        let sent = Self.isSentMailbox(names.shown)
        let folder = folderTopic ? MailTopics.imapFolder(names.shown, delimiter: info.delimiter) : nil
        var tags: [String] = []
        func sendFetch(_ k: Int) throws {
            tags.append(try session.send("UID FETCH \(Self.uidSet(chunks[k])) \(fetchItems)"))
        }
        let window = 2   // commands in flight
        try wrap(mailbox, "UID FETCH") { for k in 0..<min(window, chunks.count) { try sendFetch(k) } }
        for k in 0..<chunks.count {
            let first = chunks[k].first!, last = chunks[k].last!
            try wrap(mailbox, "UID FETCH \(first):\(last)", committedUpTo: box.lastUid) {
                try session.complete(tags[k], command: "UID FETCH") { r in
                    self.take(r, mailbox: names.shown, uidValidity: uidValidity, fromSent: sent, folder: folder, ingest: &ingest)
                }
                if k + window < chunks.count { try sendFetch(k + window) }
            }
            box.lastUid = max(box.lastUid, last)
            state.mailboxes[mailbox] = box
            try await ingest.flush(into: sink)
            try await sink.checkpoint(try Checkpoint(source: name, encoding: state))
        }
    }

    /// One untagged response of a UID FETCH: a message, or something to ignore (flag updates, EXPUNGE).
    /// `mailbox` is the name as shown (decoded), the one provenance and the topics rules' `mailboxes` use.
    private func take(_ r: IMAPResponse, mailbox: String, uidValidity: UInt64, fromSent: Bool, folder: String?,
                      ingest: inout EmailIngest) {
        guard let f = FetchResponse.parse(r), let uid = f.uid, f.hasBody else { return }
        let provenance = "\(base)/\(mailbox);UIDVALIDITY=\(uidValidity);UID=\(uid)"
        let internalDate = f.internalDate.flatMap { MailDate.parse($0) }
        guard let body = f.bodyBytes(in: r) else {
            ingest.reject(reason: "\(provenance): the server sent no message body", provenance: provenance, raw: Data(r.text))
            return
        }
        let topics = Self.topics(f, in: r, folder: folder)
        body.withUnsafeBufferPointer { buf in
            ingest.add(buf, fallbackDate: internalDate, fromSent: fromSent, provenance: provenance, topics: topics)
        }
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
    private func wrap(_ mailbox: String, _ step: String, committedUpTo: UInt64? = nil, _ body: () throws -> Void) throws {
        do {
            try body()
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
