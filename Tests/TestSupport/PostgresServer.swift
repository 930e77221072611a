import Foundation

/// A throwaway PostgreSQL cluster for one test: `initdb` into a temporary directory, then a server
/// that listens only on a Unix socket in that directory (no TCP port at all, so nothing else on
/// the machine can reach it and parallel tests never race for ports). PostgreSQL refuses to run as
/// root, so when the tests run as root (CI) the cluster belongs to Debian's `postgres` user.
///
/// `.ci/run` installs PostgreSQL from Debian; ``isAvailable`` says whether it is here.
public final class PostgresServer: Sendable {
    public let directory: TemporaryDirectory
    /// `postgres://netclode@localhost/postgres?host=<directory>`: what `NETCLODE_DATABASE_URL` takes.
    public let url: String

    private init(directory: TemporaryDirectory, url: String) {
        self.directory = directory
        self.url = url
    }

    /// The newest installed server's `bin` directory (Debian keeps one per major version).
    static let binDirectory: String? = {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap(Int.init).sorted().reversed().map { "\(root)/\($0)/bin" }
            .first { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }
    }()

    public static var isAvailable: Bool {
        binDirectory != nil && (geteuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser"))
    }

    public static func start() async throws -> PostgresServer {
        guard let bin = binDirectory else { throw PostgresServerError("PostgreSQL is not installed (apt-get install postgresql)") }
        // Under /tmp whatever TMPDIR says: the `postgres` user must be able to reach it, and the
        // socket's path must stay under the 107 bytes a Unix socket address holds.
        let directory = try TemporaryDirectory(prefix: "netclode-pg", in: URL(fileURLWithPath: "/tmp"))
        let data = directory.url.appendingPathComponent("data").path
        do {
            if geteuid() == 0 {
                // The cluster's files belong to `postgres`; the directory stays reachable (0755).
                let owner = try await Command.run("/usr/bin/id", ["-u", "postgres"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                try FileManager.default.setAttributes([.ownerAccountID: NSNumber(value: Int(owner) ?? 0), .posixPermissions: 0o755],
                                                      ofItemAtPath: directory.url.path)
            }
            try await run(bin + "/initdb", ["-D", data, "-U", "netclode", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
            try await run(bin + "/pg_ctl", ["-D", data, "-l", directory.url.appendingPathComponent("server.log").path, "-w", "-t", "120",
                                            "-o", "-c listen_addresses='' -k \(directory.url.path) -c fsync=off -c shared_buffers=16MB -c max_connections=100", "start"])
        } catch {
            directory.remove()
            throw error
        }
        return PostgresServer(directory: directory, url: "postgres://netclode@localhost/postgres?host=\(directory.url.path)")
    }

    /// Stops the server at once and removes its files.
    public func stop() async {
        if let bin = Self.binDirectory {
            _ = try? await Self.run(bin + "/pg_ctl", ["-D", directory.url.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop"])
        }
        directory.remove()
    }

    /// The rows `sql` answers, one per line, columns separated by `|` (psql's unaligned output).
    public func query(_ sql: String) async throws -> String {
        guard let bin = Self.binDirectory else { throw PostgresServerError("PostgreSQL is not installed") }
        let result = try await Command.run(bin + "/psql", ["-h", directory.url.path, "-U", "netclode", "-d", "postgres", "-X", "-A", "-t", "-c", sql])
        guard result.succeeded else { throw PostgresServerError("psql failed: \(result.stderr)") }
        return result.stdout
    }

    /// Runs `body` with a started server, stopping it afterwards whatever happens.
    public static func with<T>(_ body: (PostgresServer) async throws -> T) async throws -> T {
        let server = try await start()
        do {
            let value = try await body(server)
            await server.stop()
            return value
        } catch {
            await server.stop()
            throw error
        }
    }

    private static func run(_ executable: String, _ arguments: [String]) async throws {
        let result = geteuid() == 0
            ? try await Command.run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
            : try await Command.run(executable, arguments)
        guard result.succeeded else {
            throw PostgresServerError("\((executable as NSString).lastPathComponent) failed: \(result.stdout)\(result.stderr)")
        }
    }
}

public struct PostgresServerError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
