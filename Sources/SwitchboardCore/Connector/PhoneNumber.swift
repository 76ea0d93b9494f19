import Foundation

/// Phone number normalisation to E.164 (`+79161234567`), shared by every
/// connector that sees numbers (PBX CDRs, WhatsApp, SMS).
public enum PhoneNumber {
    /// Country calling codes and national trunk prefixes of the countries a
    /// `phone.default_country` may name.
    static let countries: [String: (code: String, trunk: String, nationalLength: ClosedRange<Int>)] = [
        "RU": ("7", "8", 10...10), "KZ": ("7", "8", 10...10), "BY": ("375", "80", 9...9),
        "UA": ("380", "0", 9...9), "US": ("1", "1", 10...10), "CA": ("1", "1", 10...10),
        "GB": ("44", "0", 9...10), "DE": ("49", "0", 6...11), "FR": ("33", "0", 9...9),
        "ES": ("34", "", 9...9), "IT": ("39", "", 6...11), "NL": ("31", "0", 9...9),
        "PL": ("48", "", 9...9), "IL": ("972", "0", 8...9), "TR": ("90", "0", 10...10),
        "IN": ("91", "0", 10...10), "BR": ("55", "0", 10...11), "AU": ("61", "0", 9...9),
        "AT": ("43", "0", 4...13), "CH": ("41", "0", 9...9), "SE": ("46", "0", 7...9),
        "FI": ("358", "0", 5...10), "CZ": ("420", "", 9...9), "PT": ("351", "", 9...9),
        "GE": ("995", "0", 9...9), "AM": ("374", "0", 8...8), "UZ": ("998", "8", 9...9),
    ]

    /// Whether `phone.default_country` names a country this table knows.
    public static func isKnownCountry(_ iso: String) -> Bool { countries[iso.uppercased()] != nil }

    /// E.164 form of a dialled or displayed number, or nil when it is not a
    /// public number (internal extensions, `anonymous`, too short).
    ///
    /// `+7 (916) 123-45-67`, `0079161234567`, `89161234567` and `9161234567`
    /// with default country RU all give `+79161234567`.
    public static func e164(_ raw: String, defaultCountry: String?) -> String? {
        let hasPlus = raw.trimmingCharacters(in: .whitespaces).hasPrefix("+")
        let digits = raw.unicodeScalars.filter { $0.value >= 48 && $0.value <= 57 }.map { Character($0) }
        var d = String(digits)
        guard d.count >= 6 else { return nil }
        if hasPlus { return d.count <= 15 ? "+" + d : nil }
        if d.hasPrefix("00") { d.removeFirst(2); return d.count >= 8 && d.count <= 15 ? "+" + d : nil }
        if d.hasPrefix("810") && d.count > 11 { d.removeFirst(3); return "+" + d }   // old RU international prefix
        guard let country = defaultCountry.flatMap({ countries[$0.uppercased()] }) else {
            return d.count >= 8 && d.count <= 15 ? "+" + d : nil
        }
        if !country.trunk.isEmpty, d.hasPrefix(country.trunk),
           country.nationalLength.contains(d.count - country.trunk.count) {
            return "+" + country.code + d.dropFirst(country.trunk.count)
        }
        if country.nationalLength.contains(d.count) { return "+" + country.code + d }
        if d.hasPrefix(country.code), country.nationalLength.contains(d.count - country.code.count) { return "+" + d }
        return d.count >= 8 && d.count <= 15 ? "+" + d : nil
    }

    /// ``e164(_:defaultCountry:)`` on UTF-8 bytes for hot paths: the default
    /// country is resolved once, digits are gathered without building Strings,
    /// and only the result is a String (short enough to need no allocation).
    /// Non-ASCII input takes the String path, so results are always the same.
    public struct Normalizer: Sendable {
        public let defaultCountry: String?
        private let code: [UInt8]
        private let trunk: [UInt8]
        private let nationalLength: ClosedRange<Int>?

        public init(defaultCountry: String?) {
            self.defaultCountry = defaultCountry
            let country = defaultCountry.flatMap { PhoneNumber.countries[$0.uppercased()] }
            code = Array((country?.code ?? "").utf8)
            trunk = Array((country?.trunk ?? "").utf8)
            nationalLength = country?.nationalLength
        }

        /// The E.164 form of the number in `raw`, or nil (same answers as ``PhoneNumber/e164(_:defaultCountry:)``).
        public func e164(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
            var i = 0
            while i < raw.count, raw[i] == 0x20 || raw[i] == 0x09 { i += 1 }
            if raw.contains(where: { $0 >= 0x80 }) {
                return PhoneNumber.e164(String(decoding: raw, as: UTF8.self), defaultCountry: defaultCountry)
            }
            let hasPlus = i < raw.count && raw[i] == 0x2B
            var n = 0
            for c in raw where c >= 48 && c <= 57 { n += 1 }
            guard n >= 6 else { return nil }
            // "+", the country code and the digits.
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n + code.count + 1) { out in
                var d = 0
                for c in raw where c >= 48 && c <= 57 { out[code.count + 1 + d] = c; d += 1 }
                let digits = UnsafeBufferPointer(rebasing: out[(code.count + 1)...])
                return result(digits, hasPlus: hasPlus, out)
            }
        }

        private func result(_ d: UnsafeBufferPointer<UInt8>, hasPlus: Bool, _ out: UnsafeMutableBufferPointer<UInt8>) -> String? {
            let n = d.count
            /// "+" followed by `d` without its first `drop` digits.
            func plus(dropping drop: Int) -> String {
                let from = code.count + drop   // the slot before the kept digits
                out[from] = 0x2B
                return String(decoding: UnsafeBufferPointer(rebasing: out[from...]), as: UTF8.self)
            }
            func hasPrefix(_ p: [UInt8]) -> Bool {
                guard p.count <= n else { return false }
                for k in 0..<p.count where d[k] != p[k] { return false }
                return true
            }
            if hasPlus { return n <= 15 ? plus(dropping: 0) : nil }
            if n >= 2, d[0] == 0x30, d[1] == 0x30 { return n - 2 >= 8 && n - 2 <= 15 ? plus(dropping: 2) : nil }
            if n > 11, d[0] == 0x38, d[1] == 0x31, d[2] == 0x30 { return plus(dropping: 3) }
            guard let national = nationalLength else { return n >= 8 && n <= 15 ? plus(dropping: 0) : nil }
            /// "+", the country code, then `d` without its first `drop` digits.
            func withCode(dropping drop: Int) -> String {
                // The code goes over the dropped digits' slots, just before the kept ones.
                out[drop] = 0x2B
                for k in 0..<code.count { out[drop + 1 + k] = code[k] }
                return String(decoding: UnsafeBufferPointer(rebasing: out[drop...]), as: UTF8.self)
            }
            if !trunk.isEmpty, hasPrefix(trunk), national.contains(n - trunk.count) { return withCode(dropping: trunk.count) }
            if national.contains(n) { return withCode(dropping: 0) }
            if hasPrefix(code), national.contains(n - code.count) { return plus(dropping: 0) }
            return n >= 8 && n <= 15 ? plus(dropping: 0) : nil
        }
    }
}
