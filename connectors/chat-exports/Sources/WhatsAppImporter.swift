import Foundation
import SwitchboardCore

/// `kind: whatsapp-export` — the `.txt` (or `.zip` with the `.txt` and media)
/// that WhatsApp's "Export chat" writes, Android and iOS, every locale's date form.
///
/// Two passes over each chat: the first infers day-first vs month-first over
/// the whole file and counts the participants, the second streams messages
/// to the sink. Memory stays flat whatever the size.
///
/// Topics: a group chat's name, as the export's file name gives it (``groupName(_:authors:roles:)``);
/// one-to-one chats, and files not named by WhatsApp, give none.
public struct WhatsAppImporter: FileImporter {
    public typealias Settings = ChatExportSettings

    public static let kind = "whatsapp-export"
    public static let summary = "WhatsApp \"Export chat\" .txt or .zip (Android and iOS, every date format)"
    public static let settings: [SettingSpec] = SettingSpec.chatCommon + SettingSpec.zipLimits + [.timezone, .dateOrder]

    let options: ChatOptions
    /// nil: infer per file.
    let dayFirst: Bool?

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        options = try ChatOptions(source: name, settings: settings, context: context, platform: "whatsapp")
        switch settings.dateOrder?.lowercased() {
        case nil, "auto": dayFirst = nil
        case "dmy", "d/m/y", "day-first": dayFirst = true
        case "mdy", "m/d/y", "month-first": dayFirst = false
        case let other?:
            throw ConnectorError(.settings, "date_order '\(other)' is not one of dmy, mdy, auto")
        }
    }

    public func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {
        for url in urls {
            let sink = ExportReplay.tagging(sink, kind: Self.kind, export: url)
            for file in try PathExpansion.files(url, extensions: [".txt", ".zip"]) {
                if file.pathExtension.lowercased() == "zip" {
                    try await importZip(file, into: sink)
                } else {
                    let named = Self.chatName(fileName: file.lastPathComponent)
                    try await importText(file, label: file.lastPathComponent, chatName: named, named: named != nil,
                                         into: sink)
                }
            }
        }
    }

    private func importZip(_ url: URL, into sink: any IngestSink) async throws {
        let zip: ZipExport
        do { zip = try ZipExport(url: url, limits: options.zipLimits) } catch let e as ConnectorError {
            try await sink.reject(reason: e.message, provenance: "file:\(url.lastPathComponent)", raw: Data())
            return
        }
        for r in zip.refused {
            try await sink.reject(reason: "\(url.lastPathComponent): entry \(r.path) refused: \(r.reason)",
                                  provenance: "file:\(url.lastPathComponent)!\(r.path)", raw: Data(r.path.utf8))
        }
        let texts = zip.entries.filter { $0.lowercased().hasSuffix(".txt") && !$0.hasPrefix("__MACOSX") }
        if texts.isEmpty {
            try await sink.reject(reason: "\(url.lastPathComponent): no chat .txt inside the archive",
                                  provenance: "file:\(url.lastPathComponent)", raw: Data())
        }
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        for entry in texts {
            let file = scratch.url.appendingPathComponent("chat.txt")
            do { try zip.extract(entry, to: file) } catch let e as ConnectorError {
                try await sink.reject(reason: e.message, provenance: "file:\(url.lastPathComponent)!\(entry)", raw: Data())
                continue
            }
            let entryName = (entry as NSString).lastPathComponent
            let named = Self.chatName(fileName: entryName) ?? Self.chatName(fileName: url.lastPathComponent)
            try await importText(file, label: "\(url.lastPathComponent)!\(entry)",
                                 chatName: named ?? url.deletingPathExtension().lastPathComponent, named: named != nil,
                                 into: sink)
        }
    }

    /// "WhatsApp Chat with Anna.txt", "WhatsApp Chat - Anna.zip", "Чат WhatsApp с Anna.txt" → "Anna".
    static func chatName(fileName: String) -> String? {
        var base = (fileName as NSString).deletingPathExtension
        if base.hasSuffix(")"), let open = base.lastIndex(of: "("), base[open...].dropFirst().dropLast().allSatisfy(\.isNumber) {
            base = String(base[..<open]).trimmingCharacters(in: .whitespaces)  // "… (1)" of a second download
        }
        for prefix in ["WhatsApp Chat with ", "WhatsApp Chat - ", "WhatsApp-Chat mit ", "Чат WhatsApp с ", "Chat de WhatsApp con "]
        where base.hasPrefix(prefix) {
            let name = String(base.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
            return name.isEmpty ? nil : name
        }
        return nil
    }

    /// The topic of a chat named `chatName` by its export: the name when the chat is a group — at least two
    /// authors besides the support side (agents, `You`) and besides the named partner — else nil: in a
    /// one-to-one chat the name is the other person, not a topic.
    static func groupName(_ chatName: String, authors: Set<String>, roles: RoleResolver) -> String? {
        let partner = RoleResolver.fold(chatName)
        var others = 0
        for author in authors where roles.agentId(id: nil, name: author) == nil && RoleResolver.fold(author) != partner {
            others += 1
            if others >= 2 { return chatName }
        }
        return nil
    }

    // MARK: the two passes

    /// - Parameters:
    ///   - chatName: the chat's name: from the export's file name, else the zip's base name.
    ///   - named: whether `chatName` comes from WhatsApp's own file naming (`WhatsApp Chat with X`), so a
    ///     group's name that can be its topic.
    private func importText(_ url: URL, label: String, chatName: String?, named: Bool,
                            into sink: any IngestSink) async throws {
        let reader = LineReader(url: url)
        let scan = try await Self.firstPass(url)
        var names = AuthorNameCache()
        if scan.headers == 0 {
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            let what = size == 0 ? "the file is empty" : "no line starts with a WhatsApp date and time"
            try await sink.reject(reason: "\(label): not a WhatsApp chat export: \(what)", provenance: "file:\(label)",
                                  raw: Data())
            return
        }
        let dayFirst = self.dayFirst ?? scan.dayFirst
        let chatId = "whatsapp:" + (chatName ?? ((label as NSString).lastPathComponent as NSString).deletingPathExtension)
        let groupName = named ? chatName.flatMap { Self.groupName($0, authors: scan.authors, roles: options.roles) } : nil
        var assembler = ChatAssembler(options: options, platform: "whatsapp", chatId: chatId, chatPartner: chatName,
                                      participants: scan.authors.count, topics: groupName.map { [$0] } ?? [])
        var times = LastTime(converter: LocalTimeConverter(timeZone: options.timeZone))
        var state = PendingMessage()
        let provenancePrefix = "file:\(label)#L"
        var offset: UInt64 = 0
        var nextLine = 1
        // Blocks of the sink's own size: it takes each one over without copying its records.
        let blockSize = max(1, sink.preferredBlockSize)
        while true {
            var out: [Interaction] = []
            out.reserveCapacity(blockSize)
            var rejected: [(String, String, Data)] = []
            var bytes = 0
            var full = false
            offset = try reader.forEachLine(from: offset, startLine: nextLine) { line in
                nextLine = line.number + 1
                bytes += Int(line.endOffset - line.offset)
                let b = line.bytes
                guard let h = WhatsAppHeader.parse(b) else {
                    if state.active {
                        state.text.append(0x0A)
                        WhatsAppHeader.appendStrippingMarks(b, to: &state.text)
                    } else if !b.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                        rejected.append(("\(label):\(line.number): line does not start with a WhatsApp date and time, "
                            + "and no message precedes it to continue", "file:\(label)#L\(line.number)", Data(b)))
                    }
                    return true
                }
                if state.active { out.append(assembler.interaction(for: state.message())) }
                state.active = false
                let d = h.date(dayFirst: dayFirst)
                guard let time = times.date(d, hour: h.hour24, minute: h.minute, second: h.secondOfMinute) else {
                    rejected.append(("\(label):\(line.number): \(d.year)-\(d.month)-\(d.day) \(h.hour24):\(h.minute) is not a "
                        + "valid date and time read \(dayFirst ? "day" : "month") first; set date_order if the file "
                        + "uses the other order", "file:\(label)#L\(line.number)", Data(b)))
                    return true
                }
                let body = UnsafeBufferPointer(rebasing: b[h.bodyStart...])
                let split = WhatsAppBody.split(body)
                state.start(time: time, provenance: provenancePrefix + String(line.number), system: split.isSystem,
                            author: split.authorEnd.map { names.name(UnsafeBufferPointer(rebasing: body[0..<$0])) },
                            text: UnsafeBufferPointer(rebasing: body[split.textStart...]))
                full = out.count + rejected.count >= blockSize
                return !full
            }
            if !full, state.active {
                out.append(assembler.interaction(for: state.message()))
                state.active = false
            }
            try await sink.accept(contentsOf: out)
            for r in rejected { try await sink.reject(reason: r.0, provenance: r.1, raw: r.2) }
            await sink.progress(bytes: bytes)
            if !full { return }
        }
    }
}

