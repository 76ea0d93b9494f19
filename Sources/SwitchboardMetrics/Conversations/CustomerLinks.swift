import Foundation
import SwitchboardCore

/// `customers.links`: identities of one person per CSV row (e-mail, phone,
/// `telegram:123`, …). Every identity of a row (and of rows sharing an identity)
/// maps to one canonical customer key: the row's first identity as normalised.
public struct CustomerLinks: Sendable, Hashable {
    private var canonical: [String: String] = [:]

    /// No links: every customerKey is its own customer.
    public init() {}

    /// Links from rows of identities already split into cells.
    public init(rows: [[String]], defaultCountry: String? = nil) {
        var parent: [String: String] = [:]
        func find(_ k: String) -> String {
            var r = k
            while let p = parent[r], p != r { r = p }
            return r
        }
        var order: [String] = []
        var first: [String: Int] = [:]
        for row in rows {
            let ids = row.compactMap { Self.normalise($0, defaultCountry: defaultCountry) }
            guard let head = ids.first else { continue }
            for id in ids where parent[id] == nil {
                parent[id] = id
                first[id] = order.count
                order.append(id)
            }
            for id in ids.dropFirst() {
                let a = find(head), b = find(id)
                // The identity seen first stays the canonical key.
                if a != b {
                    if first[a]! <= first[b]! { parent[b] = a } else { parent[a] = b }
                }
            }
        }
        for id in order { canonical[id] = find(id) }
    }

    /// Reads the CSV file. Blank lines and lines starting with `#` are skipped; a first row
    /// without any identity-looking cell (no `@`, `:` or digit) is a header.
    /// - Throws: ``MetricsError`` naming the file when it cannot be read.
    public init(contentsOf url: URL, defaultCountry: String? = nil) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw MetricsError("customers.links: cannot read \(url.path); check the path (relative to the config file)")
        }
        var rows: [[String]] = []
        var first = true
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") { continue }
            let cells = t.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"")) }
            defer { first = false }
            if first && !cells.contains(where: { $0.contains("@") || $0.contains(":") || $0.contains(where: \.isNumber) }) { continue }
            rows.append(cells)
        }
        self.init(rows: rows, defaultCountry: defaultCountry)
    }

    /// The customer a key belongs to (the key itself when not linked).
    public func customer(_ key: String) -> String { canonical[key] ?? canonical[key.lowercased()] ?? key }

    /// Number of linked identities.
    public var count: Int { canonical.count }

    /// The form customerKeys take in the store: lower-cased e-mail, E.164 phone (`tel-local:<digits>`
    /// when its country is not known), `platform:id` as written.
    static func normalise(_ raw: String, defaultCountry: String?) -> String? {
        let t = raw.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { return nil }
        if t.contains("@") && !t.contains(":") { return t.lowercased() }
        if t.contains(":") { return t }
        if t.first == "+" || t.first?.isNumber == true, let e = PhoneNumber.customerKey(t, defaultCountry: defaultCountry) { return e }
        return t
    }
}

/// A problem computing a report, phrased for the user.
public struct MetricsError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
