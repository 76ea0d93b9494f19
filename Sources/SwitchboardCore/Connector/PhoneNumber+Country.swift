extension PhoneNumber {
    /// One country's numbering facts: what turns its national numbers into E.164.
    /// The table of every country is generated (CallingCodes.swift says from what).
    public struct Country: Sendable {
        /// ISO 3166-1 alpha-2 code, upper case.
        let iso: StaticString
        /// Country calling code digits (`7`, `44`, `375`); shared by several countries (`1`, `7`, `44`, …).
        let code: StaticString
        /// National (trunk) prefixes, longest first, separated by `|` (`8`, `0`, `06`, `80|0|8`); empty when none.
        let trunk: StaticString
        /// The international call prefix when it is one fixed digit string other than `00` (`011`, `810`), else empty.
        let intl: StaticString
        /// Bit n is set when fixed-line or mobile national numbers have n digits.
        let lengths: UInt32

        init(_ iso: StaticString, _ code: StaticString, trunk: StaticString, intl: StaticString, lengths: [Int]) {
            self.iso = iso
            self.code = code
            self.trunk = trunk
            self.intl = intl
            self.lengths = lengths.reduce(0) { $0 | 1 << UInt32($1) }
        }

        /// The ISO 3166-1 alpha-2 code (`KR`).
        public var isoCode: String { iso.description }
        /// The country calling code (`82`).
        public var callingCode: Int { Int(code.description) ?? 0 }
        /// The national (trunk) prefixes a national number may start with, longest first (`["0"]`; none in Italy).
        public var trunkPrefixes: [String] { trunk.description.split(separator: "|").map(String.init) }
        /// The international call prefix besides `00` (`011` in the US), if any.
        public var internationalPrefix: String? { intl.utf8CodeUnitCount == 0 ? nil : intl.description }
        /// Digit counts of fixed-line and mobile national numbers (without a trunk prefix).
        public var nationalLengths: [Int] { (0..<32).filter { hasNationalLength($0) } }

        /// Whether national numbers of `n` digits exist.
        func hasNationalLength(_ n: Int) -> Bool { n > 0 && n < 32 && lengths & (1 << UInt32(n)) != 0 }
    }

    /// The country with this ISO 3166-1 alpha-2 code (any case), nil when there is none.
    /// A binary search of the table: no allocation.
    public static func country(_ iso: String) -> Country? {
        var it = iso.utf8.makeIterator()
        guard let a = it.next(), let b = it.next(), it.next() == nil else { return nil }
        let key = (upper(a), upper(b))
        var lo = 0, hi = countries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let p = countries[mid].iso.utf8Start
            let entry = (p[0], p[1])
            if entry == key { return countries[mid] }
            if entry < key { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// Every country of the table, sorted by ISO code.
    public static var allCountries: [Country] { countries }

    /// Whether `phone.default_country` names a country of the table.
    public static func isKnownCountry(_ iso: String) -> Bool { country(iso) != nil }

    private static func upper(_ c: UInt8) -> UInt8 { c >= 0x61 && c <= 0x7A ? c - 0x20 : c }
}
