import Foundation
import PostgresNIO
import SwitchboardCore

/// Where a PostgreSQL store lives, read from `postgres://user:password@host:port/database?options`.
///
/// Options: `sslmode=disable|prefer|require` (default `prefer`, as libpq),
/// `pool_size=N` (connections per process, default 8), `connect_timeout=S`
/// (seconds one connection attempt may take, default 15), `pool_timeout=S` (seconds a
/// call waits for a pooled connection while the server is gone or the pool is busy, default 60).
public struct PostgresLocation: Sendable, Hashable {
    public enum TLSMode: String, Sendable { case disable, prefer, require }
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode = .prefer
    public var poolSize: Int = 8
    public var connectTimeout: Int = 15
    public var poolTimeout: Int = 60

    /// Parses a connection URL.
    /// - Throws: ``StoreError`` saying which part is wrong and what was expected.
    public init(url: String) throws {
        func bad(_ what: String) -> StoreError {
            StoreError(.unavailable, "store.postgres: \(what); expected postgres://user:password@host:5432/database")
        }
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"), let parts = URLComponents(string: url) else {
            throw bad("'\(Self.redact(url))' is not a postgres:// URL")
        }
        guard let host = parts.host, !host.isEmpty else { throw bad("the URL names no host") }
        guard let user = parts.user, !user.isEmpty else { throw bad("the URL names no user") }
        let database = String(parts.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw bad("the URL names no database") }
        self.host = host
        self.port = parts.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = parts.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
        for item in parts.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else { throw bad("sslmode '\(value)' is not one of disable, prefer, require") }
                tls = mode
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
                throw bad("unknown option '\(item.name)' (known: sslmode, pool_size, connect_timeout, pool_timeout)")
            }
        }
    }

    /// The URL with the password hidden, for messages and logs.
    public var redacted: String { "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)" }

    static func redact(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.password != nil else { return url }
        parts.password = "***"
        return parts.string ?? url
    }

    var clientConfiguration: PostgresClient.Configuration {
        let tlsConfig: PostgresClient.Configuration.TLS
        switch tls {
        case .disable: tlsConfig = .disable
        case .prefer: tlsConfig = .prefer(.makeClientConfiguration())
        case .require: tlsConfig = .require(.makeClientConfiguration())
        }
        var c = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database,
                                             tls: tlsConfig)
        c.options.maximumConnections = poolSize
        c.options.connectTimeout = .seconds(connectTimeout)
        return c
    }

    /// The settings of one connection outside the pool (the source locks hold one each).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tlsConfig: PostgresConnection.Configuration.TLS
        switch tls {
        case .disable: tlsConfig = .disable
        case .prefer: tlsConfig = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: tlsConfig = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var c = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database,
                                                 tls: tlsConfig)
        c.options.connectTimeout = .seconds(Int64(connectTimeout))
        return c
    }
}
