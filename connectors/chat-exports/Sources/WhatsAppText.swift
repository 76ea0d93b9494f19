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

    private static let prefixBytes = systemPrefixes.map { Array($0.utf8) }
    private static let fragmentBytes = systemFragments.map { Array($0.utf8) }
    private static let looseBytes = looseFragments.map { Array($0.utf8) }
    private static let mediaBytes = mediaMarkers.map { Array($0.utf8) }
    private static let fileBytes = fileMarkers.map { Array($0.utf8) }

    /// Whether a body is a system notice; `loose` also accepts membership events.
    static func isSystem(_ text: UnsafeBufferPointer<UInt8>, loose: Bool) -> Bool {
        if prefixBytes.contains(where: { hasPrefix(text, $0) }) { return true }
        if fragmentBytes.contains(where: { find(text, $0, from: 0) != nil }) { return true }
        if loose, looseBytes.contains(where: { find(text, $0, from: 0) != nil }) { return true }
        return false
    }

    /// String form of ``isSystem(_:loose:)``.
    static func isSystem(_ text: String, loose: Bool) -> Bool {
        var t = text
        return t.withUTF8 { isSystem($0, loose: loose) }
    }

    static func hasPrefix(_ text: UnsafeBufferPointer<UInt8>, _ p: [UInt8]) -> Bool {
        guard text.count >= p.count, let base = text.baseAddress else { return false }
        return p.withUnsafeBufferPointer { memcmp(base, $0.baseAddress!, p.count) == 0 }
    }

    /// Index of the first occurrence of `needle` at or after `from`.
    static func find(_ text: UnsafeBufferPointer<UInt8>, _ needle: [UInt8], from: Int) -> Int? {
        guard from < text.count, text.count - from >= needle.count, let base = text.baseAddress else { return nil }
        return needle.withUnsafeBufferPointer { n -> Int? in
            guard let first = n.first else { return from }
            var at = from
            let lastStart = text.count - n.count
            while at <= lastStart {
                guard let hit = memchr(base + at, Int32(first), lastStart - at + 1) else { return nil }
                let i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + i, n.baseAddress!, n.count) == 0 { return i }
                at = i + 1
            }
            return nil
        }
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
        var n = 0
        for m in fileBytes {
            var at = 0
            while let hit = find(text, m, from: at) { n += 1; at = hit + m.count }
        }
        if n == 0, mediaBytes.contains(where: { find(text, $0, from: 0) != nil }) { n = 1 }
        return n
    }
}
