/// How the bytes of one charset label are decoded.
enum TextDecoder: Sendable, Equatable {
    /// UTF-8; each invalid sequence becomes U+FFFD.
    case utf8
    /// No label, a label that cannot describe 8-bit bytes (`us-ascii`) or an unknown one:
    /// UTF-8 when the bytes read as UTF-8, else windows-1252 (see ``Charset/sniffed(_:)``).
    case sniffed
    /// UTF-16 in the given byte order unless a byte-order mark says otherwise.
    case utf16(bigEndian: Bool)
    /// An ASCII-compatible single-byte encoding, decoded by a table made from iconv's mapping.
    case singleByte(iconv: String)
    /// A multi-byte encoding decoded by iconv. `asciiCompatible`: ASCII bytes always stand for
    /// themselves (EUC, GBK, Big5, Shift_JIS), so all-ASCII input skips iconv; not so for
    /// ISO-2022 (escape sequences) or UTF-7.
    case multiByte(iconv: String, asciiCompatible: Bool)
    /// ISO-2022-JP with the Windows extensions, rewritten as code page 932 for iconv (see ``ISO2022JP``).
    case iso2022jp
}

/// Charset labels as mail clients and browsers read them: the label table of the WHATWG Encoding
/// Standard, where a label names the real-world superset of what it says (`gb2312` → GBK,
/// `iso-8859-1` → windows-1252, `ks_c_5601-1987` → EUC-KR, which is Windows code page 949).
enum CharsetLabels {
    /// One encoding of the standard: its name, how Switchboard decodes it, its labels.
    struct Row {
        var name: String
        var decoder: TextDecoder
        var labels: [String]
    }

