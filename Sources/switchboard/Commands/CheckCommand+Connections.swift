import Foundation
import SwitchboardCore

extension CheckCommand {
    /// Tries the connection of every enabled connector that can (``ConnectivityCheck``: an `imap`
    /// source logs in and lists the mailboxes it reads), printing one line per finding:
    /// `support-mailbox: ok: reads INBOX (chosen automatically): 42 messages` on standard output,
    /// problems as `error: support-mailbox: …` on standard error.
    /// - Returns: true when any finding is a problem (the command then exits 1).
    func checkConnections(_ rt: Runtime) async throws -> Bool {
        var broken = false
        for entry in rt.config.connectors where entry.enabled {
            guard let source = try rt.make(entry) as? any ConnectivityCheck else { continue }
            for line in await source.checkConnectivity() {
                switch line.status {
                case .problem:
                    broken = true
                    Terminal.error(Terminal.named(entry.name, line.text))
                case .ok, .warning:
                    // The status word goes after the name, so a name the text repeats is dropped first.
                    let text = Terminal.named(entry.name, line.text).dropFirst(entry.name.count + 2)
                    if !global.quiet { print("\(entry.name): \(line.status.rawValue): \(text)") }
                }
            }
        }
        return broken
    }
}
