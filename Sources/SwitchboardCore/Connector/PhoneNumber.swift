import Foundation

/// Phone numbers as customer identities, shared by every connector that sees
/// numbers (PBX CDRs, WhatsApp, SMS, surveys, customer links).
///
/// A number becomes E.164 (`+79161234567`) only when it says its country: a
/// leading `+`, an international prefix (`00`, `810`, or the default country's
/// own such as `011` in the US), or a national number that fits the plan of
/// `phone.default_country` (its trunk prefix removed: `89161234567` with RU).
/// Any other number keeps its digits as `tel-local:<digits>` (``localPrefix``):
/// a national number without a default country, one that fits no plan of it,
/// a short number or extension. That form is never E.164, so it is never taken
/// for another country's number, and the same caller still gets the same key.
public enum PhoneNumber {
    /// The prefix of the customer key of a number whose country is not known: `tel-local:91342657`.
    public static let localPrefix = localMark.description
    private static let localMark: StaticString = "tel-local:"

    /// E.164 form of a dialled or displayed number, or nil when it does not say
    /// its country (see ``PhoneNumber``) or is not a public number (internal
    /// extensions, `anonymous`, fewer than 6 digits).
    ///
    /// `+7 (916) 123-45-67`, `0079161234567`, `89161234567` and `9161234567`
    /// with default country RU all give `+79161234567`; `89161234567` without
    /// a default country gives nil.
    public static func e164(_ raw: String, defaultCountry: String?) -> String? {
        normalise(raw, defaultCountry.flatMap(country), local: false)
    }

    /// The customerKey of a number: its ``e164(_:defaultCountry:)`` form, else
    /// `tel-local:<digits>` when `raw` is only a number (digits, spaces, `-`,
    /// `(`, `)`, `.`) of 2 to 15 digits that are not all zeros; nil otherwise
    /// (`anonymous`, `SIP/301`, an over-long or too short `+` number).
    public static func customerKey(_ raw: String, defaultCountry: String?) -> String? {
        normalise(raw, defaultCountry.flatMap(country), local: true)
    }

    /// ``e164(_:defaultCountry:)`` and ``customerKey(_:defaultCountry:)`` on
    /// UTF-8 bytes for hot paths: the default country is resolved once, digits
    /// are gathered without building Strings, and only the result is a String
    /// (an E.164 one is short enough to need no allocation). Non-ASCII input
    /// takes the String path, so results are always the same.
    public struct Normalizer: Sendable {
        public let defaultCountry: String?
        private let country: Country?

        public init(defaultCountry: String?) {
            self.defaultCountry = defaultCountry
            country = defaultCountry.flatMap(PhoneNumber.country)
        }

        /// The E.164 form of the number in `raw`, or nil (same answers as ``PhoneNumber/e164(_:defaultCountry:)``).
        public func e164(_ raw: UnsafeBufferPointer<UInt8>) -> String? { normalise(raw, local: false) }

        /// The customer key of the number in `raw` (same answers as ``PhoneNumber/customerKey(_:defaultCountry:)``).
        public func customerKey(_ raw: UnsafeBufferPointer<UInt8>) -> String? { normalise(raw, local: true) }

