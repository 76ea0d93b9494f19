import Foundation
import SwitchboardCore

/// The `topics:` setting of every phone kind (connectors/phone/README.md, "Topics").
///
/// ```yaml
/// topics:
///   queue: true                                   # the queue name is a topic (default true)
///   dids: {"+74950000001": billing, "84950000002": returns}   # dialled number → topic
///   contexts: {ivr-billing: billing}              # dialplan context → topic
/// ```
public struct PhoneTopicSettings: Decodable, Sendable, Hashable {
    public var queue: Bool?
    public var dids: [String: String]?
    public var contexts: [String: String]?

    public init(queue: Bool? = nil, dids: [String: String]? = nil, contexts: [String: String]? = nil) {
        self.queue = queue
        self.dids = dids
        self.contexts = contexts
    }

    static let keys = ["queue", "dids", "contexts"]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c: KeyedDecodingContainer<Key>
        do {
            c = try decoder.container(keyedBy: Key.self)
        } catch {
            // `topics: billing` or `topics: [a, b]`: the config problem says "expected a mapping".
            throw DecodingError.typeMismatch([String: String].self, DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "expected a mapping such as {queue: true, dids: {\"+74950000001\": billing}, contexts: {ivr-billing: billing}}"))
        }
        for key in c.allKeys where !Self.keys.contains(key.stringValue) {
            throw DecodingError.dataCorruptedError(forKey: key, in: c,
                debugDescription: "unknown key '\(key.stringValue)' under topics; known keys: \(Self.keys.joined(separator: ", "))")
        }
        queue = try c.decodeIfPresent(Bool.self, forKey: Key(stringValue: "queue"))
        dids = try Self.map(c, "dids", example: "{\"+74950000001\": billing}")
        contexts = try Self.map(c, "contexts", example: "{ivr-billing: billing}")
    }

    /// A `{text: topic}` mapping read key by key (keys stay text: `84950000001` is not a number here).
    private static func map(_ c: KeyedDecodingContainer<Key>, _ name: String, example: String) throws -> [String: String]? {
        let key = Key(stringValue: name)
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
        let m: KeyedDecodingContainer<Key>
        do {
            m = try c.nestedContainer(keyedBy: Key.self, forKey: key)
        } catch {
            throw DecodingError.typeMismatch([String: String].self, DecodingError.Context(
                codingPath: c.codingPath + [key], debugDescription: "expected a mapping such as \(example)"))
        }
        var out: [String: String] = [:]
        for k in m.allKeys { out[k.stringValue] = try m.decode(String.self, forKey: k) }
        return out
    }

    /// The `SettingSpec` of a kind: `dids` and `contexts` say what they read there (nil: not available).
    static func spec(queue: String, dids: String?, contexts: String?) -> SettingSpec {
        var doc = "native topics of calls: queue (bool, default true: \(queue) is a topic)"
        doc += dids.map { "; dids ({number: topic}: \($0), compared as E.164 with phone.default_country)" } ?? ""
        doc += contexts.map { "; contexts ({context: topic}: \($0))" } ?? ""
        let keys = ["queue"] + (dids == nil ? [] : ["dids"]) + (contexts == nil ? [] : ["contexts"])
        return SettingSpec("topics", "{\(keys.joined(separator: ", "))}", doc)
    }
}

/// The topics of a call from its queue, dialled number and dialplan context, as the `topics:` setting says.
struct PhoneTopics: Sendable {
    /// Whether the queue name is a topic.
    var queue = true
    /// Dialled number in ``numberKey(_:)`` form → topic label (normal form).
    private(set) var dids: [String: String] = [:]
    /// Dialplan context → topic label (normal form).
    private(set) var contexts: [String: String] = [:]
    private let normalizer: PhoneNumber.Normalizer

    /// Only queue names as topics (no `topics:` setting).
    init(defaultCountry: String? = nil) {
        normalizer = PhoneNumber.Normalizer(defaultCountry: defaultCountry)
    }

