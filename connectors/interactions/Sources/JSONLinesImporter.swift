import Foundation
import SwitchboardCore

/// `kind: jsonl` — JSON Lines where each line is one interaction in the DESIGN §3
/// field names. The way in for systems without a connector of their own.
///
/// A line longer than `max_record_bytes` (``RecordSizeLimit``) is a dead letter naming its number
/// and length; the reader skips it without holding it, and the lines after it are imported.
public struct JSONLinesImporter: FileImporter {
    public struct Settings: Decodable, Sendable {
        public var path: String?
        public var maxRecordBytes: String?
        public var values: [String: [String: String]]?

        enum CodingKeys: String, CodingKey {
            case path, values
            case maxRecordBytes = "max_record_bytes"
        }
    }

    public static let kind = "jsonl"
    public static let summary = "JSON Lines, one interaction per line in the schema's field names"
    public static let settings: [SettingSpec] = [
        .path, .maxRecordBytes,
        SettingSpec("values", "{field: {value: schema value}}",
                    "the system's own words for enumerated fields, e.g. {channel: {telephone: phone}}; fields: "
                        + ValueMap.fields.keys.sorted().joined(separator: ", ")),
    ]

    public let name: String
    let limit: RecordSizeLimit
    let values: ValueMap

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        limit = try RecordSizeLimit(setting: settings.maxRecordBytes)
        values = try ValueMap(setting: settings.values)
    }

    public func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {
        for url in urls {
            for file in try PathExpansion.files(url, extensions: [".jsonl", ".ndjson", ".json"]) {
                try await importFile(file, into: sink)
            }
        }
    }

    /// Parses blocks of lines synchronously, then hands each block to the sink:
    /// the reader's buffer cannot cross an `await`. A block ends after 2,048 lines or 32 MiB.
    private func importFile(_ url: URL, into sink: any IngestSink) async throws {
        let name = url.lastPathComponent
        let reader = LineReader(url: url, maxLineBytes: limit.bytes)
        let blockSize = 2048, blockBytes = 32 << 20
        var offset: UInt64 = 0
        var nextLine = 1
        while true {
            var parsed: [Interaction] = []
            var rejected: [(reason: String, provenance: String, raw: Data, cut: Bool)] = []
            var bytes = 0
            var full = false
            offset = try reader.forEachLine(from: offset, startLine: nextLine) { l in
                nextLine = l.number + 1
                bytes += Int(l.endOffset - l.offset)
                let provenance = "file:\(name)#L\(l.number)"
                if l.isCut {
                    rejected.append(("\(name):\(l.number): line \(l.number) is \(self.limit.refusal(length: l.length)); "
                        + "raise max_record_bytes to import it", provenance, Data(l.bytes.prefix(Self.rawHead)), true))
                } else if !Self.isBlank(l.bytes) {
                    do {
                        let value = try JSONParser.parse(l.bytes)
                        parsed.append(try InteractionJSON.interaction(from: value, defaultSource: self.name,
                                                                      provenance: provenance, values: self.values))
                    } catch {
                        rejected.append(("\(name):\(l.number): \(error)", provenance, Data(l.bytes), false))
                    }
                }
                full = parsed.count + rejected.count >= blockSize || bytes >= blockBytes
                return !full
            }
            try await sink.accept(contentsOf: parsed)
            for r in rejected {
                try await sink.reject(reason: r.reason, provenance: r.provenance, raw: r.raw, replay: Self.context(cut: r.cut))
            }
            await sink.progress(bytes: bytes)
            if !full { return }
        }
    }

    /// How much of an over-long line its dead letter keeps.
    static let rawHead = 4096

    static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}