extension WhatsAppImporter {
    /// Files from this size on are scanned in two halves at once (nothing is written during the first pass).
    static let parallelScanBytes: UInt64 = 4 << 20

    /// The first pass: date order and participants of the whole file.
    static func firstPass(_ url: URL) async throws -> WhatsAppScan {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.uint64Value ?? 0
        guard size >= parallelScanBytes, let middle = (try? lineStart(atOrAfter: size / 2, in: url)) ?? nil else {
            return try scan(url, from: 0, to: nil)
        }
        async let head = scan(url, from: 0, to: middle)
        async let tail = scan(url, from: middle, to: nil)
        return try await head.merged(with: tail)
    }

    /// Scans the lines starting in [start, end) (to the end of the file when `end` is nil).
    static func scan(_ url: URL, from start: UInt64, to end: UInt64?) throws -> WhatsAppScan {
        var scan = WhatsAppScan()
        var names = AuthorNameCache()
        var counted = RawAuthorSet()
        try LineReader(url: url).forEachLine(from: start) { line in
            if let end, line.offset >= end { return false }
            guard let h = WhatsAppHeader.parse(line.bytes) else { return true }
            scan.add(h)
            let body = UnsafeBufferPointer(rebasing: line.bytes[h.bodyStart...])
            // Only an author not counted yet needs the full split (notice detection scans the text):
            // a line without a colon has no author, and a counted author adds nothing.
            guard let base = body.baseAddress, let hit = memchr(base, 0x3A, body.count) else { return true }
            let candidate = UnsafeBufferPointer(rebasing: body[0..<base.distance(to: hit.assumingMemoryBound(to: UInt8.self))])
            if counted.contains(candidate) { return true }
            let split = WhatsAppBody.split(body)
            if !split.isSystem, let end = split.authorEnd {
                scan.addAuthor(names.name(UnsafeBufferPointer(rebasing: body[0..<end])))
                counted.insert(candidate)
            }
            return true
        }
        return scan
    }

