import Foundation
import SwitchboardCore

/// `kind: survey-csv` — survey answers (CSAT, NPS, CES) from a CSV export with a
/// header row; `columns` maps the fields to header names. Each row becomes one
/// `kind: survey` interaction; bad rows go to dead letters with file:line.
public struct SurveyCSVImporter: FileImporter {
    public struct Columns: Decodable, Sendable {
        public var time: String?
        public var metric: String?
        public var score: String?
        public var scale: String?
        public var customer: String?
        public var conversation: String?
        public var agent: String?
        public var id: String?
        public var topics: String?
    }

    public struct Settings: Decodable, Sendable {
        public var path: String?
        public var timezone: String?
        public var columns: Columns?
        public var metric: String?
        public var scale: String?
        public var channel: String?
        public var delimiter: String?
    }

    public static let kind = "survey-csv"
    public static let summary = "Survey answers (CSAT, NPS, CES) from a CSV export with a header row"
    public static let settings: [SettingSpec] = [
        .path, .timezone,
        SettingSpec("columns", "{field: header}", "header names of time, metric, score, scale, customer, conversation, agent, id, topics (default: the field names); a topics cell holds labels separated by ; or ,"),
        SettingSpec("metric", "string", "csat, nps or ces for files without a metric column"),
        SettingSpec("scale", "string", "scale when a row has none, as `1-5` or `0-10` (default: csat 1-5, nps 0-10, ces 1-7)"),
        SettingSpec("channel", "string", "channel recorded on the answers (default web)"),
        SettingSpec("delimiter", "string", "field separator, one character (default ,)"),
    ]

    public let name: String
    let timeZone: TimeZone
    let fields: [String: String]
    let defaultMetric: SurveyMetric?
    let defaultScale: (Double, Double)?
    let channel: Channel
    let delimiter: UInt8
    let agents: AgentDirectory
    let defaultCountry: String?

