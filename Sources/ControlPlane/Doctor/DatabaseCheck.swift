import Foundation
import Logging
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// The session store: reachable, and migrated as far as this build expects (or about to be:
/// `netclode serve` creates and migrates it on start). Reads only; never creates the file, applies
/// a migration or takes the PostgreSQL owner lock, so it runs beside a serving control plane.
struct DatabaseCheck: DoctorCheck {
    static let subject = "database"
    let settings: ControlPlaneSettings
    let logger: Logger

    func run() async -> [DoctorFinding] {
        if let url = settings.databaseURL {
            do {
                return [verdict(try await PostgresSessionStore.schemaStatus(url: url, logger: logger), kind: "PostgreSQL")]
            } catch {
                return [.failed(Self.subject, "PostgreSQL \(error)",
                                fix: "check NETCLODE_DATABASE_URL (host, port, user, password, database, sslmode) and that the server accepts connections from here")]
            }
        }
        let path = settings.databasePath
        if let problem = Self.ownerProblem(path) {
            return [problem]
        }
        do {
            guard let status = try await SQLiteSessionStore.schemaStatus(path: path, logger: logger) else {
                return [Self.notCreatedYet(path)]
            }
            return [verdict(status, kind: "SQLite")]
        } catch {
            return [.failed(Self.subject, "SQLite \(error)",
                            fix: "NETCLODE_DATABASE (or NETCLODE_DATA_DIR) must name the file netclode serve uses; restore it from a backup if it is damaged")]
        }
    }

    private func verdict(_ status: SchemaStatus, kind: String) -> DoctorFinding {
        if status.isNewer {
            return .failed(Self.subject, "\(kind) \(status.location) has schema version \(status.recorded.max() ?? 0), newer than this build's \(status.expected)",
                           fix: "run the netclode that wrote it (or a newer one): an older build does not open a newer schema")
        }
        if status.recorded.isEmpty {
            return .passed(Self.subject, "\(kind) \(status.location) answers; no schema yet: netclode serve migrates it to version \(status.expected) on start")
        }
        if !status.pending.isEmpty {
            return .passed(Self.subject, "\(kind) \(status.location) at schema version \(status.recorded.max() ?? 0); netclode serve applies \(status.pending.map(String.init).joined(separator: ", ")) on start")
        }
        return .passed(Self.subject, "\(kind) \(status.location) migrated (schema version \(status.expected))")
    }

    /// Run as another user than the file's owner, SQLite would leave `-wal`/`-shm` files the
    /// server cannot open (or could not read the file at all): refuse, and say who to run as.
    static func ownerProblem(_ path: String) -> DoctorFinding? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let owner = (attributes[.ownerAccountID] as? NSNumber)?.uint32Value, owner != geteuid() else { return nil }
        let name = (attributes[.ownerAccountName] as? String).map { " (\($0))" } ?? ""
        return .failed(subject, "SQLite \(path) belongs to uid \(owner)\(name), not to the user running netclode doctor",
                       fix: "run netclode doctor as the user netclode serve runs as (systemd: see docs/deploy.md, `systemd-run --uid`; Kubernetes: kubectl -n netclode exec deploy/control-plane -- netclode doctor)")
    }

    /// No file yet: fine if its directory exists and is writable, or can be created.
    static func notCreatedYet(_ path: String) -> DoctorFinding {
        var directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.path), directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        guard FileManager.default.isWritableFile(atPath: directory.path) else {
            return .failed(subject, "SQLite \(path) does not exist and \(directory.path) is not writable for this user",
                           fix: "create the data directory for the user netclode serve runs as (systemd: StateDirectory=netclode does), or set NETCLODE_DATA_DIR")
        }
        return .passed(subject, "SQLite \(path) not created yet: netclode serve creates and migrates it on first start")
    }
}
