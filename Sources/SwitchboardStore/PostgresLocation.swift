import Foundation
import NIOCore
import PostgresNIO
import SwitchboardCore

/// Where a PostgreSQL store lives, read from `postgres://user:password@host:port/database?options`.
///
/// Options: `sslmode=disable|prefer|require` (default `prefer`, as libpq), `sslrootcert=PATH` (the PEM file of the
/// certificate authorities the server's certificate is checked against, instead of the system's), `pool_size=N`
/// (connections per process, default 8), `connect_timeout=S` (seconds one connection attempt may take, default 15),
/// `pool_timeout=S` (seconds a call waits for a pooled connection while the server is gone or the pool is busy,
/// default 60).
public struct PostgresLocation: Sendable, Hashable {
    public enum TLSMode: String, Sendable { case disable, prefer, require }
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode = .prefer
    /// `sslrootcert`: the trusted certificate authorities (PEM file), nil for the system's.
    public var rootCertificates: String?
    public var poolSize: Int = 8
    public var connectTimeout: Int = 15
    public var poolTimeout: Int = 60

    /// Parses a connection URL.
    /// - Throws: ``StoreError`` saying which part is wrong and what was expected.
    public init(url: String) throws {
        func bad(_ what: String) -> StoreError {
            StoreError(.unavailable, "store.postgres: \(what); expected postgres://user:password@host:5432/database")
        }
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"),
              let parts = URLComponents(string: Self.encodingUserinfo(url)) else {
            throw bad("'\(Redaction.url(url))' is not a postgres:// URL")
        }
        guard let host = parts.host, !host.isEmpty else { throw bad("the URL names no host") }
        guard let user = parts.user, !user.isEmpty else { throw bad("the URL names no user") }
        let database = String(parts.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw bad("the URL names no database") }
        self.host = host
        self.port = parts.port ?? 5432
        let encodedUser = parts.percentEncodedUser ?? user
        self.user = encodedUser.removingPercentEncoding ?? encodedUser
        self.password = parts.percentEncodedPassword.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
        for item in parts.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else { throw bad("sslmode '\(value)' is not one of disable, prefer, require") }
                tls = mode
            case "sslrootcert":
                guard !value.isEmpty else { throw bad("sslrootcert is empty; expected the path of a PEM file of CA certificates") }
                guard FileManager.default.isReadableFile(atPath: value) else {
                    throw bad("sslrootcert '\(value)' is not a readable file; expected the path of a PEM file of CA certificates")
                }
                // Read now, so a wrong file is named here rather than as a TLS library error at the first connection.
                guard let certificates = try? NIOSSLCertificate.fromPEMFile(value), !certificates.isEmpty else {
                    throw bad("sslrootcert '\(value)' holds no PEM certificate (-----BEGIN CERTIFICATE----- …); "
                              + "expected the CA certificates the server's certificate is signed by")
                }
                rootCertificates = value
            case "pool_size":
                guard let n = Int(value), (1...200).contains(n) else { throw bad("pool_size '\(value)' is not a number from 1 to 200") }
                poolSize = n
            case "connect_timeout":
                guard let n = Int(value), n > 0 else { throw bad("connect_timeout '\(value)' is not a positive number of seconds") }
                connectTimeout = n
            case "pool_timeout":
                guard let n = Int(value), n > 0 else { throw bad("pool_timeout '\(value)' is not a positive number of seconds") }
                poolTimeout = n
            default:
                throw bad("unknown option '\(item.name)' (known: sslmode, sslrootcert, pool_size, connect_timeout, pool_timeout)")
            }
        }
        if rootCertificates != nil && tls == .disable { throw bad("sslrootcert is set but sslmode is disable; use prefer or require") }
    }

    /// Where the store is, for messages and logs: user, host, port and database, never the password
    /// (``Redaction/mask`` stands for it when there is one).
    public var redacted: String { "postgres://\(user)\(password == nil ? "" : ":" + Redaction.mask)@\(host):\(port)/\(database)" }

    /// `url` with its user name and password percent-encoded where they are not, so a password
    /// holding `/ ? # @` or a space reads as written: the userinfo runs to the last `@` (as for
    /// ``Redaction/url(_:)``). Escapes already there (`%2F`) are kept.
    static func encodingUserinfo(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@") else { return url }
        let info = url[scheme.upperBound..<at]
        let encoded = info.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(percentEncoded)
        return String(url[..<scheme.upperBound]) + encoded.joined(separator: ":") + String(url[at...])
    }

    private static func percentEncoded(_ part: Substring) -> String {
        let bytes = Array(part.utf8)
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=".utf8)
        let hex = Set("0123456789abcdefABCDEF".utf8)
        var out = ""
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "%"), i + 2 < bytes.count, hex.contains(bytes[i + 1]), hex.contains(bytes[i + 2]) {
                out += "%"
            } else if allowed.contains(b) {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += String(format: "%%%02X", b)
            }
            i += 1
        }
        return out
    }

    var clientConfiguration: PostgresClient.Configuration {
        let tlsConfig: PostgresClient.Configuration.TLS
        switch tls {
        case .disable: tlsConfig = .disable
        case .prefer: tlsConfig = .prefer(tlsConfiguration)
        case .require: tlsConfig = .require(tlsConfiguration)
        }
        var c = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database,
                                             tls: tlsConfig)
        c.options.maximumConnections = poolSize
        c.options.connectTimeout = .seconds(connectTimeout)
        return c
    }

    /// The settings of one connection outside the pool (the source locks hold one each).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var c = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database,
                                                 tls: try connectionTLS())
        c.options.connectTimeout = .seconds(Int64(connectTimeout))
        return c
    }

    /// ``connectionConfiguration()`` over a channel already connected to the server.
    func connectionConfiguration(on channel: any NIOCore.Channel) throws -> PostgresConnection.Configuration {
        var c = PostgresConnection.Configuration(establishedChannel: channel, tls: try connectionTLS(), username: user, password: password,
                                                 database: database)
        // As for a connection by host name: the name is checked against the certificate (SNI), an address is not.
        if (try? SocketAddress(ipAddress: host, port: port)) == nil { c.options.tlsServerName = host }
        return c
    }

    /// TLS settings: the system's certificate authorities, or `sslrootcert`'s.
    private var tlsConfiguration: TLSConfiguration {
        var c = TLSConfiguration.makeClientConfiguration()
        if let rootCertificates { c.trustRoots = .file(rootCertificates) }
        return c
    }

    private func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        switch tls {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: tlsConfiguration))
        case .require: .require(try NIOSSLContext(configuration: tlsConfiguration))
        }
    }
}
