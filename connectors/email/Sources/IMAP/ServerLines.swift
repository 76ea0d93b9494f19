import CCurl
import Foundation

/// The last lines an IMAP server sent while libcurl connected and logged in (its greeting, the
/// answer to LOGIN / AUTHENTICATE), so that a failed login can say what the server said: a
/// connection limit is no wrong password. Only what the server sent is kept (never what was sent
/// to it), at most a few lines of at most 300 bytes each.
final class ServerLines {
    private(set) var lines: [String] = []
    private var partial: [UInt8] = []
    static let keep = 6

    func append(_ bytes: UnsafeRawBufferPointer) {
        for b in bytes {
            if b == 0x0A {
                if partial.last == 0x0D { partial.removeLast() }
                lines.append(String(decoding: partial.prefix(300), as: UTF8.self))
                if lines.count > Self.keep { lines.removeFirst() }
                partial.removeAll(keepingCapacity: true)
            } else if partial.count < 4096 {
                partial.append(b)
            }
        }
    }

    /// libcurl's debug callback: keeps `CURLINFO_HEADER_IN` (server response lines) only.
    static let callback: sb_curl_debug_callback = { _, type, data, size, context in
        guard type == CURLINFO_HEADER_IN, let data, let context else { return 0 }
        Unmanaged<ServerLines>.fromOpaque(context).takeUnretainedValue()
            .append(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }

    /// The server's refusal among `lines`: the last tagged `NO` / `BAD` or untagged `BYE` (nil when none).
    static func refusal(in lines: [String]) -> String? {
        lines.last { line in
            let words = line.split(separator: " ", maxSplits: 2)
            guard words.count >= 2 else { return false }
            let status = words[1].uppercased()
            return words[0] == "*" ? status == "BYE" : (status == "NO" || status == "BAD")
        }
    }

    /// The server says IMAP is switched off for the account (Gmail, Microsoft 365 wordings).
    static func saysIMAPDisabled(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.contains("not enabled for imap") || lower.contains("imap access is disabled") || lower.contains("imap is disabled")
    }

    /// Microsoft 365's `User is authenticated but not connected`: the login was accepted, but the
    /// mailbox named by the username cannot be opened with it (IMAP off for the mailbox, a shared
    /// mailbox the signed-in account has no Full Access to, an unlicensed account). Not throttling.
    static func notConnected(_ text: String) -> Bool {
        text.lowercased().contains("user is authenticated but not connected")
    }

    /// What to do about ``notConnected(_:)``.
    static let notConnectedAdvice = "the login was accepted but the mailbox cannot be opened: check that IMAP is on for it "
        + "(Exchange admin center → Mailboxes → the mailbox → Manage email apps), that username is the mailbox's address, "
        + "and — a shared mailbox — that the signed-in account has Full Access to it"

    /// What to tell the user about a refusal beyond its text, where the text says more than a bad password.
    static func hint(for refusal: String) -> String? {
        let lower = refusal.lowercased()
        if saysIMAPDisabled(lower) {
            return "IMAP is turned off for this account: enable it (Gmail: Settings → Forwarding and POP/IMAP, or the "
                + "Workspace admin console; Microsoft 365: the mailbox's IMAP setting in the Exchange admin center)"
        }
        if lower.contains("web login required") || lower.contains("application-specific password") {
            return "the provider wants OAuth2 or an app password for this account (see connectors/email/README.md)"
        }
        return nil
    }
}
