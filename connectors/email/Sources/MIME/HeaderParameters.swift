import Foundation

/// A structured header value such as `Content-Type` or `Content-Disposition`:
/// the main value plus parameters, with RFC 2231 continuations and charsets
/// (`name*0=…; name*1*=…`, `name*=utf-8''%D0%90`) and RFC 2047 words in
/// quoted values (common though not allowed) decoded.
struct HeaderParameters: Sendable {
    /// Lower-cased main value: `text/plain`, `attachment`.
    var value: String
    /// Parameter names lower-cased.
    var parameters: [String: String]

    subscript(_ name: String) -> String? { parameters[name] }

    init(value: String, parameters: [String: String] = [:]) {
        self.value = value
        self.parameters = parameters
    }

    init(_ raw: [UInt8]) {
        var parts: [(name: String, value: [UInt8], quoted: Bool)] = []
        var i = 0
        let n = raw.count
        func skipSpace() { while i < n && (raw[i] == 0x20 || raw[i] == 0x09) { i += 1 } }
        // Main value up to the first ';'.
        var start = i
        while i < n && raw[i] != 0x3B { i += 1 }
        value = String(decoding: raw[start..<i], as: UTF8.self).trimmed(.whitespaces).lowercased()
        while i < n {
            i += 1   // past ';'
            skipSpace()
            start = i
            while i < n && raw[i] != 0x3D && raw[i] != 0x3B { i += 1 }
            let name = String(decoding: raw[start..<i], as: UTF8.self).trimmed(.whitespaces).lowercased()
            guard i < n, raw[i] == 0x3D else { continue }
            i += 1
            skipSpace()
            var v: [UInt8] = []
            var quoted = false
            if i < n && raw[i] == 0x22 {
                quoted = true
                i += 1
                while i < n && raw[i] != 0x22 {
                    if raw[i] == 0x5C && i + 1 < n { i += 1 }
                    v.append(raw[i])
                    i += 1
                }
                while i < n && raw[i] != 0x3B { i += 1 }
            } else {
                while i < n && raw[i] != 0x3B { v.append(raw[i]); i += 1 }
                while let last = v.last, last == 0x20 || last == 0x09 { v.removeLast() }
            }
            if !name.isEmpty { parts.append((name, v, quoted)) }
        }
        parameters = Self.assemble(parts)
    }

    /// Joins RFC 2231 sections and decodes `charset'lang'%XX` values.
    private static func assemble(_ parts: [(name: String, value: [UInt8], quoted: Bool)]) -> [String: String] {
        var simple: [String: String] = [:]
        var sections: [String: [(index: Int, bytes: [UInt8], encoded: Bool)]] = [:]
        for p in parts {
            guard let star = p.name.firstIndex(of: "*") else {
                if simple[p.name] == nil { simple[p.name] = EncodedWords.decode(p.value) }
                continue
            }
            let base = String(p.name[..<star])
            var rest = p.name[p.name.index(after: star)...]
            var encoded = false
            if rest.hasSuffix("*") { encoded = true; rest = rest.dropLast() }
            if rest.isEmpty {
                sections[base, default: []].append((0, p.value, true))   // `name*=`
            } else if let idx = Int(rest) {
                sections[base, default: []].append((idx, p.value, encoded))
            }
        }
        var out = simple
        for (base, list) in sections {
            let ordered = list.sorted { $0.index < $1.index }
            var charset: String? = nil
            var bytes: [UInt8] = []
            for (k, s) in ordered.enumerated() {
                var v = s.bytes[...]
                if s.encoded {
                    if k == 0, let q1 = v.firstIndex(of: 0x27),
                       let q2 = v[v.index(after: q1)...].firstIndex(of: 0x27) {
                        charset = String(decoding: v[..<q1], as: UTF8.self)
                        v = v[v.index(after: q2)...]
                    }
                    bytes += percentDecode(v)
                } else {
                    bytes += v
                }
            }
            // RFC 2231 wins over a plain parameter of the same name.
            out[base] = Charset.decode(bytes, charset: charset?.isEmpty == false ? charset : nil)
        }
        return out
    }

    static func percentDecode(_ v: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var i = v.startIndex
        while i < v.endIndex {
            if v[i] == 0x25, i + 2 < v.endIndex,
               let h = TransferEncoding.hex(v[i + 1]), let l = TransferEncoding.hex(v[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(v[i])
                i += 1
            }
        }
        return out
    }
}
