import Foundation
import SwitchboardCore
import Testing

/// The calling-code table and the rules that make a number a customer key.
@Suite struct PhoneNumberTests {
    /// ISO 3166-1 alpha-2 codes (Debian iso-codes 4.15).
    static let iso3166 = """
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
        CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO \
        FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE \
        JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO \
        MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW \
        PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM \
        TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
        """.split(separator: " ").map(String.init)
    /// Territories without a calling code of their own (Antarctica, uninhabited islands).
    static let withoutCallingCode: Set<String> = ["AQ", "BV", "GS", "HM", "PN", "TF", "UM"]

    @Test func everyISOCountryWithACallingCodeIsKnown() {
        #expect(Self.iso3166.count == 249)
        let missing = Self.iso3166.filter { !Self.withoutCallingCode.contains($0) && PhoneNumber.country($0) == nil }
        #expect(missing.isEmpty, "\(missing)")
        let codes = PhoneNumber.allCountries.map(\.isoCode)
        #expect(codes == codes.sorted() && Set(codes).count == codes.count)   // the binary search needs this
        #expect(PhoneNumber.country("kr")?.isoCode == "KR")
        #expect(PhoneNumber.country("XX") == nil && PhoneNumber.country("KOR") == nil && PhoneNumber.country("") == nil)
        #expect(PhoneNumber.isKnownCountry("XK"))   // Kosovo: no ISO code yet, a calling code all the same
    }

    @Test("calling codes and trunk prefixes, shared codes included", arguments: [
        ("KR", 82, ["0"]), ("IT", 39, []), ("VA", 39, []), ("RU", 7, ["8"]), ("KZ", 7, ["8"]),
        ("US", 1, ["1"]), ("CA", 1, ["1"]), ("PR", 1, ["1"]), ("JM", 1, ["1"]), ("JE", 44, ["0"]), ("GG", 44, ["0"]),
        ("IM", 44, ["0"]), ("BY", 375, ["80", "0", "8"]), ("HU", 36, ["06"]), ("AX", 358, ["0"]), ("SJ", 47, []),
        ("ES", 34, []), ("FR", 33, ["0"]), ("JP", 81, ["0"]), ("XK", 383, ["0"]),
    ])
    func country(_ iso: String, _ code: Int, _ trunk: [String]) throws {
        let c = try #require(PhoneNumber.country(iso))
        #expect(c.callingCode == code)
        #expect(c.trunkPrefixes == trunk)
    }

    @Test func moreCountryFacts() throws {
        let gb = try #require(PhoneNumber.country("GB"))
        #expect(gb.callingCode == 44 && gb.trunkPrefixes.contains("0") && gb.nationalLengths == [9, 10])
        #expect(PhoneNumber.country("US")?.internationalPrefix == "011")
        #expect(PhoneNumber.country("RU")?.nationalLengths == [10])
        #expect(PhoneNumber.country("DE")?.internationalPrefix == nil)   // 00 is everybody's
    }

    @Test("a national number becomes E.164 with the trunk prefix removed as the table says", arguments: [
        ("010-1234-5678", "KR", "+821012345678"), ("02-312-3456", "KR", "+8223123456"),
        ("06 6982 1234", "IT", "+390669821234"), ("312 345 6789", "IT", "+393123456789"),
        ("8 (916) 123-45-67", "RU", "+79161234567"), ("8 701 123 4567", "KZ", "+77011234567"),
        ("1 415 555 2671", "US", "+14155552671"), ("613-555-0123", "CA", "+16135550123"),
        ("020 7946 0958", "GB", "+442079460958"), ("01534 123456", "JE", "+441534123456"),
        ("01624 123456", "IM", "+441624123456"), ("8 029 123-45-67", "BY", "+375291234567"),
        ("06 30 123 4567", "HU", "+36301234567"), ("03-1234-5678", "JP", "+81312345678"),
        ("02 9876 5432", "AU", "+61298765432"), ("01 23 45 67 89", "FR", "+33123456789"),
        ("098765 43210", "IN", "+919876543210"), ("138 0013 8000", "CN", "+8613800138000"),
        ("(11) 91234-5678", "BR", "+5511912345678"),
        // The country's own international prefix, and numbers written internationally without one.
        ("011 44 20 7946 0958", "US", "+442079460958"), ("0011 44 20 7946 0958", "AU", "+442079460958"),
        ("010 44 20 7946 0958", "JP", "+442079460958"), ("79161234567", "RU", "+79161234567"),
    ])
    func national(_ raw: String, _ country: String, _ expected: String) {
        #expect(PhoneNumber.e164(raw, defaultCountry: country) == expected)
        #expect(PhoneNumber.customerKey(raw, defaultCountry: country) == expected)
    }

