import Foundation

/// What WhatsApp writes in message bodies: system notices and media
/// placeholders, in English and Russian.
enum WhatsAppText {
    /// Notices recognised at the start of a body, whoever it is attributed to.
    static let systemPrefixes: [String] = [
        "Messages and calls are end-to-end encrypted",
        "Messages to this group are now secured with end-to-end encryption",
        "Messages to this chat and calls are now secured with end-to-end encryption",
        "Messages you send to this group are now secured",
        "This chat is with a business account",
        "This business uses a secure service",
        "This business is now using a secure service",
        "Your security code with",
        "You created group", "You created this group", "You were added", "You joined using",
        "You left", "You changed the subject", "You changed this group's icon", "You changed the group description",
        "You deleted this group's icon", "You added", "You removed", "You're now an admin", "You changed this group's settings",
        "Disappearing messages",
        "Сообщения и звонки защищены сквозным шифрованием",
        "Сообщения в этой группе теперь защищены сквозным шифрованием",
        "Этот чат с бизнес-аккаунтом", "Этот бизнес-аккаунт использует",
        "Ваш код безопасности", "Вы создали группу", "Вас добавили", "Вы были добавлены", "Вы вышли",
        "Вы покинули", "Вы изменили тему", "Вы изменили значок", "Вы изменили описание группы", "Вы добавили",
        "Вы удалили", "Вы присоединились", "Вы теперь администратор", "Исчезающие сообщения",
    ]

    /// Notices recognised anywhere in a body (`+1 555 created group "X"`).
    static let systemFragments: [String] = [
        " created group \"", " created group “", " created this group", " changed the subject from ",
        " changed the subject to ", " changed this group's icon", " changed the group description",
        " deleted this group's icon", " changed their phone number", " changed to +",
        " joined using this group's invite link", " security code changed", "'s security code changed",
        " changed the group settings", " changed this group's settings",
        " создал(а) группу", " создал группу", " создала группу", " изменил(а) тему", " изменил тему",
        " изменила тему", " изменил(а) значок", " изменил(а) описание группы", " изменил(а) номер",
        " присоединился(-ась) по ссылке", " присоединился по ссылке", " присоединилась по ссылке",
        " сменил(а) номер", "Код безопасности ",
    ]

    /// Group membership events, trusted only where no author precedes them
    /// (Android) or the body starts with a direction mark (iOS): `A added B`, `A left`.
    static let looseFragments: [String] = [
        " added ", " removed ", " left", " joined", " was added", " was removed",
        " добавил(а) ", " добавил ", " добавила ", " удалил(а) ", " удалил ", " удалила ", " вышел(а)", " вышел",
        " вышла", " покинул(а) группу",
    ]

    private static let prefixes = BytePatterns(systemPrefixes)
    private static let fragments = BytePatterns(systemFragments)
    private static let loose = BytePatterns(looseFragments)
    private static let media = BytePatterns(mediaMarkers)
    private static let files = BytePatterns(fileMarkers)

    /// Whether a body is a system notice; `loose` also accepts membership events.
    static func isSystem(_ text: UnsafeBufferPointer<UInt8>, loose acceptLoose: Bool) -> Bool {
        if prefixes.matchesPrefix(text) { return true }
        if fragments.occurrences(in: text, stopAtFirst: true) > 0 { return true }
        if acceptLoose, loose.occurrences(in: text, stopAtFirst: true) > 0 { return true }
        return false
    }

    /// String form of ``isSystem(_:loose:)``.
    static func isSystem(_ text: String, loose: Bool) -> Bool {
        var t = text
        return t.withUTF8 { isSystem($0, loose: loose) }
    }

    /// Placeholders WhatsApp writes instead of a media file (one attachment each).
    static let mediaMarkers: [String] = [
        "<Media omitted>", "<Медиа отсутствуют>", "<Без медиафайлов>", "<Медиафайл пропущен>",
        "image omitted", "video omitted", "audio omitted", "sticker omitted", "GIF omitted", "document omitted",
        "Contact card omitted", "изображение отсутствует", "видео отсутствует", "аудиофайл отсутствует",
        "стикер отсутствует", "GIF отсутствует", "документ отсутствует",
    ]

    /// Markers that name the attached file; each occurrence is one attachment.
    static let fileMarkers: [String] = ["<attached: ", "<прикреплено: ", "(file attached)", "(файл добавлен)", "(файл прикреплён)"]

    /// Number of attachments a body announces.
    static func attachments(in text: UnsafeBufferPointer<UInt8>) -> Int {
        let n = files.occurrences(in: text, stopAtFirst: false)
        if n == 0, media.occurrences(in: text, stopAtFirst: true) > 0 { return 1 }
        return n
    }
}

/// A set of byte patterns searched in one pass: candidate positions are found
/// through a bitmap of the patterns' first two bytes (8 KiB, so it stays in the
/// fastest cache), then a table of the patterns starting with that pair; a body
/// is scanned once whatever the number of patterns (the importer checks every message).
struct BytePatterns: Sendable {
    private let patterns: [[UInt8]]
    /// Bigram (b0 << 8 | b1) → first pattern starting with it (-1: none); `next` chains the others.
    private let head: [Int16]
    private let next: [Int16]
    /// Bit (b0 << 8 | b1) set when some pattern starts with that pair.
    private let bigrams: [UInt64]

    init(_ strings: [String]) {
        patterns = strings.map { Array($0.utf8) }.filter { $0.count >= 2 }
        var head = [Int16](repeating: -1, count: 65536)
        var next = [Int16](repeating: -1, count: patterns.count)
        var bits = [UInt64](repeating: 0, count: 1024)
        for (i, p) in patterns.enumerated().reversed() {
            let key = Int(p[0]) << 8 | Int(p[1])
            next[i] = head[key]
            head[key] = Int16(i)
            bits[key >> 6] |= 1 << UInt64(key & 63)
        }
        self.head = head
        self.next = next
        bigrams = bits
    }

    /// Length of the pattern starting at i (whose bigram is in the bitmap), nil when none matches.
    @inline(__always)
    private func matches(_ text: UnsafeBufferPointer<UInt8>, at i: Int, key: Int) -> Int? {
        var c = Int(head[key])
        guard let base = text.baseAddress else { return nil }
        while c >= 0 {
            let matched = patterns[c].withUnsafeBufferPointer { p in
                i + p.count <= text.count && memcmp(base + i, p.baseAddress!, p.count) == 0 ? p.count : 0
            }
            if matched > 0 { return matched }
            c = Int(next[c])
        }
        return nil
    }

    /// Whether the text starts with one of the patterns.
    func matchesPrefix(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count >= 2 else { return false }
        let key = Int(text[0]) << 8 | Int(text[1])
        return bigrams[key >> 6] & (1 << UInt64(key & 63)) != 0 && matches(text, at: 0, key: key) != nil
    }

    /// Non-overlapping occurrences of any pattern (at most 1 with `stopAtFirst`).
    func occurrences(in text: UnsafeBufferPointer<UInt8>, stopAtFirst: Bool) -> Int {
        guard text.count >= 2 else { return 0 }
        return bigrams.withUnsafeBufferPointer { bits in
            var n = 0
            var i = 0
            let last = text.count - 1
            while i < last {
                let key = Int(text[i]) << 8 | Int(text[i + 1])
                if bits[key >> 6] & (1 << UInt64(key & 63)) != 0, let length = matches(text, at: i, key: key) {
                    n += 1
                    if stopAtFirst { return n }
                    i += length
                } else {
                    i += 1
                }
            }
            return n
        }
    }
}