    public init(name: String, settings: Settings, context: ConnectorContext) throws {
        self.name = name
        timeZone = try context.timeZone(setting: settings.timezone)
        let c = settings.columns
        fields = ["time": c?.time ?? "time", "metric": c?.metric ?? "metric", "score": c?.score ?? "score",
                  "scale": c?.scale ?? "scale", "customer": c?.customer ?? "customer",
                  "conversation": c?.conversation ?? "conversation", "agent": c?.agent ?? "agent", "id": c?.id ?? "id",
                  "topics": c?.topics ?? "topics"]
        if let m = settings.metric {
            guard let metric = SurveyMetric(rawValue: m.lowercased()) else {
                throw ConnectorError(.settings, "\(name): metric '\(m)' is not one of csat, nps, ces")
            }
            defaultMetric = metric
        } else { defaultMetric = nil }
        if let s = settings.scale {
            guard let scale = Self.scale(s) else {
                throw ConnectorError(.settings, "\(name): scale '\(s)' is not of the form 1-5 or 0-10")
            }
            defaultScale = scale
        } else { defaultScale = nil }
        guard let ch = Channel(rawValue: (settings.channel ?? "web").lowercased()) else {
            throw ConnectorError(.settings, "\(name): channel '\(settings.channel ?? "")' is not one of \(Channel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        channel = ch
        let d = Array((settings.delimiter ?? ",").utf8)
        guard d.count == 1 else { throw ConnectorError(.settings, "\(name): delimiter must be one character") }
        delimiter = d[0]
        agents = context.agents
        defaultCountry = context.phone.defaultCountry
    }

    public func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {
        for url in urls {
            for file in try PathExpansion.files(url, extensions: [".csv", ".tsv", ".txt"]) {
                try await importFile(file, into: sink)
            }
        }
    }

    private func importFile(_ url: URL, into sink: any IngestSink) async throws {
        let fileName = url.lastPathComponent
        var index: [String: Int]?
        var headerProblem: String?
        var parsed: [Interaction] = []
        var rejected: [(String, String, Data)] = []
        var headerLine: String?, headerProvenance: String?
        var bytes = 0
        let converter = LocalTimeConverter(timeZone: timeZone)
        var fields = CSVFields(delimiter: delimiter)
        _ = try LineReader(url: url).forEachLine { l in
            bytes += Int(l.endOffset - l.offset)
            guard !l.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) else { return true }
            let provenance = "file:\(fileName)#L\(l.number)"
            do {
                if let problem = headerProblem { throw ConnectorError(.format, "not read: the header on line 1 \(problem)") }
                try fields.split(l.bytes)
                let cells = fields.strings(in: l.bytes)
                guard let columns = index else {
                    headerLine = String(decoding: l.bytes, as: UTF8.self)
                    headerProvenance = provenance
                    do {
                        index = try header(cells, file: fileName)
                    } catch {
                        headerProblem = "\(error)"
                        throw error
                    }
                    return true
                }
                parsed.append(try row(cells, columns: columns, raw: l.bytes, file: fileName, line: l.number,
                                      provenance: provenance, converter: converter))
            } catch {
                rejected.append(("\(fileName):\(l.number): \(error)", provenance, Data(l.bytes)))
            }
            return true
        }
        try await sink.accept(contentsOf: parsed)
        for r in rejected {
            try await sink.reject(reason: r.0, provenance: r.1, raw: r.2, replay: replayContext(header: headerLine, isHeader: r.1 == headerProvenance))
        }
        await sink.progress(bytes: bytes)
    }

    func header(_ cells: [String], file: String) throws -> [String: Int] {
        var positions: [String: Int] = [:]
        for (i, c) in cells.enumerated() { positions[c.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: " "))] = i }
        var out: [String: Int] = [:]
        for (field, headerName) in fields { if let p = positions[headerName.lowercased()] { out[field] = p } }
        var missing = ["time", "score"].filter { out[$0] == nil }
        if out["metric"] == nil && defaultMetric == nil { missing.append("metric") }
        guard missing.isEmpty else {
            throw ConnectorError(.format, "header lacks \(missing.map { "\($0) (column '\(fields[$0]!)')" }.joined(separator: ", ")); "
                + "map it under columns: or set metric: for files of one survey type")
        }
        return out
    }

    func row(_ cells: [String], columns: [String: Int], raw: UnsafeBufferPointer<UInt8>, file: String, line: Int,
                     provenance: String, converter: LocalTimeConverter) throws -> Interaction {
        func cell(_ f: String) -> String? {
            guard let i = columns[f], i < cells.count, !cells[i].isEmpty else { return nil }
            return cells[i]
        }
        guard let timeText = cell("time") else { throw ConnectorError(.format, "empty time") }
        guard let at = Self.time(timeText, converter: converter) else {
            throw ConnectorError(.format, "time '\(timeText)' is neither ISO 8601 nor YYYY-MM-DD HH:MM[:SS]")
        }
        let metricText = cell("metric")?.lowercased()
        guard let metric = metricText.flatMap(SurveyMetric.init(rawValue:)) ?? (metricText == nil ? defaultMetric : nil) else {
            throw ConnectorError(.format, "metric '\(metricText ?? "")' is not one of csat, nps, ces")
        }
        guard let scoreText = cell("score"), let score = Double(scoreText.replacingOccurrences(of: ",", with: ".")) else {
            throw ConnectorError(.format, "score '\(cell("score") ?? "")' is not a number")
        }
        let scale: (Double, Double)
        if let s = cell("scale") {
            guard let parsed = Self.scale(s) else { throw ConnectorError(.format, "scale '\(s)' is not of the form 1-5 or 0-10") }
            scale = parsed
        } else {
            scale = defaultScale ?? (metric == .csat ? (1, 5) : metric == .nps ? (0, 10) : (1, 7))
        }
        guard score >= scale.0 && score <= scale.1 else {
            throw ConnectorError(.format, "score \(scoreText) is outside the scale \(Self.number(scale.0))-\(Self.number(scale.1))")
        }
        let externalId = cell("id") ?? "\(file):\(Self.fnv(raw))"
        let agent = cell("agent").map { a in a.contains("@") ? agents.agent(email: a) ?? a : agents.agent(name: a) ?? a }
        return Interaction(
            source: name, externalId: externalId, channel: channel, platform: "survey",
            conversationKey: cell("conversation") ?? "survey:\(externalId)", kind: .survey, direction: .inbound,
            actorRole: .customer, actorId: agent, customerKey: cell("customer").map(customerKey), occurredAt: at,
            survey: SurveyInfo(metric: metric, score: score, scaleMin: scale.0, scaleMax: scale.1), provenance: provenance,
            topics: cell("topics").map(Self.topics) ?? [])
    }

    /// Labels of a `topics` cell: `billing; vip` or `billing, vip`, in normal form.
    static func topics(_ cell: String) -> [String] {
        Topics.normalize(cell.split(whereSeparator: { $0 == ";" || $0 == "," }).map(String.init))
    }

    func customerKey(_ raw: String) -> String {
        if raw.contains("@") && !raw.contains(":") { return raw.lowercased() }
        if raw.contains(":") { return raw }
        return PhoneNumber.customerKey(raw, defaultCountry: defaultCountry) ?? raw
    }

    /// `1-5`, `0–10`, `5` (1-5), `10` (0-10).
    static func scale(_ text: String) -> (Double, Double)? {
        let parts = text.replacingOccurrences(of: "–", with: "-").split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count == 1, let max = Double(parts[0]) { return max == 10 ? (0, 10) : (1, max) }
        guard parts.count == 2, let a = Double(parts[0]), let b = Double(parts[1]), b > a else { return nil }
        return (a, b)
    }

    /// ISO 8601 with offset, else `YYYY-MM-DD[ T]HH:MM[:SS]` in the source's timezone.
    static func time(_ text: String, converter: LocalTimeConverter) -> Date? {
        if let d = Timestamp.parseISO8601(text) { return d }
        let digits = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard digits.count >= 5, text.count >= 16 else { return nil }
        return converter.date(year: digits[0], month: digits[1], day: digits[2], hour: digits[3], minute: digits[4],
                              second: digits.count > 5 ? digits[5] : 0)
    }

    static func fnv(_ b: UnsafeBufferPointer<UInt8>) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in b where x != 0x0D {
            h ^= UInt64(x)
            h = h &* 0x100_0000_01b3
        }
        return String(h, radix: 16)
    }

    static func number(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
