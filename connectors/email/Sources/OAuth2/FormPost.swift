import CCurl
import Foundation
import SwitchboardCore

/// One HTTP POST of an `application/x-www-form-urlencoded` body over libcurl (the OAuth2 token and
/// device-authorization endpoints), answering the status and body. No redirects are followed,
/// only http and https are spoken, certificates are verified.
enum FormPost {
    struct Response: Sendable {
        var status: Int
        var body: Data
    }

    /// - Throws: ``ConnectorError`` `.network` naming `what` and the URL when there is no HTTP answer.
    static func send(_ url: String, form: [(String, String)], timeout: TimeInterval, what: String) throws -> Response {
        _ = globalInit
        guard let h = curl_easy_init() else { throw ConnectorError(.network, "\(what): cannot initialise libcurl") }
        defer { curl_easy_cleanup(h) }
        let body = encode(form)
        let sink = ResponseBody()
        let context = Unmanaged.passUnretained(sink).toOpaque()
        var headers: UnsafeMutablePointer<curl_slist>? = nil
        headers = curl_slist_append(headers, "Accept: application/json")
        defer { curl_slist_free_all(headers) }
        sb_curl_setopt_string(h, CURLOPT_URL, url)
        sb_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https")
        sb_curl_setopt_string(h, CURLOPT_COPYPOSTFIELDS, body)
        sb_curl_setopt_pointer(h, CURLOPT_HTTPHEADER, headers)
        sb_curl_setopt_string(h, CURLOPT_USERAGENT, "switchboard")
        sb_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)
        sb_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        sb_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, Int(max(1, timeout) * 1000))
        sb_curl_setopt_write(h, { data, size, count, context in
            guard let data, let context else { return 0 }
            let n = size * count
            Unmanaged<ResponseBody>.fromOpaque(context).takeUnretainedValue().append(data, n)
            return n
        }, context)
        let rc = withExtendedLifetime(sink) { curl_easy_perform(h) }
        guard rc == CURLE_OK else {
            throw ConnectorError(.network, "\(what): cannot reach \(Redaction.url(url)): \(String(cString: curl_easy_strerror(rc)))")
        }
        var status = 0
        sb_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        return Response(status: status, body: sink.data)
    }

    /// `a=1&b=x%20y` with every byte outside the unreserved set percent-encoded.
    static func encode(_ form: [(String, String)]) -> String {
        form.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(Unicode.Scalar(b))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~".contains(c)) { out.append(c) }
            else { out += String(format: "%%%02X", b) }
        }
        return out
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// The bytes libcurl delivers, collected on the calling thread (libcurl calls back synchronously).
    private final class ResponseBody {
        var data = Data()
        func append(_ p: UnsafeMutablePointer<CChar>, _ n: Int) {
            data.append(UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: n)
        }
    }
}
