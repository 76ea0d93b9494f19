import Foundation
import SwitchboardCore

/// A chat service's markup: how its messages escape text, mark a title and show fixed-width text.
struct ChatMarkup: Sendable {
    /// The service's name, for the note on a cut message (`Telegram`).
    var service: String
    /// Its message limit in characters (UTF-16 code units, as the services count them).
    var limit: Int
    var escape: @Sendable (String) -> String
    var bold: @Sendable (String) -> String
    /// Wraps escaped text in a code block.
    var code: @Sendable (String) -> String
    /// Wraps the note on a cut message.
    var note: @Sendable (String) -> String
}

/// A ``NotificationMessage`` as one chat message: the subject as a bold title line, then the text — in a code
/// block when it is ``NotificationTextStyle/preformatted`` (a report's table). When that is longer than the
/// service takes, whole lines are dropped from the end of the text and a last line says so
/// (`cut to fit Telegram's 4096 characters: 40 of 95 lines shown`). Markup counts against the limit, so a
/// message is never cut by the service itself.
enum ChatText {
    static func compose(_ message: NotificationMessage, _ m: ChatMarkup) -> String {
        let head = m.bold(m.escape(message.subject.trimmingCharacters(in: .whitespacesAndNewlines)))
        var lines = message.text.split(separator: "\n", omittingEmptySubsequences: false)
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        func body(_ count: Int) -> String {
            let text = m.escape(lines.prefix(count).joined(separator: "\n"))
            if message.textStyle == .preformatted { return m.code(text) }
            return text
        }
        func joined(_ count: Int, note: String?) -> String {
            let b = count == 0 && message.textStyle == .plain ? "" : body(count)
            return [head, b, note].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n")
        }
        let full = joined(lines.count, note: nil)
        if full.utf16.count <= m.limit { return full }
        // The most lines that fit with the note (the note's own length hardly depends on the count).
        var low = 0, high = lines.count - 1
        func note(_ kept: Int) -> String {
            m.note(m.escape("cut to fit \(m.service)'s \(m.limit) characters: \(kept) of \(lines.count) lines shown"))
        }
        while low < high {
            let mid = (low + high + 1) / 2
            if joined(mid, note: note(mid)).utf16.count <= m.limit { low = mid } else { high = mid - 1 }
        }
        let cut = joined(low, note: note(low))
        if cut.utf16.count <= m.limit { return cut }
        // A title longer than the limit: its first characters (markup may be lost, the service still takes it).
        return String(cut.utf16.prefix(m.limit)) ?? String(cut.prefix(m.limit / 2))
    }
}
