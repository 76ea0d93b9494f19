import Foundation

extension String {
    /// The text without the leading and trailing scalars in `set` — what `trimmingCharacters(in:)` returns —
    /// asking the set only about the scalars at the ends instead of bridging the whole text to `NSString`.
    /// Every message's addresses, header parameters and text go through here, so the difference counts.
    func trimmed(_ set: CharacterSet) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !set.contains($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !set.contains($0) })!
        return String(scalars[first...last])
    }
}