        private func normalise(_ raw: UnsafeBufferPointer<UInt8>, local: Bool) -> String? {
            var i = 0
            while i < raw.count, raw[i] == 0x20 || raw[i] == 0x09 { i += 1 }
            let plus = i < raw.count && raw[i] == 0x2B
            var n = 0, onlyNumber = true
            for c in raw {
                if c >= 0x30 && c <= 0x39 {
                    n += 1
                } else if c >= 0x80 {
                    return PhoneNumber.normalise(String(decoding: raw, as: UTF8.self), country, local: local)
                } else if !PhoneNumber.isSeparator(Unicode.Scalar(c)) {
                    onlyNumber = false
                }
            }
            guard n >= 2 else { return nil }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n) { buffer in
                var k = 0
                for c in raw where c >= 0x30 && c <= 0x39 { buffer[k] = c; k += 1 }
                return PhoneNumber.key(of: UnsafeBufferPointer(buffer), plus: plus, onlyNumber: onlyNumber,
                                       country: country, local: local)
            }
        }
    }

    /// The String path: the same rules on Unicode scalars (only ASCII digits count).
    static func normalise(_ raw: String, _ country: Country?, local: Bool) -> String? {
        var plus = false, leading = true
        var n = 0, onlyNumber = true
        for s in raw.unicodeScalars {
            if leading, !isBlank(s) {
                plus = s == "+"
                leading = false
            }
            if s.value >= 0x30 && s.value <= 0x39 { n += 1 } else if !isSeparator(s) { onlyNumber = false }
        }
        guard n >= 2 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n) { buffer in
            var k = 0
            for s in raw.unicodeScalars where s.value >= 0x30 && s.value <= 0x39 { buffer[k] = UInt8(s.value); k += 1 }
            return key(of: UnsafeBufferPointer(buffer), plus: plus, onlyNumber: onlyNumber, country: country, local: local)
        }
    }

    /// What may stand between the digits of a number: spaces (any), `+ - ( ) .`, dashes,
    /// and the direction marks chat apps put around numbers.
    static func isSeparator(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x2B, 0x2D, 0x28, 0x29, 0x2E, 0x2010...0x2015, 0x2212: true
        default: isBlank(s)
        }
    }

    /// What may come before a leading `+`: spaces (tab, any Unicode space) and direction marks.
    static func isBlank(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x20, 0x09, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        case 0..<0x80: false
        default: s.properties.generalCategory == .spaceSeparator
        }
    }

    /// How the digits of a number read.
    enum Reading {
        /// E.164 after the first `skip` digits (an international prefix).
        case international(skip: Int)
        /// A national number of the default country after its `skip`-digit trunk prefix.
        case national(skip: Int)
        /// No country can be known.
        case local
    }

    /// The rules of ``PhoneNumber``, in order; nil for a `+` or international-prefix number of a wrong length.
    static func read(_ d: UnsafeBufferPointer<UInt8>, plus: Bool, country: Country?) -> Reading? {
        let n = d.count
        func starts(_ p: UnsafeBufferPointer<UInt8>) -> Bool { p.count <= n && d.starts(with: p) }
        let doubleZero = n >= 2 && d[0] == 0x30 && d[1] == 0x30
        guard n >= 6 else { return plus || doubleZero ? nil : .local }
        if plus { return n <= 15 ? .international(skip: 0) : nil }
        if let country {
            // The country's own international prefix first: AU's 0011 would read as 00 + 11…
            let intl = country.intl.withUTF8Buffer { p in !p.isEmpty && starts(p) && (8...15).contains(n - p.count) ? p.count : 0 }
            if intl > 0 { return .international(skip: intl) }
        }
        if doubleZero { return (8...15).contains(n - 2) ? .international(skip: 2) : nil }
        if n > 11, d[0] == 0x38, d[1] == 0x31, d[2] == 0x30 { return n - 3 <= 15 ? .international(skip: 3) : nil }   // 810, old Soviet
        guard let country else { return .local }
        let trunk = country.trunk.withUTF8Buffer { t -> Int in
            var from = 0
            while from < t.count {
                let to = t[from...].firstIndex(of: 0x7C) ?? t.count   // "|"
                let prefix = UnsafeBufferPointer(rebasing: t[from..<to])
                if starts(prefix), country.hasNationalLength(n - prefix.count) { return prefix.count }
                from = to + 1
            }
            return -1
        }
        if trunk >= 0 { return .national(skip: trunk) }
        if country.hasNationalLength(n) { return .national(skip: 0) }
        // Written internationally without a prefix (`79161234567` in RU).
        if country.code.withUTF8Buffer({ starts($0) && country.hasNationalLength(n - $0.count) }) { return .international(skip: 0) }
        return .local
    }

    /// The key (or E.164 form when `local` is false) of the digits `d`.
    static func key(of d: UnsafeBufferPointer<UInt8>, plus: Bool, onlyNumber: Bool, country: Country?, local: Bool) -> String? {
        switch read(d, plus: plus, country: country) {
        case nil:
            return nil
        case .international(let skip):
            return make("+", digits: UnsafeBufferPointer(rebasing: d[skip...]))
        case .national(let skip):
            return country?.code.withUTF8Buffer { make("+", code: $0, digits: UnsafeBufferPointer(rebasing: d[skip...])) }
        case .local:
            guard local, onlyNumber, d.count <= 15, d.contains(where: { $0 != 0x30 }) else { return nil }
            return make(localMark, digits: d)
        }
    }

    /// `prefix` + `code` + `digits` as a String, written in place (no allocation up to 15 bytes).
    private static func make(_ prefix: StaticString, code: UnsafeBufferPointer<UInt8> = .init(start: nil, count: 0),
                             digits: UnsafeBufferPointer<UInt8>) -> String {
        prefix.withUTF8Buffer { p in
            String(unsafeUninitializedCapacity: p.count + code.count + digits.count) { out in
                var k = 0
                for c in p { out[k] = c; k += 1 }
                for c in code { out[k] = c; k += 1 }
                for c in digits { out[k] = c; k += 1 }
                return k
            }
        }
    }
}
