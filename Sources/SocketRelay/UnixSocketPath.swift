#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Unix domain socket paths: the kernel's length limit and the files they leave behind.
public enum UnixSocketPath {
    /// `sun_path` holds 108 bytes on Linux (104 on the BSDs), including the terminating NUL.
    public static let maximumLength = 107

    /// Nil when `path` fits in `sun_path`, else a sentence saying so (for the caller's error).
    public static func problem(with path: String) -> String? {
        let length = path.utf8.count
        guard length > maximumLength else { return nil }
        return "the Unix socket path \(path) is \(length) bytes long; the system allows at most \(maximumLength)"
    }

    /// Removes the socket file at `path`, if there is one (never a file of another kind).
    public static func remove(_ path: String) {
        var status = stat()
        guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFSOCK else { return }
        unlink(path)
    }
}