    @Test("+ and 00 give E.164 with any default country or none", arguments: ["KR", "US", "IT", nil] as [String?])
    func international(country: String?) {
        for raw in ["+44 20 7946 0958", "0044 20 7946 0958", "\u{202A}+44 20 7946 0958\u{202C}", "\u{00A0}+442079460958"] {
            #expect(PhoneNumber.e164(raw, defaultCountry: country) == "+442079460958", "\(raw.debugDescription)")
        }
        #expect(PhoneNumber.customerKey("+7 916 123-45-67", defaultCountry: country) == "+79161234567")
        #expect(PhoneNumber.customerKey("810 7 916 123 45 67", defaultCountry: country) == "+79161234567")
    }

    @Test func withoutADefaultCountryNoCountryIsInvented() {
        #expect(PhoneNumber.e164("91342657", defaultCountry: nil) == nil)
        #expect(PhoneNumber.customerKey("91342657", defaultCountry: nil) == "tel-local:91342657")
        #expect(PhoneNumber.customerKey("9134-2657", defaultCountry: nil) == "tel-local:91342657")
        #expect(PhoneNumber.customerKey("8 916 123-45-67", defaultCountry: nil) == "tel-local:89161234567")
        // A number that fits no plan of the default country is not made one of its numbers either.
        #expect(PhoneNumber.e164("214943", defaultCountry: "RU") == nil)
        #expect(PhoneNumber.customerKey("214943", defaultCountry: "RU") == "tel-local:214943")
        #expect(PhoneNumber.customerKey("380441234567", defaultCountry: "RU") == "tel-local:380441234567")
    }

    @Test func shortNumbersAndNonNumbers() {
        #expect(PhoneNumber.customerKey("301", defaultCountry: "RU") == "tel-local:301")
        #expect(PhoneNumber.e164("301", defaultCountry: "RU") == nil)
        for raw in ["anonymous", "SIP/301", "SIP/301-0000002a", "", "7", "0000", "+12345", "+1234567890123456",
                    "0044", "8 916 123 45 67 доб. 12", "1234567890123456"] {
            #expect(PhoneNumber.customerKey(raw, defaultCountry: nil) == nil, "\(raw)")
        }
    }

    @Test func theBytePathAgreesWithTheStringPath() {
        for country in ["KR", "US", "AU", "BY", "GB", nil] as [String?] {
            let normalizer = PhoneNumber.Normalizer(defaultCountry: country)
            for raw in ["011 44 20 7946 0958", "0011442079460958", "91342657", "301", "80291234567", "+79161234567",
                        "\u{2003}89161234567", "8\u{2011}916\u{2011}123\u{2011}45\u{2011}67", "SIP/client1-01"] {
                var s = raw
                #expect(s.withUTF8 { normalizer.customerKey($0) } == PhoneNumber.customerKey(raw, defaultCountry: country))
                #expect(s.withUTF8 { normalizer.e164($0) } == PhoneNumber.e164(raw, defaultCountry: country))
            }
        }
    }

    @Test func configAcceptsEveryCountry() throws {
        let loader = ConfigLoader(registry: ConnectorRegistry([]))
        let file = URL(fileURLWithPath: "/etc/switchboard/switchboard.yaml")
        #expect(try loader.load(yaml: "phone: {default_country: KR}\nconnectors: []\n", file: file).phone.defaultCountry == "KR")
        #expect(try loader.load(yaml: "phone: {default_country: je}\nconnectors: []\n", file: file).phone.defaultCountry == "JE")
        let error = try #require(throws: ConfigError.self) {
            try loader.load(yaml: "connectors: []\nphone: {default_country: Korea}\n", file: file)
        }
        #expect(error.problems.count == 1)
        #expect(error.problems[0].line == 2 && error.problems[0].keyPath == "phone.default_country")
        #expect(error.problems[0].message.contains("unknown country 'Korea'") && error.problems[0].message.contains("ISO 3166-1"))
    }
}
