import Foundation
import SwitchboardCore

/// `switchboard check` for `imap`: the login (``loginCheck()``), then each mailbox the source reads.
extension ImapSource: ConnectivityCheck {
    public func checkConnectivity() async -> [CheckLine] {
        let (session, login) = await loginCheck()
        guard let session else { return [login] }
        defer { session.logout() }
        return [login] + mailboxReport(session)
    }

    /// The mailbox findings over a logged-in session: each mailbox this source reads, how it was
    /// chosen, its special-use attributes and its message count (`STATUS … (MESSAGES)`), one line
    /// each; a configured mailbox the server does not have is a problem naming the ones it has.
    func mailboxReport(_ session: IMAPSession) -> [CheckLine] {
        let server: ServerInfo, plan: MailboxPlan
        do {
            server = try serverInfo(session, mailbox: "the mailbox list")
            plan = try mailboxPlan(server)
        } catch {
            return [.problem("\(error)")]
        }
        var lines: [CheckLine] = []
        for entry in plan.entries {
            var messages: Int?
            do {
                try session.run("STATUS \(IMAPSession.quote(entry.wire)) (MESSAGES)") { r in
                    if let n = Self.statusMessages(r.textString) { messages = n }
                }
            } catch IMAPError.commandFailed(_, let response)
                        where IMAPThrottle.classify(response) == nil && !ServerLines.notConnected(response) {
                lines.append(.problem("mailbox '\(entry.shown)' is not on \(base) (the server said: "
                    + "\(response)); its mailboxes: \(Self.listing(server.listed)); fix `mailboxes`"))
                continue
            } catch {
                do { try wrap(entry.shown, "STATUS") { throw error } } catch { lines.append(.problem("\(error)")) }
                continue
            }
            var read = entry
            if read.specialUse.isEmpty { read.specialUse = server.specialUse(of: entry.wire) }
            lines.append(.ok("reads \(Self.describe(read)): "
                + (messages.map { "\($0) message\($0 == 1 ? "" : "s")" } ?? "no message count given")))
        }
        if mailboxes == nil && !plan.entries.contains(where: { $0.isSent || $0.isAll }) {
            lines.append(.warning("no mailbox is flagged \\Sent, so only INBOX is read; if the team's sent mail is in a "
                + "folder the server does not flag, name it: mailboxes: [INBOX, \"its name\"]"))
        }
        return lines
    }

    /// `Отправленные (\Sent; the team's outbound mail; chosen automatically)`, `INBOX`.
    static func describe(_ e: MailboxPlan.Entry) -> String {
        var notes: [String] = []
        if !e.specialUse.isEmpty { notes.append(e.specialUse.joined(separator: " ")) }
        if e.isAll { notes.append("every message once, the \\Sent label marks the team's mail, drafts skipped") }
        else if e.isSent { notes.append("the team's outbound mail" + (e.specialUse.contains("\\Sent") ? "" : ", known by its name")) }
        if e.chosenBy.hasPrefix("automatic") { notes.append("chosen automatically") }
        else if e.chosenBy.hasPrefix("\\") { notes.append("configured as \(e.chosenBy)") }
        return e.shown + (notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))")
    }

    /// The selectable mailboxes of a LIST answer with their special-use attributes: `INBOX, Sent \Sent`.
    static func listing(_ listed: [ListedMailbox]) -> String {
        let names = listed.filter(\.selectable).map { m in ([m.name] + m.specialUse).joined(separator: " ") }
        return names.isEmpty ? "none listed" : names.joined(separator: ", ")
    }

    /// The MESSAGES count of `* STATUS name (MESSAGES 12)`; nil for another response.
    static func statusMessages(_ s: String) -> Int? {
        guard s.uppercased().hasPrefix("* STATUS "),
              let r = s.range(of: "MESSAGES ", options: [.caseInsensitive, .backwards]) else { return nil }
        return Int(s[r.upperBound...].prefix { $0.isNumber })
    }
}