    /// The offset just after the first line feed at or after `offset - 1`: where the first line starting at or after
    /// `offset` begins (the file's size when it ends with that line feed); nil when no line feed follows.
    static func lineStart(atOrAfter offset: UInt64, in url: URL) throws -> UInt64? {
        guard offset > 0 else { return 0 }
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var position = offset - 1     // the line feed may be the byte just before `offset`
        try handle.seek(toOffset: position)
        while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            if let nl = chunk.firstIndex(of: 0x0A) { return position + UInt64(chunk.distance(from: chunk.startIndex, to: nl)) + 1 }
            position += UInt64(chunk.count)
        }
        return nil
    }
}

/// The local wall-clock time of the previous header and its instant: messages
/// of one minute share their header's time, so most lines convert nothing.
struct LastTime {
    let converter: LocalTimeConverter
    private var key: (Int, Int, Int, Int, Int, Int) = (-1, -1, -1, -1, -1, -1)
    private var value: Date?

    init(converter: LocalTimeConverter) { self.converter = converter }

    /// ``LocalTimeConverter/date(year:month:day:hour:minute:second:millisecond:)`` of the components.
    mutating func date(_ d: (year: Int, month: Int, day: Int), hour: Int, minute: Int, second: Int) -> Date? {
        let k = (d.year, d.month, d.day, hour, minute, second)
        if k == key { return value }
        key = k
        value = converter.date(year: d.year, month: d.month, day: d.day, hour: hour, minute: minute, second: second)
        return value
    }
}

/// The message being read: its header line and the continuation lines after it.
struct PendingMessage {
    var active = false
    var time = Date(timeIntervalSince1970: 0)
    var provenance = ""
    var system = false
    var author: String?
    var text: [UInt8] = []

    mutating func start(time: Date, provenance: String, system: Bool, author: String?, text: UnsafeBufferPointer<UInt8>) {
        active = true
        self.time = time
        self.provenance = provenance
        self.system = system
        self.author = author
        self.text.removeAll(keepingCapacity: true)
        WhatsAppHeader.appendStrippingMarks(text, to: &self.text)
    }

    func message() -> ChatMessage {
        var end = text.count
        while end > 0, text[end - 1] == 0x0A || text[end - 1] == 0x20 || text[end - 1] == 0x0D { end -= 1 }
        let attachments = text.withUnsafeBufferPointer { WhatsAppText.attachments(in: UnsafeBufferPointer(rebasing: $0[0..<end])) }
        return ChatMessage(time: time, authorId: nil, authorName: author,
                           text: String(decoding: text[0..<end], as: UTF8.self), isSystem: system,
                           attachments: attachments, provenance: provenance)
    }
}
