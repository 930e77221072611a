import Foundation
import PostgresNIO

/// `NETCLODE_DATABASE_URL`: `postgres://user:password@host:port/database`, or with
/// `?host=/path/to/socket/directory` for a Unix socket (libpq's spelling). `sslmode=disable`,
/// `prefer` (the default) or `require` choose TLS.
public struct PostgresURL: Sendable, CustomStringConvertible {
    public let configuration: PostgresClient.Configuration
    /// The URL without its password, for logs and errors.
    public let description: String

    public init(_ text: String) throws(StorageError) {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme?.lowercased() ?? "") else {
            throw .database("NETCLODE_DATABASE_URL must be postgres://user:password@host:port/database, got \(Self.redacted(text))")
        }
        guard let user = components.user, !user.isEmpty else {
            throw .database("NETCLODE_DATABASE_URL names no user: \(Self.redacted(text))")
        }
        let password = components.password?.removingPercentEncoding
        let database = String(components.path.drop { $0 == "/" }).removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        if let socketDirectory = query["host"], socketDirectory.hasPrefix("/") {
            let port = components.port ?? 5432
            configuration = .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            guard let host = components.host, !host.isEmpty else { throw .database("NETCLODE_DATABASE_URL names no host: \(Self.redacted(text))") }
            let tls: PostgresClient.Configuration.TLS
            switch query["sslmode"] ?? "prefer" {
            case "disable": tls = .disable
            case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
            case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
            case let other: throw .database("NETCLODE_DATABASE_URL sslmode \(other) is not one of disable, prefer, require")
            }
            configuration = .init(host: host, port: components.port ?? 5432, username: user, password: password, database: database, tls: tls)
        }
        description = Self.redacted(text)
    }

    /// `text` with any password replaced by `***`.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "postgres://…"
    }
}
