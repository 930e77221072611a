import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Prepares the database file before SQLite opens it.
///
/// The database holds session names, repo lists and event history, which are private to the
/// operator, so the file is created owner-only (0600) instead of with whatever the process umask
/// allows, and its directory (0700) is created if missing so that `--data-dir` can point at a
/// fresh location. SQLite creates the `-wal` and `-shm` files with the database file's mode.
enum DatabaseFile {
    static let fileMode: mode_t = 0o600
    static let directoryMode: Int = 0o700

    /// Creates the parent directory and an empty 0600 file at `path` if they are missing, and
    /// tightens an existing file (and its WAL companions) to 0600.
    static func prepare(path: String) throws(StorageError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        do {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
                try FileManager.default.createDirectory(
                    atPath: directory,
                    withIntermediateDirectories: true,
                    attributes: [.posixPermissions: directoryMode]
                )
            } else if !isDirectory.boolValue {
                throw StorageError.file("\(directory) is not a directory")
            }
        } catch let error as StorageError {
            throw error
        } catch {
            throw .file("cannot create \(directory): \(error)")
        }

        // O_EXCL: create only if absent, atomically with the restrictive mode (no window in which
        // the file exists with a looser one).
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, fileMode)
        if descriptor >= 0 {
            close(descriptor)
        } else if errno != EEXIST {
            throw .file("cannot create \(path): \(String(cString: strerror(errno)))")
        }

        for file in [path, path + "-wal", path + "-shm"] where chmod(file, fileMode) != 0 {
            if errno == ENOENT, file != path { continue }
            throw .file("cannot set mode 0600 on \(file): \(String(cString: strerror(errno)))")
        }
    }
}