    /// The encodings and labels of the WHATWG Encoding Standard (https://encoding.spec.whatwg.org/,
    /// section 4.2 "Names and labels", taken from its data file encodings.json). The decoders are
    /// this project's choice: iconv's names for the code page each encoding is defined by (GBK and
    /// gb18030 by GB18030, Big5 by Big5-HKSCS, EUC-KR by CP949, Shift_JIS by CP932, KOI8-U by KOI8-RU,
    /// ISO-2022-JP by CP932 after rewriting).
    /// The standard's "replacement" labels (ISO-2022-KR, ISO-2022-CN, HZ) are decoded where iconv
    /// knows them: a browser refuses them for script-injection reasons that stored mail text does not have.
    static let whatwg: [Row] = [
        Row(name: "UTF-8", decoder: .utf8,
            labels: ["unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8", "x-unicode20utf8"]),
        Row(name: "IBM866", decoder: .singleByte(iconv: "IBM866"), labels: ["866", "cp866", "csibm866", "ibm866"]),
        Row(name: "ISO-8859-2", decoder: .singleByte(iconv: "ISO-8859-2"),
            labels: ["csisolatin2", "iso-8859-2", "iso-ir-101", "iso8859-2", "iso88592", "iso_8859-2",
                     "iso_8859-2:1987", "l2", "latin2"]),
        Row(name: "ISO-8859-3", decoder: .singleByte(iconv: "ISO-8859-3"),
            labels: ["csisolatin3", "iso-8859-3", "iso-ir-109", "iso8859-3", "iso88593", "iso_8859-3",
                     "iso_8859-3:1988", "l3", "latin3"]),
        Row(name: "ISO-8859-4", decoder: .singleByte(iconv: "ISO-8859-4"),
            labels: ["csisolatin4", "iso-8859-4", "iso-ir-110", "iso8859-4", "iso88594", "iso_8859-4",
                     "iso_8859-4:1988", "l4", "latin4"]),
        Row(name: "ISO-8859-5", decoder: .singleByte(iconv: "ISO-8859-5"),
            labels: ["csisolatincyrillic", "cyrillic", "iso-8859-5", "iso-ir-144", "iso8859-5", "iso88595",
                     "iso_8859-5", "iso_8859-5:1988"]),
        Row(name: "ISO-8859-6", decoder: .singleByte(iconv: "ISO-8859-6"),
            labels: ["arabic", "asmo-708", "csiso88596e", "csiso88596i", "csisolatinarabic", "ecma-114",
                     "iso-8859-6", "iso-8859-6-e", "iso-8859-6-i", "iso-ir-127", "iso8859-6", "iso88596",
                     "iso_8859-6", "iso_8859-6:1987"]),
        Row(name: "ISO-8859-7", decoder: .singleByte(iconv: "ISO-8859-7"),
            labels: ["csisolatingreek", "ecma-118", "elot_928", "greek", "greek8", "iso-8859-7", "iso-ir-126",
                     "iso8859-7", "iso88597", "iso_8859-7", "iso_8859-7:1987", "sun_eu_greek"]),
        Row(name: "ISO-8859-8", decoder: .singleByte(iconv: "ISO-8859-8"),
            labels: ["csiso88598e", "csisolatinhebrew", "hebrew", "iso-8859-8", "iso-8859-8-e", "iso-ir-138",
                     "iso8859-8", "iso88598", "iso_8859-8", "iso_8859-8:1988", "visual"]),
        Row(name: "ISO-8859-8-I", decoder: .singleByte(iconv: "ISO-8859-8"),
            labels: ["csiso88598i", "iso-8859-8-i", "logical"]),
        Row(name: "ISO-8859-10", decoder: .singleByte(iconv: "ISO-8859-10"),
            labels: ["csisolatin6", "iso-8859-10", "iso-ir-157", "iso8859-10", "iso885910", "l6", "latin6"]),
        Row(name: "ISO-8859-13", decoder: .singleByte(iconv: "ISO-8859-13"),
            labels: ["iso-8859-13", "iso8859-13", "iso885913"]),
        Row(name: "ISO-8859-14", decoder: .singleByte(iconv: "ISO-8859-14"),
            labels: ["iso-8859-14", "iso8859-14", "iso885914"]),
        Row(name: "ISO-8859-15", decoder: .singleByte(iconv: "ISO-8859-15"),
            labels: ["csisolatin9", "iso-8859-15", "iso8859-15", "iso885915", "iso_8859-15", "l9"]),
        Row(name: "ISO-8859-16", decoder: .singleByte(iconv: "ISO-8859-16"), labels: ["iso-8859-16"]),
        Row(name: "KOI8-R", decoder: .singleByte(iconv: "KOI8-R"), labels: ["cskoi8r", "koi", "koi8", "koi8-r", "koi8_r"]),
        Row(name: "KOI8-U", decoder: .singleByte(iconv: "KOI8-RU"), labels: ["koi8-ru", "koi8-u"]),
        Row(name: "macintosh", decoder: .singleByte(iconv: "MACINTOSH"),
            labels: ["csmacintosh", "mac", "macintosh", "x-mac-roman"]),
        Row(name: "windows-874", decoder: .singleByte(iconv: "CP874"),
            labels: ["dos-874", "iso-8859-11", "iso8859-11", "iso885911", "tis-620", "windows-874"]),
        Row(name: "windows-1250", decoder: .singleByte(iconv: "CP1250"), labels: ["cp1250", "windows-1250", "x-cp1250"]),
        Row(name: "windows-1251", decoder: .singleByte(iconv: "CP1251"), labels: ["cp1251", "windows-1251", "x-cp1251"]),
        Row(name: "windows-1252", decoder: .singleByte(iconv: "CP1252"),
            labels: ["ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1", "iso-ir-100",
                     "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1", "us-ascii",
                     "windows-1252", "x-cp1252"]),
        Row(name: "windows-1253", decoder: .singleByte(iconv: "CP1253"), labels: ["cp1253", "windows-1253", "x-cp1253"]),
        Row(name: "windows-1254", decoder: .singleByte(iconv: "CP1254"),
            labels: ["cp1254", "csisolatin5", "iso-8859-9", "iso-ir-148", "iso8859-9", "iso88599", "iso_8859-9",
                     "iso_8859-9:1989", "l5", "latin5", "windows-1254", "x-cp1254"]),
        Row(name: "windows-1255", decoder: .singleByte(iconv: "CP1255"), labels: ["cp1255", "windows-1255", "x-cp1255"]),
        Row(name: "windows-1256", decoder: .singleByte(iconv: "CP1256"), labels: ["cp1256", "windows-1256", "x-cp1256"]),
        Row(name: "windows-1257", decoder: .singleByte(iconv: "CP1257"), labels: ["cp1257", "windows-1257", "x-cp1257"]),
        Row(name: "windows-1258", decoder: .singleByte(iconv: "CP1258"), labels: ["cp1258", "windows-1258", "x-cp1258"]),
        Row(name: "x-mac-cyrillic", decoder: .singleByte(iconv: "MAC-CYRILLIC"), labels: ["x-mac-cyrillic", "x-mac-ukrainian"]),
        Row(name: "GBK", decoder: .multiByte(iconv: "GB18030", asciiCompatible: true),
            labels: ["chinese", "csgb2312", "csiso58gb231280", "gb2312", "gb_2312", "gb_2312-80", "gbk", "iso-ir-58", "x-gbk"]),
        Row(name: "gb18030", decoder: .multiByte(iconv: "GB18030", asciiCompatible: true), labels: ["gb18030"]),
        Row(name: "Big5", decoder: .multiByte(iconv: "BIG5-HKSCS", asciiCompatible: true),
            labels: ["big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5"]),
        Row(name: "EUC-JP", decoder: .multiByte(iconv: "EUC-JP-MS", asciiCompatible: true),
            labels: ["cseucpkdfmtjapanese", "euc-jp", "x-euc-jp"]),
        Row(name: "ISO-2022-JP", decoder: .iso2022jp,
            labels: ["csiso2022jp", "iso-2022-jp"]),
        Row(name: "Shift_JIS", decoder: .multiByte(iconv: "CP932", asciiCompatible: true),
            labels: ["csshiftjis", "ms932", "ms_kanji", "shift-jis", "shift_jis", "sjis", "windows-31j", "x-sjis"]),
        Row(name: "EUC-KR", decoder: .multiByte(iconv: "CP949", asciiCompatible: true),
            labels: ["cseuckr", "csksc56011987", "euc-kr", "iso-ir-149", "korean", "ks_c_5601-1987", "ks_c_5601-1989",
                     "ksc5601", "ksc_5601", "windows-949"]),
        Row(name: "ISO-2022-KR", decoder: .multiByte(iconv: "ISO-2022-KR", asciiCompatible: false),
            labels: ["csiso2022kr", "iso-2022-kr"]),
        Row(name: "ISO-2022-CN", decoder: .multiByte(iconv: "ISO-2022-CN-EXT", asciiCompatible: false),
            labels: ["iso-2022-cn", "iso-2022-cn-ext"]),
        Row(name: "HZ-GB-2312", decoder: .multiByte(iconv: "HZ", asciiCompatible: false), labels: ["hz-gb-2312"]),
        Row(name: "UTF-16BE", decoder: .utf16(bigEndian: true), labels: ["unicodefffe", "utf-16be"]),
        Row(name: "UTF-16LE", decoder: .utf16(bigEndian: false),
            labels: ["csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16", "utf-16le"]),
    ]

