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
        let conn = try CurlConnection(connection, source: name)
        let session = IMAPSession(conn)
        defer { session.logout() }
        var ingest = EmailIngest(mapping: mapping)
        for mailbox in mailboxes {
            try await pullMailbox(mailbox, session: session, state: &state, ingest: &ingest, sink: sink)
        }
    }

    private var base: String {
        var u = connection.url
        while u.hasSuffix("/") { u.removeLast() }
        return u
    }

    private func pullMailbox(_ mailbox: String, session: IMAPSession, state: inout ImapState,
                             ingest: inout EmailIngest, sink: any IngestSink) async throws {
        var uidValidity: UInt64 = 0, exists = -1, uidNext: UInt64 = 0
        try wrap(mailbox, "EXAMINE") {
            try session.run("EXAMINE \(IMAPSession.quote(mailbox))") { r in
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
        let fetchItems = "(UID INTERNALDATE RFC822.SIZE FLAGS BODY.PEEK[])"
        let sent = Self.isSentMailbox(mailbox)
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
                    self.take(r, mailbox: mailbox, uidValidity: uidValidity, fromSent: sent, ingest: &ingest)
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
    private func take(_ r: IMAPResponse, mailbox: String, uidValidity: UInt64, fromSent: Bool, ingest: inout EmailIngest) {
        let s = r.textString
        guard s.hasPrefix("* "), let fetch = s.range(of: " FETCH (") else { return }
        let items = s[fetch.upperBound...]
        guard let uid = Self.number(after: "UID ", in: String(items)) else { return }
        let provenance = "\(base)/\(mailbox);UIDVALIDITY=\(uidValidity);UID=\(uid)"
        var internalDate: Date? = nil
        if let r = items.range(of: "INTERNALDATE \""), let q = items[r.upperBound...].firstIndex(of: "\"") {
            internalDate = MailDate.parse(Array(items[r.upperBound..<q].utf8))
        }
        guard items.contains("BODY[]"), let body = r.literals.last else {
            if items.contains("BODY[]") {
                ingest.reject(reason: "\(provenance): the server sent no message body", provenance: provenance, raw: Data(r.text))
            }
            return
        }
        body.withUnsafeBufferPointer { buf in
            ingest.add(buf, fallbackDate: internalDate, fromSent: fromSent, provenance: provenance)
        }
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
