import Foundation

/// A one-purpose HTTP listener on 127.0.0.1 at an ephemeral port: it receives the browser's
/// redirect of an authorization-code sign-in (`GET /?code=…&state=…`) and answers with a short page.
final class LoopbackRedirect: @unchecked Sendable {   // immutable after init
    let port: Int
    private let fd: Int32

    /// - Throws: ``IMAPError/connectionLost`` (reused as "socket trouble") when no port can be opened.
    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw IMAPError.connectionLost("cannot open a socket: \(String(cString: strerror(errno)))") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa -> Bool in
                bind(fd, sa, len) == 0 && listen(fd, 8) == 0 && getsockname(fd, sa, &len) == 0
            }
        }
        guard bound else {
            let why = String(cString: strerror(errno))
            Glibc.close(fd)
            throw IMAPError.connectionLost("cannot listen on 127.0.0.1: \(why)")
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit { Glibc.close(fd) }

    /// The query parameters of the next `GET` whose parameters `judge` takes (answered 200 with
    /// `page`); other requests are answered with what `judge` returns and waiting goes on.
    /// Returns nil at `deadline`.
    func next(until deadline: Date, judge: ([String: String]) -> (ok: Bool, page: String)) -> [String: String]? {
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return nil }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let n = poll(&p, 1, Int32(min(remaining, 3600) * 1000))
            if n <= 0 { continue }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { continue }
            defer { Glibc.close(client) }
            var tv = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            guard let target = Self.readRequestTarget(client) else { continue }
            let query = Self.queryParameters(target)
            if query.isEmpty {
                Self.respond(client, status: "404 Not Found", page: "Not found.")
                continue
            }
            let verdict = judge(query)
            Self.respond(client, status: verdict.ok ? "200 OK" : "400 Bad Request", page: verdict.page)
            if verdict.ok { return query }
        }
    }

    /// The request target of `GET target HTTP/1.1`, read up to the end of the headers.
    static func readRequestTarget(_ fd: Int32) -> String? {
        var data: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while data.count < 65536 {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { break }
            data += buf[0..<n]
            if data.count >= 4, String(decoding: data.suffix(4), as: UTF8.self) == "\r\n\r\n" { break }
        }
        let line = String(decoding: data.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0] == "GET" else { return nil }
        return String(parts[1])
    }

    static func queryParameters(_ target: String) -> [String: String] {
        guard let q = target.firstIndex(of: "?") else { return [:] }
        var out: [String: String] = [:]
        for pair in target[target.index(after: q)...].split(separator: "&") {
            // `=x` and `=` have an empty name: keep the empty parts instead of indexing past them.
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(kv[0])
            let value = kv.count > 1 ? (String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(kv[1])) : ""
            out[key] = value
        }
        return out
    }

    static func respond(_ fd: Int32, status: String, page: String) {
        let body = "<!doctype html><meta charset=utf-8><title>Switchboard</title><p>\(page)</p>\n"
        let text = "HTTP/1.1 \(status)\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        _ = Array(text.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
