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
}