    /// Labels mail software writes that the standard does not list, by the standard's encoding name.
    static let mailAliases: [String: String] = [
        "cp932": "Shift_JIS", "x-ms-cp932": "Shift_JIS", "windows-932": "Shift_JIS",
        "cp936": "GBK", "ms936": "GBK", "windows-936": "GBK", "euc-cn": "GBK", "x-euc-cn": "GBK",
        "cp949": "EUC-KR", "ms949": "EUC-KR", "uhc": "EUC-KR", "ks_c_5601": "EUC-KR", "x-windows-949": "EUC-KR",
        "cp950": "Big5", "ms950": "Big5", "windows-950": "Big5", "big5hkscs": "Big5",
        "iso-2022-jp-1": "ISO-2022-JP",
        "cp874": "windows-874", "koi8r": "KOI8-R", "koi8u": "KOI8-U",
        "utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE",
    ]

    /// Labels read as ``TextDecoder/sniffed``: the ASCII names (which cannot describe an 8-bit byte, so
    /// one means the label is wrong; the standard reads them as windows-1252, which sniffing falls back
    /// to) and the placeholders of mail software that did not know the charset.
    static let sniffedLabels: Set<String> = [
        "", "us-ascii", "ascii", "ansi_x3.4-1968", "us", "iso646-us", "csascii", "iso-ir-6", "cp367", "ibm367",
        "unknown", "unknown-8bit", "x-unknown", "8bit", "default", "x-user-defined", "none",
    ]

    /// Every label of ``whatwg`` and ``mailAliases`` → its decoder.
    static let table: [String: TextDecoder] = {
        var byLabel: [String: TextDecoder] = [:]
        var byName: [String: TextDecoder] = [:]
        for row in whatwg {
            byName[row.name] = row.decoder
            for label in row.labels { byLabel[label] = row.decoder }
        }
        for (label, name) in mailAliases { byLabel[label] = byName[name] }
        for label in sniffedLabels { byLabel[label] = .sniffed }
        return byLabel
    }()
}