    /// Reads the setting; `unavailable` gives, for `dids` or `contexts`, why this kind or layout cannot map them.
    /// - Throws: ``ConnectorError`` naming the key (`topics.dids.…`) of an entry that cannot work.
    init(_ settings: PhoneTopicSettings?, defaultCountry: String?, unavailable: [String: String] = [:]) throws {
        self.init(defaultCountry: defaultCountry)
        guard let settings else { return }
        queue = settings.queue ?? true
        if let given = settings.dids, !given.isEmpty {
            if let why = unavailable["dids"] { throw ConnectorError(.settings, "topics.dids: \(why)") }
            var written: [String: String] = [:]   // key → the number as written, for the duplicate message
            for (number, topic) in given.sorted(by: { $0.key < $1.key }) {
                guard let key = Self.numberKey(number, normalizer) else {
                    throw ConnectorError(.settings, "topics.dids: '\(number)' is not a phone number (write the dialled number, e.g. \"+74950000001\": \(topic))")
                }
                guard let label = Topics.normalize(label: topic) else {
                    throw ConnectorError(.settings, "topics.dids.\(number): the topic is empty")
                }
                if let other = dids[key], other != label {
                    var n = number
                    let shown = n.withUTF8 { normalizer.e164($0) } ?? key
                    throw ConnectorError(.settings, "topics.dids: '\(written[key] ?? "")' and '\(number)' are the same number \(shown) with different topics (\(other), \(label))")
                }
                dids[key] = label
                written[key] = number
            }
        }
        if let given = settings.contexts, !given.isEmpty {
            if let why = unavailable["contexts"] { throw ConnectorError(.settings, "topics.contexts: \(why)") }
            for (context, topic) in given {
                guard let label = Topics.normalize(label: topic) else {
                    throw ConnectorError(.settings, "topics.contexts.\(context): the topic is empty")
                }
                contexts[context.trimmingCharacters(in: .whitespaces)] = label
            }
        }
    }

    /// Whether anything besides the queue can give a topic (then calls take the general path).
    var mapsNumbersOrContexts: Bool { !dids.isEmpty || !contexts.isEmpty }

    /// A number as the DID map compares it: the digits of its E.164 form (the default country's
    /// trunk prefix removed), else its digits as written (short service numbers and extensions such
    /// as `211474`, national numbers without a default country); nil without digits. So
    /// `+7 495 000-00-01` and `74950000001` are one number with or without a default country.
    static func numberKey(_ raw: String, _ normalizer: PhoneNumber.Normalizer) -> String? {
        var s = raw
        if let e164 = s.withUTF8({ normalizer.e164($0) }) { return String(e164.dropFirst()) }
        let digits = raw.unicodeScalars.filter { $0.value >= 48 && $0.value <= 57 }
        return digits.isEmpty ? nil : String(String.UnicodeScalarView(digits))
    }

    /// The topics of one call, in normal form.
    /// - Parameters:
    ///   - dialled: the number the caller dialled (not used on outbound calls, where it is the customer's).
    ///   - extra: labels the source wrote itself (phone-csv `topics` column), not yet normalised.
    func labels(queue name: String?, dialled: String?, context: String?, outbound: Bool, extra: [String]) -> [String] {
        let queueLabel = queue ? name.flatMap(Self.label) : nil
        // Fast path: no maps, no labels of the source: at most the queue's one label.
        guard mapsNumbersOrContexts || !extra.isEmpty else { return queueLabel.map { [$0] } ?? [] }
        var out = extra
        if let queueLabel { out.append(queueLabel) }
        if !dids.isEmpty, !outbound, let dialled, !dialled.isEmpty,
           let key = Self.numberKey(dialled, normalizer), let label = dids[key] {
            out.append(label)
        }
        if !contexts.isEmpty, let context, !context.isEmpty, let label = contexts[context] { out.append(label) }
        if out.count == 1 && extra.isEmpty { return out }
        return Topics.normalize(out)
    }

    /// One label in normal form; a plain ASCII name (the usual queue name) is kept as it is, without a copy.
    static func label(_ name: String) -> String? {
        let u = name.utf8
        if !u.isEmpty, u.count <= Topics.maxLength, u.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return name }
        return Topics.normalize(label: name)
    }

    /// Labels of a source cell: `billing; vip` or `billing, vip` (empty ones dropped; not yet normalised).
    static func split(_ cell: String) -> [String] {
        cell.split(whereSeparator: { $0 == ";" || $0 == "," }).compactMap {
            let t = $0.trimmingCharacters(in: .whitespaces)
            return t.isEmpty ? nil : t
        }
    }
}
