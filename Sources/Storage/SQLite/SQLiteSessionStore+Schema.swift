import Foundation
import Logging
import SQLiteNIO

/// The schema of a database file, read without changing it (``SchemaStatus``).
extension SQLiteSessionStore {
    /// The schema of the file at `path`, or nil when there is no file yet (`netclode serve`
    /// creates and migrates it on first start). Opens it read-only (`mode=ro`): nothing is created
    /// or migrated. SQLite may still add the `-wal`/`-shm` companions of a WAL database, owned by
    /// whoever calls this, so callers should run as the file's owner.
    public static func schemaStatus(path: String, logger: Logger) async throws -> SchemaStatus? {
        let path = URL(fileURLWithPath: path).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        guard !isDirectory.boolValue else { throw StorageError.file("\(path) is a directory, not a database file") }
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: readOnlyURI(path)), logger: logger)
        } catch let error as SQLiteError {
            throw StorageError.database("cannot open \(path): \(error)")
        }
        do {
            let table = try await connection.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
            var recorded: [Int] = []
            if !table.isEmpty {
                recorded = try await connection.query("SELECT version FROM schema_migrations ORDER BY version")
                    .map { row throws(StorageError) in Int(try row.int64("version")) }
            }
            try? await connection.close()
            return SchemaStatus(location: path, recorded: recorded, known: Migrations.all.map(\.version))
        } catch {
            try? await connection.close()
            if let error = error as? SQLiteError { throw StorageError.database("cannot read \(path): \(error)") }
            throw error
        }
    }

    /// `file:<path>?mode=ro`, with the characters a URI gives meaning to escaped.
    static func readOnlyURI(_ path: String) -> String {
        let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "?#%"))
        return "file:" + (path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path) + "?mode=ro"
    }
}
